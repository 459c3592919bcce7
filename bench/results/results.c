/* results.c - a run's scenarios summarised (rb_summarise) and written:
 * results.json (schema 1), results.csv, hgrm/<scenario>.hgrm, and the
 * comparison table. results_read.c reads results.json back into the same
 * rb_summary. */
#include "results/results.h"
#include "fault/fault_run.h"
#include "results/results_load.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FIELD(f) offsetof(rb_round, f)

static double round_field(const rb_round *r, size_t off)
{
    return *(const double *)((const char *)r + off);
}

/* Median over the rounds that ran of a per-round figure (NAN skipped;
 * latency figures of a round without samples skipped); NAN when none.
 * sp (may be NULL) gets the lowest and highest round. */
static double round_median(const rb_scenario *s, size_t off, rb_spread *sp)
{
    double v[s->nrounds > 0 ? s->nrounds : 1];
    size_t n = 0;
    for (int i = 0; i < s->nrounds; i++) {
        const rb_round *r = &s->rounds[i];
        if (!r->ran)
            continue;
        if (off >= FIELD(lat) && off < FIELD(lat) + sizeof(rb_latency) && r->lat.n == 0)
            continue;
        double x = round_field(r, off);
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

/* Smallest (want_max 0) or largest sample of any round that has samples:
 * the min and max of every call the scenario made, not a median of the
 * rounds' extremes (which no call need have had). NAN when none. */
static double round_extreme(const rb_scenario *s, size_t off, int want_max)
{
    double best = NAN;
    for (int i = 0; i < s->nrounds; i++) {
        const rb_round *r = &s->rounds[i];
        double x = r->ran && r->lat.n ? round_field(r, off) : NAN;
        if (!isnan(x) && (isnan(best) || (want_max ? x > best : x < best)))
            best = x;
    }
    return best;
}

const char *rb_flag_name(int bit_index)
{
    static const char *const names[RB_FLAG__COUNT] = { "drift", "tail_p99", "tail_p99_9",
                                                       "littles_law", "machine" };
    return bit_index >= 0 && bit_index < RB_FLAG__COUNT ? names[bit_index] : "?";
}

/* The validity flags a round raises (RB_FLAG_*). */
static unsigned round_flags(const rb_round *r)
{
    return (r->stationarity.flagged ? RB_FLAG_DRIFT : 0) |
           (r->tail[1].flagged ? RB_FLAG_TAIL_P99 : 0) |
           (r->tail[2].flagged ? RB_FLAG_TAIL_P999 : 0) |
           (r->little.flagged ? RB_FLAG_LITTLE : 0) |
           (r->has_machine && r->interference.flagged ? RB_FLAG_MACHINE : 0);
}

/* Whether any round of s was measured (an interrupted run writes only those). */
static int ran_any(const rb_scenario *s)
{
    for (int i = 0; i < s->nrounds; i++)
        if (s->rounds[i].ran)
            return 1;
    return 0;
}

double rb_round_median(const rb_scenario *s, size_t off, rb_spread *sp)
{
    return round_median(s, off, sp);
}

/* The same method/entries/concurrency on the floor transport, or NULL. */
static const rb_scenario *floor_twin(const rb_scenario *all, size_t n, const rb_scenario *s)
{
    for (size_t i = 0; i < n; i++)
        if (all[i].t->is_floor && all[i].method == s->method &&
            all[i].entries == s->entries && all[i].concurrency == s->concurrency &&
            all[i].rate_cps == s->rate_cps)
            return &all[i];
    return NULL;
}

/* Ratio s/floor per round (both measured), summarised as median, lo, hi. */
static rb_ratio ratio_of(const rb_scenario *s, const rb_scenario *fl, size_t off)
{
    double v[s->nrounds > 0 ? s->nrounds : 1];
    size_t n = 0;
    rb_ratio q = { NAN, NAN, NAN };
    for (int i = 0; i < s->nrounds && i < fl->nrounds; i++) {
        const rb_round *a = &s->rounds[i], *b = &fl->rounds[i];
        if (!a->ran || !b->ran || a->lat.n == 0 || b->lat.n == 0)
            continue;
        double x = round_field(a, off), y = round_field(b, off);
        if (!isnan(x) && !isnan(y) && y > 0)
            v[n++] = x / y;
    }
    if (n == 0)
        return q;
    q.median = rb_median(v, n);
    q.lo = v[0];
    q.hi = v[n - 1];
    return q;
}

/* Sums over the rounds that ran, the wire spread and the first failure. */
static void sum_rounds(const rb_scenario *s, rb_summary *o)
{
    for (int i = 0; i < s->nrounds; i++) {
        const rb_round *r = &s->rounds[i];
        if (!r->ran)
            continue;
        o->calls += (double)r->calls;
        o->stale_replies += (double)r->stale_replies;
        o->warmup_failures += (double)r->warmup_failures;
        o->duration_s += r->duration_s;
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            o->failures[k] += (double)r->failures[k];
        double w = isnan(r->wire_total) ? r->wire_client : r->wire_total;
        if (!isnan(w) && (isnan(o->sp_wire.lo) || w < o->sp_wire.lo))
            o->sp_wire.lo = w;
        if (!isnan(w) && (isnan(o->sp_wire.hi) || w > o->sp_wire.hi))
            o->sp_wire.hi = w;
        if (r->last_error[0] && !o->last_error[0])
            snprintf(o->last_error, sizeof o->last_error, "%s", r->last_error);
        o->flags |= round_flags(r);
        if (!o->cpu_method_server[0] && r->cpu_method_server < RB_CPU__COUNT)
            snprintf(o->cpu_method_server, sizeof o->cpu_method_server, "%s",
                     rb_cpu_method_name(r->cpu_method_server));
        if (!o->cpu_method_broker[0] && r->cpu_method_broker < RB_CPU__COUNT)
            snprintf(o->cpu_method_broker, sizeof o->cpu_method_broker, "%s",
                     rb_cpu_method_name(r->cpu_method_broker));
    }
}

static void summarise_one(const rb_scenario *s, const rb_scenario *all, size_t n, rb_summary *o)
{
    memset(o, 0, sizeof *o);
    o->t = s->t;
    snprintf(o->method, sizeof o->method, "%s", rb_method_name(s->method));
    o->entries = s->entries;
    o->concurrency = s->concurrency;
    o->rounds = 0;   /* the rounds that ran */
    for (int i = 0; i < s->nrounds; i++)
        o->rounds += s->rounds[i].ran;
    o->sp_wire.lo = o->sp_wire.hi = NAN;
    sum_rounds(s, o);
    o->throughput_cps = round_median(s, FIELD(throughput_cps), &o->sp_tput);
    o->lat.min = round_extreme(s, FIELD(lat.min), 0);
    o->lat.p50 = round_median(s, FIELD(lat.p50), &o->sp_p50);
    o->lat.p90 = round_median(s, FIELD(lat.p90), NULL);
    o->lat.p99 = round_median(s, FIELD(lat.p99), &o->sp_p99);
    o->lat.p99_9 = round_median(s, FIELD(lat.p99_9), NULL);
    o->lat.max = round_extreme(s, FIELD(lat.max), 1);
    o->lat.mean = round_median(s, FIELD(lat.mean), NULL);
    o->lat.stddev = round_median(s, FIELD(lat.stddev), NULL);
    o->connect_us = round_median(s, FIELD(connect_us), NULL);
    o->body_req = round_median(s, FIELD(req_body), NULL);
    o->body_rep = round_median(s, FIELD(rep_body), NULL);
    o->wire_client = round_median(s, FIELD(wire_client), NULL);
    o->wire_total = round_median(s, FIELD(wire_total), NULL);
    o->cpu_client = round_median(s, FIELD(cpu_client), NULL);
    o->cpu_server = round_median(s, FIELD(cpu_server), NULL);
    o->cpu_broker = round_median(s, FIELD(cpu_broker), NULL);
    o->server_max_rss_kb = s->server_max_rss_kb < 0 ? NAN : (double)s->server_max_rss_kb;
    const rb_scenario *fl = s->t->is_floor ? NULL : floor_twin(all, n, s);
    o->has_ratio = fl != NULL;
    o->r_p50 = o->r_p99 = o->r_tput = (rb_ratio){ NAN, NAN, NAN };
    if (fl) {
        o->r_p50 = ratio_of(s, fl, FIELD(lat.p50));
        o->r_p99 = ratio_of(s, fl, FIELD(lat.p99));
        o->r_tput = ratio_of(s, fl, FIELD(throughput_cps));
    }
    char rate[32] = "";
    if (s->rate_cps > 0)
        snprintf(rate, sizeof rate, "-r%.0f", s->rate_cps);
    snprintf(o->hgrm, sizeof o->hgrm, "hgrm/%s-%s-e%ld-c%d%s.hgrm", s->t->name,
             rb_method_name(s->method), s->entries < 0 ? 0 : s->entries, s->concurrency, rate);
}

void rb_summarise(const rb_scenario *sc, size_t n, rb_summary *out)
{
    for (size_t i = 0; i < n; i++)
        summarise_one(&sc[i], sc, n, &out[i]);
}

/* ---- results.json -------------------------------------------------------- */

static json_t *num(double x)
{
    return isnan(x) || isinf(x) ? json_null() : json_real(x);
}

static json_t *count(double x)
{
    return isnan(x) ? json_null() : json_integer((json_int_t)x);
}

static json_t *latency_json(const rb_latency *l, int none)
{
    if (none)
        return json_pack("{s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:n}", "min", "p50", "p90", "p99",
                         "p99_9", "max", "mean", "stddev");
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "min", num(l->min), "p50", num(l->p50),
                     "p90", num(l->p90), "p99", num(l->p99), "p99_9", num(l->p99_9),
                     "max", num(l->max), "mean", num(l->mean), "stddev", num(l->stddev));
}

json_t *rb_latency_json(const rb_latency *l, int none)
{
    return latency_json(l, none);
}

static json_t *failures_json(const double *f)
{
    json_t *j = json_object();
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        json_object_set_new(j, rb_fail_kind_name(k), count(f[k]));
    return j;
}

static json_t *pair(rb_spread s)
{
    return json_pack("[o,o]", num(s.lo), num(s.hi));
}

static json_t *ratio_json(rb_ratio q)
{
    if (isnan(q.median))
        return json_null();
    return json_pack("{s:o,s:o,s:o}", "median", num(q.median), "lo", num(q.lo), "hi", num(q.hi));
}

static json_t *tail_json(const rb_tail *t)
{
    return json_pack("{s:f,s:o,s:I,s:[o,o],s:f,s:b}", "percentile", t->percentile,
                     "value_us", num(t->value_us), "samples_behind", (json_int_t)t->behind,
                     "ci_us", num(t->ci_lo_us), num(t->ci_hi_us), "confidence", t->confidence,
                     "flagged", t->flagged);
}

/* The validity checks of one round (validity.h). */
static json_t *round_validity_json(const rb_round *r)
{
    const rb_stationarity *st = &r->stationarity;
    json_t *flags = json_array();
    unsigned f = round_flags(r);
    for (int b = 0; b < RB_FLAG__COUNT; b++)
        if (f & (1u << b))
            json_array_append_new(flags, json_string(rb_flag_name(b)));
    return json_pack(
        "{s:o,s:{s:[o,o],s:[o,o],s:[I,I],s:o,s:o,s:f,s:b},"
        "s:{s:o,s:o,s:o},s:{s:o,s:o,s:f,s:b}}",
        "flags", flags,
        "stationarity", "p50_us", num(st->p50_us[0]), num(st->p50_us[1]),
        "throughput_cps", num(st->throughput_cps[0]), num(st->throughput_cps[1]),
        "samples", (json_int_t)st->n[0], (json_int_t)st->n[1],
        "p50_drift", num(st->p50_drift), "throughput_drift", num(st->throughput_drift),
        "threshold", st->threshold, "flagged", st->flagged,
        "tail", "p50", tail_json(&r->tail[0]), "p99", tail_json(&r->tail[1]),
        "p99_9", tail_json(&r->tail[2]),
        "littles_law", "in_flight", num(r->little.in_flight), "gap", num(r->little.gap),
        "threshold", r->little.threshold, "flagged", r->little.flagged);
}

/* How a round's CPU figures were measured. */
static json_t *cpu_method_json(rb_cpu_method m, uint64_t res)
{
    if (m >= RB_CPU__COUNT)
        return json_null();
    return json_pack("{s:s,s:I,s:b}", "method", rb_cpu_method_name(m),
                     "resolution_ns", (json_int_t)res,
                     "counts_exited_threads", rb_cpu_method_counts_exited(m));
}

static json_t *round_json(int i, const rb_round *r, int open)
{
    double f[RB_FAIL__COUNT];
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        f[k] = (double)r->failures[k];
    json_t *j = json_pack(
        "{s:i,s:i,s:I,s:f,s:o,s:o,s:o,s:{s:o,s:o},s:{s:o,s:o,s:o},s:o,s:I,s:I,s:s?}",
        "round", i, "position", r->position, "calls", (json_int_t)r->calls,
        "duration_s", r->duration_s, "throughput_cps", num(r->throughput_cps),
        "latency_us", latency_json(&r->lat, r->lat.n == 0), "connect_us", num(r->connect_us),
        "wire_bytes_per_call", "client", num(r->wire_client), "total", num(r->wire_total),
        "cpu_us_per_call", "client", num(r->cpu_client), "server", num(r->cpu_server),
        "broker", num(r->cpu_broker),
        "failures", failures_json(f),
        "warmup_failures", (json_int_t)r->warmup_failures,
        "stale_replies", (json_int_t)r->stale_replies,
        "last_error", r->last_error[0] ? r->last_error : NULL);
    json_object_set_new(j, "cpu_method", json_pack("{s:{s:s,s:i,s:b},s:o,s:o}",
        "client", "method", "process-cpu-clock", "resolution_ns", 1, "counts_exited_threads", 1,
        "server", cpu_method_json(r->cpu_method_server, r->cpu_res_server),
        "broker", cpu_method_json(r->cpu_method_broker, r->cpu_res_broker)));
    json_object_set_new(j, "cpu_ticks_us_per_call", json_pack("{s:o,s:o}",
        "server", num(r->cpu_server_ticks), "broker", num(r->cpu_broker_ticks)));
    json_object_set_new(j, "validity", round_validity_json(r));
    json_object_set_new(j, "machine", r->has_machine
        ? rb_machine_json(&r->machine_before, &r->machine_after, &r->interference)
        : json_null());
    if (r->fault)
        json_object_set_new(j, "fault", rb_fault_round_json(r->fault));
    rb_load_round_json(j, r, open);
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
        "ratio_to_tcp", "the figure divided by the floor's of the same round, then the "
                   "median over rounds (lo, hi: lowest and highest round); the terminal, "
                   "results.csv, report.md and compare use this one",
        "connect_us", "mean over threads, median over rounds",
        "server_max_rss_kb", "peak of the server process over all its rounds",
        "validity", "flags: raised by any round",
        "cpu_method", "per round: how server and broker CPU were read, with the "
                   "resolution; a window shorter than the resolution is null");
}

/* One scenario of results.json: its summary, then its rounds. */
static json_t *scenario_json(const rb_summary *s, const rb_scenario *raw)
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
    json_t *ratio = s->has_ratio ? json_pack("{s:o,s:o,s:o}", "p50", ratio_json(s->r_p50),
                                             "p99", ratio_json(s->r_p99),
                                             "throughput", ratio_json(s->r_tput))
                                 : json_null();
    json_t *j = json_pack(
        "{s:s,s:s,s:o,s:i,s:i,s:o,s:o,s:o,s:o,s:f,s:o,s:o,s:o,"
        "s:{s:o,s:o},s:{s:o,s:o},s:{s:o,s:o,s:o},s:o,"
        "s:{s:o,s:o,s:o},s:o,s:o,s:s}",
        "transport", s->t->name, "method", s->method,
        "entries", s->entries < 0 ? json_null() : json_integer(s->entries),
        "concurrency", (int)s->concurrency, "rounds", (int)s->rounds,
        "calls", count(s->calls), "failures", failures_json(s->failures),
        "stale_replies", count(s->stale_replies), "warmup_failures", count(s->warmup_failures),
        "duration_s", s->duration_s, "throughput_cps", num(s->throughput_cps),
        "latency_us", latency_json(&s->lat, 0), "connect_us", num(s->connect_us),
        "body_bytes", "request", num(s->body_req), "reply", num(s->body_rep),
        "wire_bytes_per_call", "client", num(s->wire_client), "total", num(s->wire_total),
        "cpu_us_per_call", "client", num(s->cpu_client), "server", num(s->cpu_server),
        "broker", num(s->cpu_broker),
        "server_max_rss_kb", count(s->server_max_rss_kb),
        "spread", "p50_us", pair(s->sp_p50), "p99_us", pair(s->sp_p99),
        "throughput_cps", pair(s->sp_tput),
        "ratio_to_tcp", ratio, "per_round", per, "hgrm", s->hgrm);
    rb_load_scenario_json(j, raw);
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
        json_object_set_new(j, "fault", rb_fault_scenario_json(faults, nf));
    return j;
}

/* ---- results.csv --------------------------------------------------------- */

static void csv_num(FILE *f, double x)
{
    if (isnan(x))
        fputs(",", f);
    else
        fprintf(f, ",%.3f", x);
}

static void csv_count(FILE *f, double x)
{
    if (isnan(x))
        fputs(",", f);
    else
        fprintf(f, ",%.0f", x);
}

/* A ratio to the floor as results.json has it; the floor itself is 1. */
static double csv_ratio(const rb_summary *s, double r)
{
    return s->t->is_floor ? 1.0 : r;
}

/* results.csv: one row per scenario, the figures of results.json's
 * summaries. Integer columns hold whole numbers only (entries is 0 for fib,
 * which carries none), so they load as integers. */
static int write_csv(const char *path, const rb_scenario *sc, const rb_summary *sum, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return RB_EIO;
    fputs("transport,method,entries,concurrency,rounds,calls,failures_connect,failures_timeout,"
          "failures_protocol,failures_server_error,failures_wrong_reply,stale_replies,"
          "warmup_failures,throughput_cps,throughput_cps_lo,throughput_cps_hi,"
          "min_us,p50_us,p50_us_lo,p50_us_hi,p90_us,p99_us,p99_us_lo,p99_us_hi,p99_9_us,max_us,"
          "mean_us,connect_us,body_request_bytes,body_reply_bytes,wire_client_bytes_per_call,"
          "wire_total_bytes_per_call,wire_bytes_per_call_lo,wire_bytes_per_call_hi,"
          "cpu_client_us_per_call,cpu_server_us_per_call,cpu_broker_us_per_call,"
          "ratio_to_tcp_p50,ratio_to_tcp_p99,ratio_to_tcp_throughput,validity_flags,"
          "server_max_rss_kb,rate_cps\n", f);
    for (size_t i = 0; i < n; i++) {
        const rb_summary *s = &sum[i];
        if (!ran_any(&sc[i]))
            continue;
        fprintf(f, "%s,%s,%ld,%ld,%ld", s->t->name, s->method, s->entries < 0 ? 0 : s->entries,
                s->concurrency, s->rounds);
        csv_count(f, s->calls);
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            csv_count(f, s->failures[k]);
        csv_count(f, s->stale_replies);
        csv_count(f, s->warmup_failures);
        const double v[] = {
            s->throughput_cps, s->sp_tput.lo, s->sp_tput.hi, s->lat.min, s->lat.p50,
            s->sp_p50.lo, s->sp_p50.hi, s->lat.p90, s->lat.p99, s->sp_p99.lo, s->sp_p99.hi,
            s->lat.p99_9, s->lat.max, s->lat.mean, s->connect_us, s->body_req, s->body_rep,
            s->wire_client, s->wire_total, s->sp_wire.lo, s->sp_wire.hi, s->cpu_client,
            s->cpu_server, s->cpu_broker, csv_ratio(s, s->r_p50.median),
            csv_ratio(s, s->r_p99.median), csv_ratio(s, s->r_tput.median),
        };
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            csv_num(f, v[k]);
        fputc(',', f);
        for (int b = 0, first = 1; b < RB_FLAG__COUNT; b++)
            if (s->flags & (1u << b)) {
                fprintf(f, "%s%s", first ? "" : " ", rb_flag_name(b));
                first = 0;
            }
        csv_count(f, s->server_max_rss_kb);
        /* open loop: the offered rate (its latency counts from the intended send) */
        if (sc[i].rate_cps > 0)
            fprintf(f, ",%.3f", sc[i].rate_cps);
        else
            fputc(',', f);
        fputc('\n', f);
    }
    return fclose(f) ? RB_EIO : RB_OK;
}

/* ---- the folder ---------------------------------------------------------- */

static int write_hgrm(const char *dir, rb_scenario *s, const rb_summary *sum)
{
    char path[4096];
    rb_latency tmp;
    snprintf(path, sizeof path, "%s/%s", dir, sum->hgrm);
    FILE *f = fopen(path, "w");
    rb_stats_compute(&s->all, &tmp); /* sorts */
    if (!f || rb_stats_write_hgrm(f, s->all.ns, s->all.n) || fclose(f)) {
        fprintf(stderr, "rpcbench: cannot write %s\n", path);
        return RB_EIO;
    }
    return RB_OK;
}

int rb_results_write(const char *dir, json_t *env, rb_scenario *sc, const rb_summary *sum,
                     size_t n, int complete, json_t *extra)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/hgrm", dir);
    if (mkdir(path, 0755) && errno != EEXIST) {
        fprintf(stderr, "rpcbench: cannot create %s: %s\n", path, strerror(errno));
        return RB_EIO;
    }
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_integer(1));
    json_object_set_new(root, "complete", json_boolean(complete));
    json_object_set_new(root, "aggregation", rb_results_aggregation());
    json_object_set(root, "environment", env);
    if (json_is_object(extra))
        json_object_update(root, extra);
    json_t *arr = json_array();
    json_object_set_new(root, "scenarios", arr);
    for (size_t i = 0; i < n; i++) {
        if (!ran_any(&sc[i]))
            continue;
        json_array_append_new(arr, scenario_json(&sum[i], &sc[i]));
        if (write_hgrm(dir, &sc[i], &sum[i])) {
            json_decref(root);
            return RB_EIO;
        }
    }
    snprintf(path, sizeof path, "%s/results.json", dir);
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc) {
        fprintf(stderr, "rpcbench: cannot write %s\n", path);
        return RB_EIO;
    }
    snprintf(path, sizeof path, "%s/results.csv", dir);
    if (write_csv(path, sc, sum, n)) {
        fprintf(stderr, "rpcbench: cannot write %s\n", path);
        return RB_EIO;
    }
    return RB_OK;
}

/* ---- the table ----------------------------------------------------------- */

static void cell(FILE *f, int width, int decimals, double x)
{
    if (isnan(x))
        fprintf(f, " %*s", width, "-");
    else
        fprintf(f, " %*.*f", width, decimals, x);
}

void rb_results_print_table(FILE *f, const rb_summary *sum, size_t n)
{
    int client_only = 0;
    fprintf(f, "%-13s %-7s %7s %4s %9s %6s %9s %9s %9s %9s %11s %9s %9s %8s %8s %8s\n",
            "transport", "method", "entries", "conc", "calls(all)", "fails", "p50_us", "p99_us",
            "p99.9_us", "calls/s", "body_B", "wire_B", "p50/floor", "cpu_cli", "cpu_srv", "cpu_brk");
    for (size_t i = 0; i < n; i++) {
        const rb_summary *s = &sum[i];
        char ent[24] = "-", body[48], wire[32] = "-";
        if (s->rounds < 1)
            continue;   /* no round ran (an interrupted run) */
        if (s->entries >= 0)
            snprintf(ent, sizeof ent, "%ld", s->entries);
        snprintf(body, sizeof body, "%.0f/%.0f", s->body_req, s->body_rep);
        /* Both hops when known; the client hop alone is marked '*'. */
        if (!isnan(s->wire_total))
            snprintf(wire, sizeof wire, "%.0f", s->wire_total);
        else if (!isnan(s->wire_client) && (client_only = 1))
            snprintf(wire, sizeof wire, "%.0f*", s->wire_client);
        fprintf(f, "%-13s %-7s %7s %4ld %9.0f %6.0f", s->t->name, s->method, ent,
                s->concurrency, s->calls, rb_summary_failures(s));
        cell(f, 9, 1, s->lat.p50);
        cell(f, 9, 1, s->lat.p99);
        cell(f, 9, 1, s->lat.p99_9);
        cell(f, 9, 0, s->throughput_cps);
        fprintf(f, " %11s %9s", body, wire);
        /* ratio to the floor: the median of per-round ratios (results.json's
         * ratio_to_tcp.p50), the one definition everywhere */
        cell(f, 9, 2, s->t->is_floor ? 1.0 : s->r_p50.median);
        cell(f, 8, 1, s->cpu_client);
        cell(f, 8, 1, s->cpu_server);
        cell(f, 8, 1, s->cpu_broker);
        fputc('\n', f);
    }
    fprintf(f, "calls(all): verified calls summed over rounds; latency, calls/s and per-call "
               "figures: median over rounds; p50/floor: median of per-round ratios%s\n",
            client_only ? "; * client hop only (the broker-to-server hop of a server "
                          "not started by this run is not measured)" : "");
}
