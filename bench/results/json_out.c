/* json_out.c - the shared pieces of results.json (json_out.h). */
#include "results/json_out.h"

#include <math.h>

json_t *rb_json_num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

json_t *rb_json_count(double x)
{
    return isnan(x) ? json_null() : json_integer((json_int_t)x);
}

json_t *rb_latency_json(const rb_latency *l, int none)
{
    if (none)
        return json_pack("{s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:n}", "min", "p50", "p90", "p99",
                         "p99_9", "max", "mean", "stddev");
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "min", rb_json_num(l->min),
                     "p50", rb_json_num(l->p50), "p90", rb_json_num(l->p90),
                     "p99", rb_json_num(l->p99), "p99_9", rb_json_num(l->p99_9),
                     "max", rb_json_num(l->max), "mean", rb_json_num(l->mean),
                     "stddev", rb_json_num(l->stddev));
}

json_t *rb_spread_json(rb_spread s)
{
    return json_pack("[o,o]", rb_json_num(s.lo), rb_json_num(s.hi));
}

json_t *rb_ratio_json(rb_ratio q)
{
    if (isnan(q.median))
        return json_null();
    return json_pack("{s:o,s:o,s:o}", "median", rb_json_num(q.median), "lo", rb_json_num(q.lo),
                     "hi", rb_json_num(q.hi));
}

json_t *rb_failures_json(const double *f)
{
    json_t *j = json_object();
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        json_object_set_new(j, rb_fail_kind_name(k), rb_json_count(f[k]));
    return j;
}

static json_t *tail_json(const rb_tail *t)
{
    return json_pack("{s:f,s:o,s:I,s:[o,o],s:f,s:b}", "percentile", t->percentile,
                     "value_us", rb_json_num(t->value_us), "samples_behind", (json_int_t)t->behind,
                     "ci_us", rb_json_num(t->ci_lo_us), rb_json_num(t->ci_hi_us),
                     "confidence", t->confidence, "flagged", t->flagged);
}

json_t *rb_round_validity_json(const rb_round *r)
{
    const rb_stationarity *st = &r->stationarity;
    json_t *flags = json_array();
    unsigned f = rb_round_flags(r);
    for (int b = 0; b < RB_FLAG__COUNT; b++)
        if (f & (1u << b))
            json_array_append_new(flags, json_string(rb_flag_name(b)));
    return json_pack(
        "{s:o,s:{s:[o,o],s:[o,o],s:[I,I],s:o,s:o,s:f,s:b},"
        "s:{s:o,s:o,s:o},s:{s:o,s:o,s:f,s:b}}",
        "flags", flags,
        "stationarity", "p50_us", rb_json_num(st->p50_us[0]), rb_json_num(st->p50_us[1]),
        "throughput_cps", rb_json_num(st->throughput_cps[0]), rb_json_num(st->throughput_cps[1]),
        "samples", (json_int_t)st->n[0], (json_int_t)st->n[1],
        "p50_drift", rb_json_num(st->p50_drift),
        "throughput_drift", rb_json_num(st->throughput_drift),
        "threshold", st->threshold, "flagged", st->flagged,
        "tail", "p50", tail_json(&r->tail[0]), "p99", tail_json(&r->tail[1]),
        "p99_9", tail_json(&r->tail[2]),
        "littles_law", "in_flight", rb_json_num(r->little.in_flight),
        "gap", rb_json_num(r->little.gap), "threshold", r->little.threshold,
        "flagged", r->little.flagged);
}

/* How a round's server or broker CPU was measured; null when it was not. */
static json_t *cpu_method_json(rb_cpu_method m, uint64_t res)
{
    if (m >= RB_CPU__COUNT)
        return json_null();
    return json_pack("{s:s,s:I,s:b}", "method", rb_cpu_method_name(m),
                     "resolution_ns", (json_int_t)res,
                     "counts_exited_threads", rb_cpu_method_counts_exited(m));
}

json_t *rb_round_cpu_method_json(const rb_round *r)
{
    return json_pack("{s:{s:s,s:i,s:b},s:o,s:o}",
        "client", "method", "process-cpu-clock", "resolution_ns", 1, "counts_exited_threads", 1,
        "server", cpu_method_json(r->cpu_method_server, r->cpu_res_server),
        "broker", cpu_method_json(r->cpu_method_broker, r->cpu_res_broker));
}

static json_t *str_or_null(const char *s)
{
    return s[0] ? json_string(s) : json_null();
}

static json_t *state_json(const rb_machine *m)
{
    return json_pack("{s:o,s:o,s:[o,o,o],s:o}",
                     "cpuidle_driver", str_or_null(m->cpuidle_driver),
                     "governor", str_or_null(m->governor),
                     "loadavg", rb_json_num(m->loadavg[0]), rb_json_num(m->loadavg[1]),
                     rb_json_num(m->loadavg[2]),
                     "procs_running", m->procs_running >= 0 ? json_integer(m->procs_running)
                                                           : json_null());
}

json_t *rb_machine_json(const rb_machine *before, const rb_machine *after,
                        const rb_interference *in)
{
    json_t *flags = json_array();
    if (in->steal_flag)
        json_array_append_new(flags, json_string("steal"));
    if (in->others_flag)
        json_array_append_new(flags, json_string("others"));
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:f,s:f,s:o,s:b}",
                     "before", state_json(before), "after", state_json(after),
                     "steal_fraction", rb_json_num(in->steal_fraction),
                     "loadavg_1m", rb_json_num(in->loadavg_1m),
                     "own_cpu_us", rb_json_num(in->own_cpu_ns / 1000.0),
                     "others_fraction", rb_json_num(in->others_fraction),
                     "steal_max", RB_MACHINE_STEAL_MAX, "others_max", RB_MACHINE_OTHERS_MAX,
                     "flags", flags, "interference", in->flagged);
}

json_t *rb_timeline_json(const rb_tl_point *p, size_t n, int open_loop)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *o = json_object();
        if (!o || json_array_append_new(arr, o)) {
            json_decref(arr);
            return NULL;
        }
        json_object_set_new(o, "t_ms", json_real(p[i].t_ms));
        json_object_set_new(o, "calls", json_integer((json_int_t)p[i].calls));
        json_object_set_new(o, "failures", json_integer((json_int_t)p[i].failures));
        json_object_set_new(o, "p50_us", rb_json_num(p[i].p50_us));
        json_object_set_new(o, "p99_us", rb_json_num(p[i].p99_us));
        json_object_set_new(o, "max_us", rb_json_num(p[i].max_us));
        if (open_loop) {
            json_object_set_new(o, "offered", json_integer((json_int_t)p[i].offered));
            json_object_set_new(o, "send_lag_mean_us", rb_json_num(p[i].lag_mean_us));
            json_object_set_new(o, "send_lag_max_us", rb_json_num(p[i].lag_max_us));
        }
    }
    return arr;
}
