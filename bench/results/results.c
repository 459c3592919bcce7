/* results.c - a run's scenarios summarised (rb_summarise) and written:
 * results.json, results.csv (csv.c) and hgrm/<scenario>.hgrm. read.c reads
 * results.json back into the same model. */
#include "results/results.h"
#include "fault/fault_run.h"
#include "results/json_out.h"
#include "results/openloop.h"

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

/* Whether any round of s was measured (an interrupted run writes only those). */
static int ran_any(const rb_scenario *s)
{
    for (int i = 0; i < s->nrounds; i++)
        if (s->rounds[i].ran)
            return 1;
    return 0;
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
        o->flags |= rb_round_flags(r);
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
    o->throughput_cps = rb_round_median(s, FIELD(throughput_cps), &o->sp_tput);
    o->lat.min = round_extreme(s, FIELD(lat.min), 0);
    o->lat.p50 = rb_round_median(s, FIELD(lat.p50), &o->sp_p50);
    o->lat.p90 = rb_round_median(s, FIELD(lat.p90), NULL);
    o->lat.p99 = rb_round_median(s, FIELD(lat.p99), &o->sp_p99);
    o->lat.p99_9 = rb_round_median(s, FIELD(lat.p99_9), NULL);
    o->lat.max = round_extreme(s, FIELD(lat.max), 1);
    o->lat.mean = rb_round_median(s, FIELD(lat.mean), NULL);
    o->lat.stddev = rb_round_median(s, FIELD(lat.stddev), NULL);
    o->connect_us = rb_round_median(s, FIELD(connect_us), NULL);
    o->body_req = rb_round_median(s, FIELD(req_body), NULL);
    o->body_rep = rb_round_median(s, FIELD(rep_body), NULL);
    o->wire_client = rb_round_median(s, FIELD(wire_client), NULL);
    o->wire_total = rb_round_median(s, FIELD(wire_total), NULL);
    o->cpu_client = rb_round_median(s, FIELD(cpu_client), NULL);
    o->cpu_server = rb_round_median(s, FIELD(cpu_server), NULL);
    o->cpu_broker = rb_round_median(s, FIELD(cpu_broker), NULL);
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

/* ---- results.json -------------------------------------------------------- */

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
    rb_openloop_scenario_json(j, raw);
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
    json_object_set_new(root, "schema", json_integer(RB_RESULTS_SCHEMA));
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
    if (rb_csv_write(path, sc, sum, n)) {
        fprintf(stderr, "rpcbench: cannot write %s\n", path);
        return RB_EIO;
    }
    return RB_OK;
}

