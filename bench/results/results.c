/* results.c - a run's scenarios summarised (rb_summarise) and its folder
 * written: results.json (its scenarios: write.c; the rest:
 * write_sections.c), results.csv (csv.c) and hgrm/<scenario>.hgrm. read.c
 * reads results.json back into the same model. */
#include "results/results.h"
#include "results/write.h"
#include "results/write_sections.h"

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

/* results.json's document (new reference), the hgrm files written on
 * the way; NULL on an error (message on stderr). */
static json_t *results_doc(const char *dir, const rb_results_out *o)
{
    json_t *root = json_object();
    json_object_set_new(root, "schema", json_integer(RB_RESULTS_SCHEMA));
    json_object_set_new(root, "complete", json_boolean(o->complete));
    json_object_set_new(root, "aggregation", rb_results_aggregation());
    json_object_set_new(root, "environment", rb_env_json(o->env, o->params));
    if (o->has_codecs)
        json_object_set_new(root, "codecs", rb_codecs_json(o->codecs, o->ncodecs));
    if (o->nslo)
        json_object_set_new(root, "slo", rb_slo_list_json(o->slo, o->nslo));
    json_t *arr = json_array();
    json_object_set_new(root, "scenarios", arr);
    for (size_t i = 0; i < o->n; i++) {
        if (!ran_any(&o->sc[i]))
            continue;
        json_array_append_new(arr, rb_scenario_json(&o->sum[i], &o->sc[i]));
        if (write_hgrm(dir, &o->sc[i], &o->sum[i])) {
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

int rb_results_write(const char *dir, const rb_results_out *o)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/hgrm", dir);
    if (mkdir(path, 0755) && errno != EEXIST) {
        fprintf(stderr, "rpcbench: cannot create %s: %s\n", path, strerror(errno));
        return RB_EIO;
    }
    json_t *root = results_doc(dir, o);
    if (!root)
        return RB_EIO;
    snprintf(path, sizeof path, "%s/results.json", dir);
    int rc = json_dump_file(root, path, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc) {
        fprintf(stderr, "rpcbench: cannot write %s\n", path);
        return RB_EIO;
    }
    snprintf(path, sizeof path, "%s/results.csv", dir);
    if (rb_csv_write(path, o->sc, o->sum, o->n)) {
        fprintf(stderr, "rpcbench: cannot write %s\n", path);
        return RB_EIO;
    }
    return RB_OK;
}

int rb_codecs_write(const char *path, const rb_codec_rec *c, size_t n)
{
    json_t *doc = json_pack("{s:o}", "codecs", rb_codecs_json(c, n));
    if (!doc || json_dump_file(doc, path, JSON_INDENT(1)) != 0) {
        json_decref(doc);
        fprintf(stderr, "rpcbench: cannot write %s\n", path);
        return RB_EIO;
    }
    json_decref(doc);
    return RB_OK;
}
