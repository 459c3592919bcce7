/* write.c - results.json's scenarios and rounds, and the writer's pieces
 * (write.h). */
#include "results/write.h"

#include <math.h>
#include <stddef.h>

#define FIELD(f) offsetof(rb_round, f)

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

/* ---- the open loop ------------------------------------------------------- */

/* The flags of a round as a JSON array of strings. */
static json_t *flags_json(const rb_round *r)
{
    json_t *a = json_array();
    if (r->rate_short)
        json_array_append_new(a, json_string("rate_short"));
    if (r->lag_grows)
        json_array_append_new(a, json_string("lag_grows"));
    return a;
}

void rb_openloop_round_json(json_t *o, const rb_round *r, int open)
{
    json_object_set_new(o, "timeline", rb_timeline_json(r->tl, r->ntl, open));
    if (!open)
        return;
    json_object_set_new(o, "rate_cps", json_pack("{s:o,s:o}", "target", rb_json_num(r->target_cps),
                                                 "achieved", rb_json_num(r->achieved_cps)));
    json_object_set_new(o, "offered", json_integer((json_int_t)r->offered));
    json_object_set_new(o, "unsent", json_integer((json_int_t)r->unsent));
    json_object_set_new(o, "service_time_us", rb_latency_json(&r->svc, r->svc.n == 0));
    json_object_set_new(o, "send_lag_us", rb_latency_json(&r->lag, r->lag.n == 0));
    json_object_set_new(o, "generator_lag_us", rb_latency_json(&r->gen_lag, r->gen_lag.n == 0));
    json_object_set_new(o, "schedule_flags", flags_json(r));
}

/* The latency object of the medians over s's rounds of the rb_latency at
 * offset off of rb_round (null figures when no round has samples). */
static json_t *latency_median_json(const rb_scenario *s, size_t off)
{
    rb_latency l = rb_round_latency_median(s, off);
    return rb_latency_json(&l, 0);
}

/* Add scenario s's "loop" and open-loop keys to its object o. */
static void openloop_scenario_json(json_t *o, const rb_scenario *s)
{
    int open = s->rate_cps > 0;
    json_object_set_new(o, "loop", json_string(open ? "open" : "closed"));
    if (!open) {
        const char *keys[] = { "arrivals", "rate_cps", "offered", "unsent", "service_time_us",
                               "send_lag_us", "generator_lag_us", "schedule_flags" };
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            json_object_set_new(o, keys[k], json_null());
        return;
    }
    uint64_t offered = 0, unsent = 0;
    rb_round any = { 0 };
    for (int i = 0; i < s->nrounds; i++)
        if (s->rounds[i].ran) {
            offered += s->rounds[i].offered;
            unsent += s->rounds[i].unsent;
            any.rate_short |= s->rounds[i].rate_short;
            any.lag_grows |= s->rounds[i].lag_grows;
        }
    json_object_set_new(o, "arrivals", s->arrivals ? json_string(s->arrivals) : json_null());
    json_object_set_new(o, "rate_cps", json_pack("{s:o,s:o}", "target", rb_json_num(s->rate_cps),
        "achieved", rb_json_num(rb_round_median(s, FIELD(achieved_cps), NULL))));
    json_object_set_new(o, "offered", json_integer((json_int_t)offered));
    json_object_set_new(o, "unsent", json_integer((json_int_t)unsent));
    json_object_set_new(o, "service_time_us", latency_median_json(s, FIELD(svc)));
    json_object_set_new(o, "send_lag_us", latency_median_json(s, FIELD(lag)));
    json_object_set_new(o, "generator_lag_us", latency_median_json(s, FIELD(gen_lag)));
    json_object_set_new(o, "schedule_flags", flags_json(&any));
}

/* ---- faults -------------------------------------------------------------- */

static json_t *classes_json(json_t *o, const uint64_t *cls, const uint64_t *fails)
{
    json_t *f = json_object();
    for (int k = 0; k < RB_FAULT_NCLASS; k++)
        json_object_set_new(o, rb_fault_class_key(k), json_integer((json_int_t)cls[k]));
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        json_object_set_new(f, rb_fail_kind_name(k), json_integer((json_int_t)fails[k]));
    json_object_set_new(o, "failed_by_kind", f);
    return o;
}

json_t *rb_fault_round_json(const rb_fault_round *fr)
{
    json_t *tl = rb_timeline_json(fr->tl, fr->ntl, 0);
    json_t *o = json_pack("{s:s,s:o,s:o,s:b,s:I,s:I,s:I,s:I,s:o,s:s?}",
        "kind", fr->kind, "at_ms", rb_json_num(fr->at_ms),
        "duration_ms", rb_json_num(fr->undone_ms - fr->at_ms), "injected", fr->injected,
        "calls", (json_int_t)fr->counts.calls, "unanswered", (json_int_t)fr->counts.unanswered,
        "answered_unexecuted", (json_int_t)fr->counts.answered_unexecuted,
        "executions", (json_int_t)fr->counts.executions, "target_cps", rb_json_num(fr->target_cps),
        "error", fr->err[0] ? fr->err : NULL);
    classes_json(o, fr->counts.cls, fr->counts.failed_by_kind);
    json_object_set_new(o, "recovery_ms", json_pack("{s:o,s:o}",
        "first_ok", rb_json_num(fr->counts.first_ok_ms), "rate_restored", rb_json_num(fr->counts.rate_restored_ms)));
    json_object_set_new(o, "timeline", tl);
    return o;
}

/* Median of the known values of v[0..n) (sorts them); NAN when none. */
static double known_median(double *v, int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(v[i]))
            v[k++] = v[i];
    return k ? rb_median(v, (size_t)k) : NAN;
}

/* A scenario's "fault" object: counts summed over its rounds, recovery
 * times the median. */
static json_t *fault_scenario_json(rb_fault_round *const *rounds, int n)
{
    uint64_t cls[RB_FAULT_NCLASS] = { 0 }, fails[RB_FAIL__COUNT] = { 0 }, calls = 0, unans = 0;
    double first[n > 0 ? n : 1], rate[n > 0 ? n : 1];
    int m = 0, injected = 0;
    const rb_fault_round *any = NULL;
    for (int i = 0; i < n; i++) {
        const rb_fault_round *r = rounds[i];
        if (!r)
            continue;
        any = r;
        injected += r->injected;
        calls += r->counts.calls;
        unans += r->counts.unanswered;
        for (int k = 0; k < RB_FAULT_NCLASS; k++)
            cls[k] += r->counts.cls[k];
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            fails[k] += r->counts.failed_by_kind[k];
        first[m] = r->counts.first_ok_ms;
        rate[m++] = r->counts.rate_restored_ms;
    }
    if (!any)
        return json_null();
    json_t *o = json_pack("{s:s,s:I,s:I,s:i,s:I,s:I}", "kind", any->kind,
        "at_ms", (json_int_t)any->asked_at_ms, "duration_ms", (json_int_t)any->asked_duration_ms,
        "injected_rounds", injected, "calls", (json_int_t)calls, "unanswered", (json_int_t)unans);
    classes_json(o, cls, fails);
    json_object_set_new(o, "recovery_ms", json_pack("{s:o,s:o}", "first_ok", rb_json_num(known_median(first, m)),
                                                    "rate_restored", rb_json_num(known_median(rate, m))));
    return o;
}

/* ---- scenarios and rounds ------------------------------------------------ */

static json_t *round_json(int i, const rb_round *r, int open)
{
    double f[RB_FAIL__COUNT];
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        f[k] = (double)r->failures[k];
    json_t *j = json_pack(
        "{s:i,s:i,s:I,s:f,s:o,s:o,s:o,s:{s:o,s:o},s:{s:o,s:o,s:o},s:o,s:I,s:I,s:s?}",
        "round", i, "position", r->position, "calls", (json_int_t)r->calls,
        "duration_s", r->duration_s, "throughput_cps", rb_json_num(r->throughput_cps),
        "latency_us", rb_latency_json(&r->lat, r->lat.n == 0), "connect_us", rb_json_num(r->connect_us),
        "wire_bytes_per_call", "client", rb_json_num(r->wire_client), "total", rb_json_num(r->wire_total),
        "cpu_us_per_call", "client", rb_json_num(r->cpu_client), "server", rb_json_num(r->cpu_server),
        "broker", rb_json_num(r->cpu_broker),
        "failures", rb_failures_json(f),
        "warmup_failures", (json_int_t)r->warmup_failures,
        "stale_replies", (json_int_t)r->stale_replies,
        "last_error", r->last_error[0] ? r->last_error : NULL);
    json_object_set_new(j, "cpu_method", rb_round_cpu_method_json(r));
    json_object_set_new(j, "cpu_ticks_us_per_call", json_pack("{s:o,s:o}",
        "server", rb_json_num(r->cpu_server_ticks), "broker", rb_json_num(r->cpu_broker_ticks)));
    json_object_set_new(j, "validity", rb_round_validity_json(r));
    json_object_set_new(j, "machine", r->has_machine
        ? rb_machine_json(&r->machine_before, &r->machine_after, &r->interference)
        : json_null());
    if (r->fault)
        json_object_set_new(j, "fault", rb_fault_round_json(r->fault));
    rb_openloop_round_json(j, r, open);
    return j;
}

json_t *rb_results_aggregation(void)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
        "threads", "every client thread's verified calls pooled into one sample set per "
                   "round; counts and bytes summed over the threads",
        "latency_us.p50,p90,p99,p99_9,mean,stddev", "median over rounds of each round's "
                   "figure (nearest rank over that round's samples); spread: lowest and "
                   "highest round",
        "latency_us.min", "smallest sample of any round",
        "latency_us.max", "largest sample of any round",
        "calls,failures,stale_replies,warmup_failures,duration_s", "sum over rounds",
        "throughput_cps", "median over rounds of verified calls per second of the "
                   "window; spread: lowest and highest round",
        "per_call", "wire_bytes_per_call, cpu_us_per_call and body_bytes: per verified "
                   "call (null when no call was verified), median over rounds",
        "ratio_to_floor", "the figure divided by the floor's of the same round, then the "
                   "median over rounds (lo, hi: lowest and highest round); the terminal, "
                   "results.csv, report.md and compare use this one",
        "connect_us", "mean over threads, median over rounds",
        "server_max_rss_kb", "peak of the server process over all its rounds",
        "validity", "flags: raised by any round",
        "cpu_method", "per round: how server and broker CPU were read, with the "
                   "resolution; a window shorter than the resolution is null");
}

json_t *rb_scenario_json(const rb_summary *s, const rb_scenario *raw)
{
    json_t *per = json_array();
    for (int i = 0; i < raw->nrounds; i++)
        if (raw->rounds[i].ran)
            json_array_append_new(per, round_json(i, &raw->rounds[i], raw->rate_cps > 0));
    struct rb_fault_round *faults[raw->nrounds > 0 ? raw->nrounds : 1];
    int nf = 0;
    for (int i = 0; i < raw->nrounds; i++)
        if (raw->rounds[i].ran && raw->rounds[i].fault)
            faults[nf++] = raw->rounds[i].fault;
    json_t *ratio = s->has_ratio ? json_pack("{s:o,s:o,s:o}", "p50", rb_ratio_json(s->r_p50),
                                             "p99", rb_ratio_json(s->r_p99),
                                             "throughput", rb_ratio_json(s->r_tput))
                                 : json_null();
    json_t *j = json_pack(
        "{s:s,s:s,s:o,s:i,s:i,s:o,s:o,s:o,s:o,s:f,s:o,s:o,s:o,"
        "s:{s:o,s:o},s:{s:o,s:o},s:{s:o,s:o,s:o},s:o,"
        "s:{s:o,s:o,s:o},s:o,s:o,s:s}",
        "transport", s->t->name, "method", s->method,
        "entries", s->entries < 0 ? json_null() : json_integer(s->entries),
        "concurrency", (int)s->concurrency, "rounds", (int)s->rounds,
        "calls", rb_json_count(s->calls), "failures", rb_failures_json(s->failures),
        "stale_replies", rb_json_count(s->stale_replies), "warmup_failures", rb_json_count(s->warmup_failures),
        "duration_s", s->duration_s, "throughput_cps", rb_json_num(s->throughput_cps),
        "latency_us", rb_latency_json(&s->lat, 0), "connect_us", rb_json_num(s->connect_us),
        "body_bytes", "request", rb_json_num(s->body_req), "reply", rb_json_num(s->body_rep),
        "wire_bytes_per_call", "client", rb_json_num(s->wire_client), "total", rb_json_num(s->wire_total),
        "cpu_us_per_call", "client", rb_json_num(s->cpu_client), "server", rb_json_num(s->cpu_server),
        "broker", rb_json_num(s->cpu_broker),
        "server_max_rss_kb", rb_json_count(s->server_max_rss_kb),
        "spread", "p50_us", rb_spread_json(s->sp_p50), "p99_us", rb_spread_json(s->sp_p99),
        "throughput_cps", rb_spread_json(s->sp_tput),
        "ratio_to_floor", ratio, "per_round", per, "hgrm", s->hgrm);
    openloop_scenario_json(j, raw);
    json_t *flags = json_array();
    for (int b = 0; b < RB_FLAG__COUNT; b++)
        if (s->flags & (1u << b))
            json_array_append_new(flags, json_string(rb_flag_name(b)));
    json_object_set_new(j, "validity", json_pack("{s:o,s:f,s:i,s:f,s:f,s:f}", "flags", flags,
        "drift_threshold", RB_VALIDITY_DRIFT, "tail_samples_min", RB_VALIDITY_TAIL_MIN,
        "ci_confidence", RB_VALIDITY_CONFIDENCE, "littles_law_gap", RB_VALIDITY_LITTLE_GAP,
        "steal_max", RB_MACHINE_STEAL_MAX));
    json_object_set_new(j, "cpu_method", json_pack("{s:s,s:o,s:o}", "client", "process-cpu-clock",
        "server", s->cpu_method_server[0] ? json_string(s->cpu_method_server) : json_null(),
        "broker", s->cpu_method_broker[0] ? json_string(s->cpu_method_broker) : json_null()));
    if (nf)
        json_object_set_new(j, "fault", fault_scenario_json(faults, nf));
    return j;
}

