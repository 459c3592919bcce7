/* shape.c - which transports, methods, entries and concurrencies a run has,
 * in display order, and the scenarios the report's figures use. */
#include "plots/shape.h"

#include <stdlib.h>
#include <string.h>

static const char *const canon_me[] = { "fib", "getObj", "sendObj" };

static int has_str(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

static void add_long_sorted(long *v, size_t *n, long x)
{
    size_t i;
    for (i = 0; i < *n; i++)
        if (v[i] == x)
            return;
    if (*n == RB_SHAPE_MAX)
        return;
    for (i = *n; i > 0 && v[i - 1] > x; i--)
        v[i] = v[i - 1];
    v[i] = x;
    (*n)++;
}

/* Display order: the descriptors' order, ties by name. */
static int by_order(const void *a, const void *b)
{
    const rb_transport *x = *(const rb_transport *const *)a, *y = *(const rb_transport *const *)b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->name, y->name);
}

void rb_shape_of(const rb_results *r, rb_shape *sh)
{
    const rb_transport *tv[RB_SHAPE_MAX];
    size_t i, k;

    memset(sh, 0, sizeof *sh);
    for (i = 0; i < r->ntr && sh->ntr < RB_SHAPE_MAX; i++)
        tv[sh->ntr++] = &r->tr[i];
    qsort(tv, sh->ntr, sizeof *tv, by_order);
    for (i = 0; i < sh->ntr; i++)
        sh->tr[i] = tv[i]->name;
    sh->floor = rb_results_floor(r) ? rb_results_floor(r)->name : "floor";
    for (k = 0; k < sizeof canon_me / sizeof *canon_me; k++)
        for (i = 0; i < r->n; i++)
            if (strcmp(r->sc[i].method, canon_me[k]) == 0) {
                sh->me[sh->nme++] = canon_me[k];
                break;
            }
    for (i = 0; i < r->n && sh->nme < RB_SHAPE_MAX; i++)
        if (!has_str(sh->me, sh->nme, r->sc[i].method))
            sh->me[sh->nme++] = r->sc[i].method;
    for (i = 0; i < r->n; i++) {
        if (r->sc[i].entries >= 0)
            add_long_sorted(sh->en, &sh->nen, r->sc[i].entries);
        add_long_sorted(sh->co, &sh->nco, r->sc[i].concurrency);
    }
}

const rb_summary *rb_shape_find(const rb_results *r, const char *tr, const char *me,
                               long entries, long conc)
{
    for (size_t i = 0; i < r->n; i++) {
        const rb_summary *s = &r->sc[i];
        if (strcmp(s->t->name, tr) == 0 && strcmp(s->method, me) == 0 &&
            (entries < -1 || s->entries == entries) && s->concurrency == conc)
            return s;
    }
    return NULL;
}

/* Entries values a method was run with, ascending; -1 alone for fib. */
size_t rb_shape_entries(const rb_results *r, const char *me, long *v)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->sc[i].method, me) == 0)
            add_long_sorted(v, &n, r->sc[i].entries);
    return n;
}

size_t rb_shape_conc(const rb_results *r, const char *me, long *v)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->sc[i].method, me) == 0)
            add_long_sorted(v, &n, r->sc[i].concurrency);
    return n;
}

/* The payload the summary figures use: 100 entries (the default) when run,
 * else the middle value. */
long rb_shape_ref_entries(const rb_results *r, const char *me)
{
    long v[RB_SHAPE_MAX];
    size_t n = rb_shape_entries(r, me, v);
    for (size_t i = 0; i < n; i++)
        if (v[i] == 100)
            return 100;
    return n ? v[n / 2] : -1;
}

long rb_shape_ref_conc(const rb_results *r, const char *me)
{
    long v[RB_SHAPE_MAX];
    return rb_shape_conc(r, me, v) ? v[0] : 1;
}

const rb_transport *rb_shape_desc(const rb_results *r, const char *tr)
{
    for (size_t i = 0; i < r->ntr; i++)
        if (strcmp(r->tr[i].name, tr) == 0)
            return &r->tr[i];
    return NULL;
}

size_t rb_shape_group(const rb_results *r, const rb_shape *sh, const char *me, long en, long co,
                      const rb_summary **g)
{
    size_t n = 0;
    for (size_t t = 0; t < sh->ntr; t++) {
        const rb_summary *s = rb_shape_find(r, sh->tr[t], me, en, co);
        if (s)
            g[n++] = s;
    }
    return n;
}
