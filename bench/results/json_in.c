/* json_in.c - the readers' shared pieces (json_in.h). */
#include "results/json_in.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double rb_jnum(const json_t *obj, const char *key)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    return json_is_number(v) ? json_number_value(v) : NAN;
}

long long rb_jint(const json_t *obj, const char *key)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

int rb_jtrue(const json_t *obj, const char *key)
{
    return obj && json_is_true(json_object_get(obj, key));
}

const char *rb_jstr(const json_t *obj, const char *key, const char *dflt)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : dflt;
}

void rb_jstr_copy(const json_t *obj, const char *key, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", rb_jstr(obj, key, ""));
}

void rb_jspread(const json_t *obj, const char *key, rb_spread *s)
{
    const json_t *a = obj ? json_object_get(obj, key) : NULL;
    s->lo = s->hi = NAN;
    if (json_is_array(a) && json_array_size(a) == 2) {
        const json_t *lo = json_array_get(a, 0), *hi = json_array_get(a, 1);
        if (json_is_number(lo) && json_is_number(hi)) {
            s->lo = json_number_value(lo);
            s->hi = json_number_value(hi);
        }
    }
}

void rb_jratio(const json_t *obj, const char *key, rb_ratio *r)
{
    const json_t *o = obj ? json_object_get(obj, key) : NULL;
    r->median = rb_jnum(o, "median");
    r->lo = rb_jnum(o, "lo");
    r->hi = rb_jnum(o, "hi");
}

void rb_jlat(const json_t *o, rb_latency *l)
{
    l->min = rb_jnum(o, "min");
    l->p50 = rb_jnum(o, "p50");
    l->p90 = rb_jnum(o, "p90");
    l->p99 = rb_jnum(o, "p99");
    l->p99_9 = rb_jnum(o, "p99_9");
    l->max = rb_jnum(o, "max");
    l->mean = rb_jnum(o, "mean");
    l->stddev = rb_jnum(o, "stddev");
    l->n = !isnan(l->p50);
}

void *rb_results_alloc(rb_results *r, size_t cnt, size_t size)
{
    if (r->nmem_ == r->capmem_) {
        size_t cap = r->capmem_ ? 2 * r->capmem_ : 64;
        void **m = realloc(r->mem_, cap * sizeof *m);
        if (!m)
            return NULL;
        r->mem_ = m;
        r->capmem_ = cap;
    }
    void *p = calloc(cnt ? cnt : 1, size);
    if (p)
        r->mem_[r->nmem_++] = p;
    return p;
}

static uint64_t get_count(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) && json_integer_value(v) > 0 ? (uint64_t)json_integer_value(v) : 0;
}

/* One point of a timeline from its object. */
static void read_point(const json_t *o, rb_tl_point *p)
{
    p->t_ms = rb_jnum(o, "t_ms");
    p->calls = get_count(o, "calls");
    p->failures = get_count(o, "failures");
    p->offered = get_count(o, "offered");
    p->p50_us = rb_jnum(o, "p50_us");
    p->p99_us = rb_jnum(o, "p99_us");
    p->max_us = rb_jnum(o, "max_us");
    p->lag_mean_us = rb_jnum(o, "send_lag_mean_us");
    p->lag_max_us = rb_jnum(o, "send_lag_max_us");
}

int rb_timeline_from_json(const json_t *arr, rb_tl_point **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!json_is_array(arr))
        return RB_EINVAL;
    size_t len = json_array_size(arr);
    if (len == 0)
        return RB_OK;
    rb_tl_point *p = calloc(len, sizeof *p);
    if (!p)
        return RB_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        const json_t *o = json_array_get(arr, i);
        if (!json_is_object(o)) {
            free(p);
            return RB_EINVAL;
        }
        read_point(o, &p[i]);
    }
    *out = p;
    *n = len;
    return RB_OK;
}

int rb_read_timeline(rb_results *r, const json_t *arr, rb_tl_point **out, size_t *n)
{
    rb_tl_point *p;
    size_t len;
    *out = NULL;
    *n = 0;
    int rc = rb_timeline_from_json(arr, &p, &len);
    if (rc == RB_ENOMEM)
        return rc;
    if (rc != RB_OK || len == 0)
        return RB_OK;
    *out = rb_results_alloc(r, len, sizeof *p);
    if (!*out) {
        free(p);
        return RB_ENOMEM;
    }
    memcpy(*out, p, len * sizeof *p);
    free(p);
    *n = len;
    return RB_OK;
}

/* One manifest value (objects are marked, not kept). */
static int read_value(rb_results *r, const json_t *j, rb_value *v)
{
    size_t i;
    const json_t *x;
    memset(v, 0, sizeof *v);
    if (json_is_string(j)) {
        v->kind = RB_V_STRING;
        v->s = json_string_value(j);
    } else if (json_is_integer(j)) {
        v->kind = RB_V_INT;
        v->i = (long long)json_integer_value(j);
    } else if (json_is_real(j)) {
        v->kind = RB_V_REAL;
        v->d = json_real_value(j);
    } else if (json_is_boolean(j)) {
        v->kind = RB_V_BOOL;
        v->i = json_is_true(j);
    } else if (json_is_object(j)) {
        v->kind = RB_V_OBJECT;
    } else if (json_is_array(j)) {
        v->kind = RB_V_ARRAY;
        v->n = json_array_size(j);
        if (!(v->items = rb_results_alloc(r, v->n, sizeof *v->items)))
            return RB_ENOMEM;
        json_array_foreach(j, i, x)
            if (read_value(r, x, &v->items[i]) != RB_OK)
                return RB_ENOMEM;
    }
    return RB_OK;
}

int rb_read_kvs(rb_results *r, const json_t *obj, rb_kv **kv, size_t *n)
{
    const char *k;
    const json_t *v;
    size_t i = 0;
    *kv = NULL;
    *n = 0;
    if (!json_is_object(obj))
        return RB_OK;
    if (!(*kv = rb_results_alloc(r, json_object_size(obj), sizeof **kv)))
        return RB_ENOMEM;
    json_object_foreach((json_t *)obj, k, v) {
        (*kv)[i].key = k;
        if (read_value(r, v, &(*kv)[i++].v) != RB_OK)
            return RB_ENOMEM;
    }
    *n = i;
    return RB_OK;
}
