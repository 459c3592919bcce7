/* results.c - a run's scenarios summarised (rb_summarise) and written:
 * results.json (schema 1), results.csv, hgrm/<scenario>.hgrm, and the
 * comparison table. results_read.c reads results.json back into the same
 * rb_summary. */
#include "results.h"
#include "results_load.h"

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
    }
}

static void summarise_one(const rb_scenario *s, const rb_scenario *all, size_t n, rb_summary *o)
{
    memset(o, 0, sizeof *o);
    o->t = s->t;
    snprintf(o->method, sizeof o->method, "%s", rb_method_name(s->method));
    o->entries = s->entries;
    o->concurrency = s->concurrency;
    o->rounds = s->nrounds;
    o->sp_wire.lo = o->sp_wire.hi = NAN;
    sum_rounds(s, o);
    o->throughput_cps = round_median(s, FIELD(throughput_cps), &o->sp_tput);
    o->lat.min = round_median(s, FIELD(lat.min), NULL);
    o->lat.p50 = round_median(s, FIELD(lat.p50), &o->sp_p50);
    o->lat.p90 = round_median(s, FIELD(lat.p90), NULL);
    o->lat.p99 = round_median(s, FIELD(lat.p99), &o->sp_p99);
    o->lat.p99_9 = round_median(s, FIELD(lat.p99_9), NULL);
    o->lat.max = round_median(s, FIELD(lat.max), NULL);
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

static json_t *round_json(int i, const rb_round *r, int open)
{
    double f[RB_FAIL__COUNT];
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        f[k] = (double)r->failures[k];
    json_t *o = json_pack(
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
    rb_load_round_json(o, r, open);
    return o;
}

/* One scenario of results.json: its summary, then its rounds. */
static json_t *scenario_json(const rb_summary *s, const rb_scenario *raw)
{
    json_t *per = json_array();
    for (int i = 0; i < raw->nrounds; i++)
        if (raw->rounds[i].ran)
            json_array_append_new(per, round_json(i, &raw->rounds[i], raw->rate_cps > 0));
    json_t *ratio = s->has_ratio ? json_pack("{s:o,s:o,s:o}", "p50", ratio_json(s->r_p50),
                                             "p99", ratio_json(s->r_p99),
                                             "throughput", ratio_json(s->r_tput))
                                 : json_null();
    json_t *o = json_pack(
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
    rb_load_scenario_json(o, raw);
    return o;
}

/* ---- results.csv --------------------------------------------------------- */

static void csv_num(FILE *f, double x)
{
    if (isnan(x))
        fputs(",", f);
    else
        fprintf(f, ",%.3f", x);
}

static int write_csv(const char *path, const rb_scenario *sc, const rb_summary *sum, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return RB_EIO;
    fputs("transport,method,entries,concurrency,rounds,calls,failures_connect,failures_timeout,"
          "failures_protocol,failures_server_error,failures_wrong_reply,throughput_cps,"
          "p50_us,p90_us,p99_us,p99_9_us,max_us,mean_us,connect_us,body_request_bytes,"
          "body_reply_bytes,wire_client_bytes_per_call,wire_total_bytes_per_call,"
          "cpu_client_us_per_call,cpu_server_us_per_call,cpu_broker_us_per_call,"
          "server_max_rss_kb,rate_cps\n", f);
    for (size_t i = 0; i < n; i++) {
        const rb_summary *s = &sum[i];
        fprintf(f, "%s,%s,", s->t->name, s->method);
        if (s->entries >= 0)
            fprintf(f, "%ld", s->entries);
        fprintf(f, ",%ld,%ld,%.0f", s->concurrency, s->rounds, s->calls);
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            fprintf(f, ",%.0f", s->failures[k]);
        const double v[] = {
            s->throughput_cps, s->lat.p50, s->lat.p90, s->lat.p99, s->lat.p99_9, s->lat.max,
            s->lat.mean, s->connect_us, s->body_req, s->body_rep, s->wire_client,
            s->wire_total, s->cpu_client, s->cpu_server, s->cpu_broker,
        };
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            csv_num(f, v[k]);
        if (!isnan(s->server_max_rss_kb))
            fprintf(f, ",%.0f", s->server_max_rss_kb);
        else
            fputs(",", f);
        /* open loop: the offered rate (its latency counts from the intended send) */
        if (sc[i].rate_cps > 0)
            fprintf(f, ",%.3f\n", sc[i].rate_cps);
        else
            fputs(",\n", f);
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
                     size_t n)
{
    return rb_results_write_slo(dir, env, sc, sum, n, NULL);
}

int rb_results_write_slo(const char *dir, json_t *env, rb_scenario *sc, const rb_summary *sum,
                         size_t n, json_t *slo)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/hgrm", dir);
    if (mkdir(path, 0755) && errno != EEXIST) {
        fprintf(stderr, "rpcbench: cannot create %s: %s\n", path, strerror(errno));
        return RB_EIO;
    }
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_integer(1));
    json_object_set(root, "environment", env);
    json_t *arr = json_array();
    json_object_set_new(root, "scenarios", arr);
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, scenario_json(&sum[i], &sc[i]));
        if (write_hgrm(dir, &sc[i], &sum[i])) {
            json_decref(root);
            return RB_EIO;
        }
    }
    if (slo)
        json_object_set(root, "slo", slo);
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

/* The floor's summary of the same method, entries and concurrency, or NULL. */
static const rb_summary *floor_of(const rb_summary *sum, size_t n, const rb_summary *s)
{
    for (size_t i = 0; i < n; i++)
        if (sum[i].t->is_floor && strcmp(sum[i].method, s->method) == 0 &&
            sum[i].entries == s->entries && sum[i].concurrency == s->concurrency)
            return &sum[i];
    return NULL;
}

void rb_results_print_table(FILE *f, const rb_summary *sum, size_t n)
{
    fprintf(f, "%-13s %-7s %7s %4s %9s %6s %9s %9s %9s %9s %11s %9s %9s %8s %8s %8s\n",
            "transport", "method", "entries", "conc", "calls", "fails", "p50_us", "p99_us",
            "p99.9_us", "calls/s", "body_B", "wire_B", "p50/floor", "cpu_cli", "cpu_srv", "cpu_brk");
    for (size_t i = 0; i < n; i++) {
        const rb_summary *s = &sum[i], *fl = floor_of(sum, n, s);
        char ent[24] = "-", body[48];
        if (s->entries >= 0)
            snprintf(ent, sizeof ent, "%ld", s->entries);
        snprintf(body, sizeof body, "%.0f/%.0f", s->body_req, s->body_rep);
        fprintf(f, "%-13s %-7s %7s %4ld %9.0f %6.0f", s->t->name, s->method, ent,
                s->concurrency, s->calls, rb_summary_failures(s));
        cell(f, 9, 1, s->lat.p50);
        cell(f, 9, 1, s->lat.p99);
        cell(f, 9, 1, s->lat.p99_9);
        cell(f, 9, 0, s->throughput_cps);
        fprintf(f, " %11s", body);
        cell(f, 9, 0, s->wire_total);
        cell(f, 9, 2, fl && fl->lat.p50 > 0 ? s->lat.p50 / fl->lat.p50 : NAN);
        cell(f, 8, 1, s->cpu_client);
        cell(f, 8, 1, s->cpu_server);
        cell(f, 8, 1, s->cpu_broker);
        fputc('\n', f);
    }
}
