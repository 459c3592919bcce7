#include "results.h"

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

double rb_round_median(const rb_scenario *s, size_t off, double *lo, double *hi)
{
    double v[s->nrounds > 0 ? s->nrounds : 1];
    size_t n = 0;
    for (int i = 0; i < s->nrounds; i++) {
        const rb_round *r = &s->rounds[i];
        if (!r->ran)
            continue;
        /* Latency figures of a round without samples are not figures. */
        if (off >= FIELD(lat) && off < FIELD(lat) + sizeof(rb_latency) && r->lat.n == 0)
            continue;
        double x = round_field(r, off);
        if (!isnan(x))
            v[n++] = x;
    }
    if (n == 0) {
        if (lo) *lo = NAN;
        if (hi) *hi = NAN;
        return NAN;
    }
    double m = rb_median(v, n); /* sorts v */
    if (lo) *lo = v[0];
    if (hi) *hi = v[n - 1];
    return m;
}

static json_t *num(double x)
{
    return isnan(x) || isinf(x) ? json_null() : json_real(x);
}

static json_t *latency_json(const rb_latency *l)
{
    if (l->n == 0)
        return json_pack("{s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:n}", "min", "p50", "p90", "p99",
                         "p99_9", "max", "mean", "stddev");
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "min", num(l->min), "p50", num(l->p50),
                     "p90", num(l->p90), "p99", num(l->p99), "p99_9", num(l->p99_9),
                     "max", num(l->max), "mean", num(l->mean), "stddev", num(l->stddev));
}

static json_t *failures_json(const uint64_t *f)
{
    json_t *j = json_object();
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        json_object_set_new(j, rb_fail_kind_name(k), json_integer((json_int_t)f[k]));
    return j;
}

static json_t *pair(double lo, double hi)
{
    return json_pack("[o,o]", num(lo), num(hi));
}

/* The same method/entries/concurrency on the floor transport, or NULL. */
static const rb_scenario *floor_twin(const rb_scenario *all, size_t n, const rb_scenario *s)
{
    for (size_t i = 0; i < n; i++)
        if (all[i].t->is_floor && all[i].method == s->method &&
            all[i].entries == s->entries && all[i].concurrency == s->concurrency)
            return &all[i];
    return NULL;
}

/* Ratio s/tcp per round (both measured), summarised as median, lo, hi. */
static json_t *ratio_json(const rb_scenario *s, const rb_scenario *tcp, size_t off)
{
    double v[s->nrounds > 0 ? s->nrounds : 1];
    size_t n = 0;
    for (int i = 0; i < s->nrounds && i < tcp->nrounds; i++) {
        const rb_round *a = &s->rounds[i], *b = &tcp->rounds[i];
        if (!a->ran || !b->ran || a->lat.n == 0 || b->lat.n == 0)
            continue;
        double x = round_field(a, off), y = round_field(b, off);
        if (!isnan(x) && !isnan(y) && y > 0)
            v[n++] = x / y;
    }
    if (n == 0)
        return json_null();
    double m = rb_median(v, n);
    return json_pack("{s:o,s:o,s:o}", "median", num(m), "lo", num(v[0]), "hi", num(v[n - 1]));
}

static void hgrm_name(const rb_scenario *s, char *buf, size_t len)
{
    snprintf(buf, len, "hgrm/%s-%s-e%ld-c%d.hgrm", s->t->name, rb_method_name(s->method),
             s->entries < 0 ? 0 : s->entries, s->concurrency);
}

static json_t *scenario_json(rb_scenario *s, const rb_scenario *all, size_t n)
{
    uint64_t calls = 0, fails[RB_FAIL__COUNT] = { 0 }, stale = 0, warm = 0;
    double dur = 0;
    json_t *per = json_array();
    for (int i = 0; i < s->nrounds; i++) {
        const rb_round *r = &s->rounds[i];
        if (!r->ran)
            continue;
        calls += r->calls;
        stale += r->stale_replies;
        warm += r->warmup_failures;
        dur += r->duration_s;
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            fails[k] += r->failures[k];
        json_array_append_new(per, json_pack(
            "{s:i,s:i,s:I,s:f,s:o,s:o,s:o,s:{s:o,s:o},s:{s:o,s:o,s:o},s:o,s:I,s:I,s:s?}",
            "round", i, "position", r->position, "calls", (json_int_t)r->calls,
            "duration_s", r->duration_s, "throughput_cps", num(r->throughput_cps),
            "latency_us", latency_json(&r->lat), "connect_us", num(r->connect_us),
            "wire_bytes_per_call", "client", num(r->wire_client), "total", num(r->wire_total),
            "cpu_us_per_call", "client", num(r->cpu_client), "server", num(r->cpu_server),
            "broker", num(r->cpu_broker),
            "failures", failures_json(r->failures),
            "warmup_failures", (json_int_t)r->warmup_failures,
            "stale_replies", (json_int_t)r->stale_replies,
            "last_error", r->last_error[0] ? r->last_error : NULL));
    }
    double tlo, thi, p50lo, p50hi, p99lo, p99hi;
    double tput = rb_round_median(s, FIELD(throughput_cps), &tlo, &thi);
    rb_round_median(s, FIELD(lat.p50), &p50lo, &p50hi);
    rb_round_median(s, FIELD(lat.p99), &p99lo, &p99hi);
    json_t *lat = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
        "min", num(rb_round_median(s, FIELD(lat.min), NULL, NULL)),
        "p50", num(rb_round_median(s, FIELD(lat.p50), NULL, NULL)),
        "p90", num(rb_round_median(s, FIELD(lat.p90), NULL, NULL)),
        "p99", num(rb_round_median(s, FIELD(lat.p99), NULL, NULL)),
        "p99_9", num(rb_round_median(s, FIELD(lat.p99_9), NULL, NULL)),
        "max", num(rb_round_median(s, FIELD(lat.max), NULL, NULL)),
        "mean", num(rb_round_median(s, FIELD(lat.mean), NULL, NULL)),
        "stddev", num(rb_round_median(s, FIELD(lat.stddev), NULL, NULL)));
    const rb_scenario *tcp = s->t->is_floor ? NULL : floor_twin(all, n, s);
    json_t *ratio = tcp ? json_pack("{s:o,s:o,s:o}",
        "p50", ratio_json(s, tcp, FIELD(lat.p50)), "p99", ratio_json(s, tcp, FIELD(lat.p99)),
        "throughput", ratio_json(s, tcp, FIELD(throughput_cps))) : json_null();
    char hg[256];
    hgrm_name(s, hg, sizeof hg);
    return json_pack(
        "{s:s,s:s,s:o,s:i,s:i,s:I,s:o,s:I,s:I,s:f,s:o,s:o,s:o,"
        "s:{s:o,s:o},s:{s:o,s:o},s:{s:o,s:o,s:o},s:o,"
        "s:{s:o,s:o,s:o},s:o,s:o,s:s}",
        "transport", s->t->name, "method", rb_method_name(s->method),
        "entries", s->entries < 0 ? json_null() : json_integer(s->entries),
        "concurrency", s->concurrency, "rounds", s->nrounds,
        "calls", (json_int_t)calls, "failures", failures_json(fails),
        "stale_replies", (json_int_t)stale, "warmup_failures", (json_int_t)warm,
        "duration_s", dur, "throughput_cps", num(tput), "latency_us", lat,
        "connect_us", num(rb_round_median(s, FIELD(connect_us), NULL, NULL)),
        "body_bytes", "request", num(rb_round_median(s, FIELD(req_body), NULL, NULL)),
        "reply", num(rb_round_median(s, FIELD(rep_body), NULL, NULL)),
        "wire_bytes_per_call", "client", num(rb_round_median(s, FIELD(wire_client), NULL, NULL)),
        "total", num(rb_round_median(s, FIELD(wire_total), NULL, NULL)),
        "cpu_us_per_call", "client", num(rb_round_median(s, FIELD(cpu_client), NULL, NULL)),
        "server", num(rb_round_median(s, FIELD(cpu_server), NULL, NULL)),
        "broker", num(rb_round_median(s, FIELD(cpu_broker), NULL, NULL)),
        "server_max_rss_kb", s->server_max_rss_kb < 0 ? json_null() : json_integer(s->server_max_rss_kb),
        "spread", "p50_us", pair(p50lo, p50hi), "p99_us", pair(p99lo, p99hi),
        "throughput_cps", pair(tlo, thi),
        "ratio_to_tcp", ratio, "per_round", per, "hgrm", hg);
}

static void csv_num(FILE *f, double x)
{
    if (isnan(x))
        fputs(",", f);
    else
        fprintf(f, ",%.3f", x);
}

static int write_csv(const char *path, const rb_scenario *sc, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return RB_EIO;
    fputs("transport,method,entries,concurrency,rounds,calls,failures_connect,failures_timeout,"
          "failures_protocol,failures_server_error,failures_wrong_reply,throughput_cps,"
          "p50_us,p90_us,p99_us,p99_9_us,max_us,mean_us,connect_us,body_request_bytes,"
          "body_reply_bytes,wire_client_bytes_per_call,wire_total_bytes_per_call,"
          "cpu_client_us_per_call,cpu_server_us_per_call,cpu_broker_us_per_call,"
          "server_max_rss_kb\n", f);
    for (size_t i = 0; i < n; i++) {
        const rb_scenario *s = &sc[i];
        uint64_t calls = 0, fails[RB_FAIL__COUNT] = { 0 };
        for (int r = 0; r < s->nrounds; r++) {
            calls += s->rounds[r].calls;
            for (int k = 0; k < RB_FAIL__COUNT; k++)
                fails[k] += s->rounds[r].failures[k];
        }
        fprintf(f, "%s,%s,", s->t->name, rb_method_name(s->method));
        if (s->entries >= 0)
            fprintf(f, "%ld", s->entries);
        fprintf(f, ",%d,%d,%llu", s->concurrency, s->nrounds, (unsigned long long)calls);
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            fprintf(f, ",%llu", (unsigned long long)fails[k]);
        static const size_t offs[] = {
            FIELD(throughput_cps), FIELD(lat.p50), FIELD(lat.p90), FIELD(lat.p99),
            FIELD(lat.p99_9), FIELD(lat.max), FIELD(lat.mean), FIELD(connect_us),
            FIELD(req_body), FIELD(rep_body), FIELD(wire_client), FIELD(wire_total),
            FIELD(cpu_client), FIELD(cpu_server), FIELD(cpu_broker),
        };
        for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++)
            csv_num(f, rb_round_median(s, offs[k], NULL, NULL));
        if (s->server_max_rss_kb >= 0)
            fprintf(f, ",%ld\n", s->server_max_rss_kb);
        else
            fputs(",\n", f);
    }
    return fclose(f) ? RB_EIO : RB_OK;
}

int rb_results_write(const char *dir, json_t *env, rb_scenario *sc, size_t n)
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
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, scenario_json(&sc[i], sc, n));
        char hg[256];
        hgrm_name(&sc[i], hg, sizeof hg);
        snprintf(path, sizeof path, "%s/%s", dir, hg);
        FILE *f = fopen(path, "w");
        rb_latency tmp;
        rb_stats_compute(&sc[i].all, &tmp); /* sorts */
        if (!f || rb_stats_write_hgrm(f, sc[i].all.ns, sc[i].all.n) || fclose(f)) {
            fprintf(stderr, "rpcbench: cannot write %s\n", path);
            json_decref(root);
            return RB_EIO;
        }
    }
    json_object_set_new(root, "scenarios", arr);
    snprintf(path, sizeof path, "%s/results.json", dir);
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc) {
        fprintf(stderr, "rpcbench: cannot write %s\n", path);
        return RB_EIO;
    }
    snprintf(path, sizeof path, "%s/results.csv", dir);
    if (write_csv(path, sc, n)) {
        fprintf(stderr, "rpcbench: cannot write %s\n", path);
        return RB_EIO;
    }
    return RB_OK;
}

static void cell(FILE *f, int width, const char *fmt, double x)
{
    if (isnan(x))
        fprintf(f, " %*s", width, "-");
    else
        fprintf(f, " %*.*f", width, fmt[0] == '0' ? 0 : fmt[0] == '1' ? 1 : 2, x);
}

void rb_results_print_table(FILE *f, const rb_scenario *sc, size_t n)
{
    fprintf(f, "%-13s %-7s %7s %4s %9s %6s %9s %9s %9s %9s %11s %9s %9s %8s %8s %8s\n",
            "transport", "method", "entries", "conc", "calls", "fails", "p50_us", "p99_us",
            "p99.9_us", "calls/s", "body_B", "wire_B", "p50/tcp", "cpu_cli", "cpu_srv", "cpu_brk");
    for (size_t i = 0; i < n; i++) {
        const rb_scenario *s = &sc[i];
        uint64_t calls = 0, fails = 0;
        for (int r = 0; r < s->nrounds; r++) {
            calls += s->rounds[r].calls;
            for (int k = 0; k < RB_FAIL__COUNT; k++)
                fails += s->rounds[r].failures[k];
        }
        char ent[24] = "-", body[48];
        if (s->entries >= 0)
            snprintf(ent, sizeof ent, "%ld", s->entries);
        snprintf(body, sizeof body, "%.0f/%.0f", rb_round_median(s, FIELD(req_body), NULL, NULL),
                 rb_round_median(s, FIELD(rep_body), NULL, NULL));
        fprintf(f, "%-13s %-7s %7s %4d %9llu %6llu", s->t->name, rb_method_name(s->method), ent,
                s->concurrency, (unsigned long long)calls, (unsigned long long)fails);
        cell(f, 9, "1", rb_round_median(s, FIELD(lat.p50), NULL, NULL));
        cell(f, 9, "1", rb_round_median(s, FIELD(lat.p99), NULL, NULL));
        cell(f, 9, "1", rb_round_median(s, FIELD(lat.p99_9), NULL, NULL));
        cell(f, 9, "0", rb_round_median(s, FIELD(throughput_cps), NULL, NULL));
        fprintf(f, " %11s", body);
        cell(f, 9, "0", rb_round_median(s, FIELD(wire_total), NULL, NULL));
        const rb_scenario *tcp = floor_twin(sc, n, s);
        double ratio = NAN;
        if (tcp) {
            double a = rb_round_median(s, FIELD(lat.p50), NULL, NULL);
            double b = rb_round_median(tcp, FIELD(lat.p50), NULL, NULL);
            ratio = b > 0 ? a / b : NAN;
        }
        cell(f, 9, "2", ratio);
        cell(f, 8, "1", rb_round_median(s, FIELD(cpu_client), NULL, NULL));
        cell(f, 8, "1", rb_round_median(s, FIELD(cpu_server), NULL, NULL));
        cell(f, 8, "1", rb_round_median(s, FIELD(cpu_broker), NULL, NULL));
        fputc('\n', f);
    }
}
