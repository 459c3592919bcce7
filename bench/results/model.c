/* model.c - the figures of the results model (model.h): validity flags,
 * medians over rounds, spreads, a summary's totals. Calls nothing above
 * measure/. */
#include "results/model.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(f) offsetof(rb_round, f)

const char *rb_flag_name(int bit_index)
{
    static const char *const names[RB_FLAG__COUNT] = { "drift", "tail_p99", "tail_p99_9",
                                                       "littles_law", "machine" };
    return bit_index >= 0 && bit_index < RB_FLAG__COUNT ? names[bit_index] : "?";
}

const char *rb_fault_class_key(int i)
{
    static const char *const keys[RB_FAULT_NCLASS] = { "ok", "refused", "lost", "ambiguous",
                                                       "duplicated" };
    return i >= 0 && i < RB_FAULT_NCLASS ? keys[i] : "?";
}

void rb_fault_round_free(rb_fault_round **fr)
{
    if (!*fr)
        return;
    free((*fr)->tl);
    free(*fr);
    *fr = NULL;
}

unsigned rb_round_flags(const rb_round *r)
{
    return (r->stationarity.flagged ? RB_FLAG_DRIFT : 0) |
           (r->tail[1].flagged ? RB_FLAG_TAIL_P99 : 0) |
           (r->tail[2].flagged ? RB_FLAG_TAIL_P999 : 0) |
           (r->little.flagged ? RB_FLAG_LITTLE : 0) |
           (r->has_machine && r->interference.flagged ? RB_FLAG_MACHINE : 0);
}

double rb_round_median(const rb_scenario *s, size_t off, rb_spread *sp)
{
    double v[s->nrounds > 0 ? s->nrounds : 1];
    size_t n = 0;
    for (int i = 0; i < s->nrounds; i++) {
        const rb_round *r = &s->rounds[i];
        if (!r->ran)
            continue;
        if (off >= FIELD(lat) && off < FIELD(lat) + sizeof(rb_latency) && r->lat.n == 0)
            continue;
        double x = *(const double *)((const char *)r + off);
        if (!isnan(x))
            v[n++] = x;
    }
    if (sp)
        sp->lo = sp->hi = NAN;
    if (n == 0)
        return NAN;
    double m = rb_median(v, n); /* sorts v */
    if (sp) {
        sp->lo = v[0];
        sp->hi = v[n - 1];
    }
    return m;
}

rb_latency rb_round_latency_median(const rb_scenario *s, size_t off)
{
    static const size_t f[] = {
        offsetof(rb_latency, min), offsetof(rb_latency, p50), offsetof(rb_latency, p90),
        offsetof(rb_latency, p99), offsetof(rb_latency, p99_9), offsetof(rb_latency, max),
        offsetof(rb_latency, mean), offsetof(rb_latency, stddev),
    };
    rb_latency out;
    int any = 0;
    memset(&out, 0, sizeof out);
    for (int i = 0; i < s->nrounds; i++) {
        const rb_latency *l = (const rb_latency *)((const char *)&s->rounds[i] + off);
        any |= s->rounds[i].ran && l->n > 0;
    }
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
        *(double *)((char *)&out + f[k]) = any ? rb_round_median(s, off + f[k], NULL) : NAN;
    return out;
}

int rb_spread_overlap(double alo, double ahi, double blo, double bhi)
{
    if (isnan(alo) || isnan(ahi) || isnan(blo) || isnan(bhi) || alo > ahi || blo > bhi)
        return -1;
    return alo <= bhi && blo <= ahi;
}

double rb_summary_failures(const rb_summary *s)
{
    double t = 0;
    for (int i = 0; i < RB_FAIL__COUNT; i++)
        if (!isnan(s->failures[i]))
            t += s->failures[i];
    return t;
}

/* Broker unknown counts as none: only the broker transports have one. */
double rb_summary_cpu(const rb_summary *s)
{
    if (isnan(s->cpu_client) || isnan(s->cpu_server))
        return NAN;
    return s->cpu_client + s->cpu_server + (isnan(s->cpu_broker) ? 0 : s->cpu_broker);
}

double rb_summary_wire(const rb_summary *s)
{
    return isnan(s->wire_total) ? s->wire_client : s->wire_total;
}

/* Plain names keep a foreign results.json from injecting gnuplot commands. */
int rb_name_plain(const char *p)
{
    if (!*p || *p == '.' || *p == '-')
        return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

const rb_transport *rb_results_floor(const rb_results *r)
{
    for (size_t i = 0; i < r->ntr; i++)
        if (r->tr[i].is_floor)
            return &r->tr[i];
    return NULL;
}

const rb_value *rb_kv_get(const rb_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return &kv[i].v;
    return NULL;
}

const char *rb_value_str(const rb_value *v, const char *dflt)
{
    return v && v->kind == RB_V_STRING ? v->s : dflt;
}
