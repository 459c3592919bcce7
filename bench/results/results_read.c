/* results_read.c - results.json (schema 1) into rb_results.
 *
 * Null figures become NAN; names are checked before they reach file names,
 * gnuplot scripts or markdown; each transport's descriptor comes from the
 * run's environment.transports, else from this build's table (descriptor.h).
 */
#include "results/results.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/descriptor.h"
#include "rb_error.h"

static double jnum(const json_t *obj, const char *key)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The string at key into buf[0..cap), cut to fit; "" when absent or not a
 * string. */
static void jstr(const json_t *obj, const char *key, char *buf, size_t cap)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    snprintf(buf, cap, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static void jspread(const json_t *obj, const char *key, rb_spread *s)
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

static void jratio(const json_t *obj, const char *key, rb_ratio *r)
{
    const json_t *o = obj ? json_object_get(obj, key) : NULL;
    r->median = jnum(o, "median");
    r->lo = jnum(o, "lo");
    r->hi = jnum(o, "hi");
}

static void jlat(const json_t *o, rb_latency *l)
{
    l->min = jnum(o, "min");
    l->p50 = jnum(o, "p50");
    l->p90 = jnum(o, "p90");
    l->p99 = jnum(o, "p99");
    l->p99_9 = jnum(o, "p99_9");
    l->max = jnum(o, "max");
    l->mean = jnum(o, "mean");
    l->stddev = jnum(o, "stddev");
    l->n = 0;
}

/* Wire bytes per call of one round or scenario: total, else client. */
static double wire_of(const json_t *w)
{
    double t = jnum(w, "total");
    return isnan(t) ? jnum(w, "client") : t;
}

/* Names go into file names, the gnuplot script and markdown: letters,
 * digits, '.', '_', '-' only, so a foreign results.json cannot inject
 * gnuplot commands. */
static int name_ok(const char *p)
{
    if (!*p || *p == '.' || *p == '-')
        return 0;
    for (; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

/* The validity flags and CPU methods of a scenario (absent in older files:
 * no flags, methods unknown). */
static void load_validity(const json_t *js, rb_summary *s)
{
    const json_t *fl = json_object_get(json_object_get(js, "validity"), "flags");
    const json_t *cm = json_object_get(js, "cpu_method"), *v;
    size_t i;
    s->flags = 0;
    json_array_foreach(fl, i, v)
        for (int b = 0; b < RB_FLAG__COUNT; b++)
            if (json_is_string(v) && strcmp(json_string_value(v), rb_flag_name(b)) == 0)
                s->flags |= 1u << b;
    jstr(cm, "server", s->cpu_method_server, sizeof s->cpu_method_server);
    jstr(cm, "broker", s->cpu_method_broker, sizeof s->cpu_method_broker);
}

/* The scenario's figures, as rb_results_write wrote them. */
static void load_figures(const json_t *js, rb_summary *s)
{
    const json_t *f = json_object_get(js, "failures"), *b = json_object_get(js, "body_bytes");
    const json_t *w = json_object_get(js, "wire_bytes_per_call");
    const json_t *c = json_object_get(js, "cpu_us_per_call"), *sp = json_object_get(js, "spread");
    const json_t *ra = json_object_get(js, "ratio_to_tcp");

    s->calls = jnum(js, "calls");
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        s->failures[k] = jnum(f, rb_fail_kind_name(k));
    s->stale_replies = jnum(js, "stale_replies");
    s->warmup_failures = jnum(js, "warmup_failures");
    s->duration_s = jnum(js, "duration_s");
    s->throughput_cps = jnum(js, "throughput_cps");
    jlat(json_object_get(js, "latency_us"), &s->lat);
    s->connect_us = jnum(js, "connect_us");
    s->body_req = jnum(b, "request");
    s->body_rep = jnum(b, "reply");
    s->wire_client = jnum(w, "client");
    s->wire_total = jnum(w, "total");
    s->cpu_client = jnum(c, "client");
    s->cpu_server = jnum(c, "server");
    s->cpu_broker = jnum(c, "broker");
    s->server_max_rss_kb = jnum(js, "server_max_rss_kb");
    jspread(sp, "p50_us", &s->sp_p50);
    jspread(sp, "p99_us", &s->sp_p99);
    jspread(sp, "throughput_cps", &s->sp_tput);
    s->has_ratio = json_is_object(ra);
    load_validity(js, s);
    jratio(ra, "p50", &s->r_p50);
    jratio(ra, "p99", &s->r_p99);
    jratio(ra, "throughput", &s->r_tput);
}

/* What only the rounds hold: the wire spread and the first failure. */
static void load_rounds(const json_t *pr, rb_summary *s)
{
    size_t i;
    json_t *round;

    s->sp_wire.lo = s->sp_wire.hi = NAN;
    s->last_error[0] = '\0';
    json_array_foreach(pr, i, round) {
        const json_t *le = json_object_get(round, "last_error");
        double v = wire_of(json_object_get(round, "wire_bytes_per_call"));
        if (json_is_string(le) && !s->last_error[0])
            snprintf(s->last_error, sizeof s->last_error, "%s", json_string_value(le));
        if (isnan(v))
            continue;
        if (isnan(s->sp_wire.lo) || v < s->sp_wire.lo)
            s->sp_wire.lo = v;
        if (isnan(s->sp_wire.hi) || v > s->sp_wire.hi)
            s->sp_wire.hi = v;
    }
}

/* One scenario into *s; *tname gets its transport name (borrowed from js).
 * Returns 0 or RB_EPROTO (no valid names, concurrency < 1). */
static int load_scenario(const json_t *js, rb_summary *s, const char **tname)
{
    const json_t *t = json_object_get(js, "transport");
    const json_t *m = json_object_get(js, "method");
    const json_t *e = json_object_get(js, "entries"), *h = json_object_get(js, "hgrm");
    double conc = jnum(js, "concurrency"), rounds = jnum(js, "rounds");

    if (!json_is_string(t) || !json_is_string(m) || isnan(conc) || conc < 1)
        return RB_EPROTO;
    if (json_string_length(t) >= 64 || json_string_length(m) >= sizeof s->method)
        return RB_EPROTO;
    *tname = json_string_value(t);
    strcpy(s->method, json_string_value(m));
    if (!name_ok(*tname) || !name_ok(s->method))
        return RB_EPROTO;
    s->entries = json_is_number(e) ? (long)json_number_value(e) : -1;
    s->concurrency = (long)conc;
    s->rounds = isnan(rounds) || rounds < 1 ? 1 : (long)rounds;
    load_figures(js, s);
    load_rounds(json_object_get(js, "per_round"), s);
    s->hgrm[0] = '\0';
    if (json_is_string(h) && json_string_length(h) < sizeof s->hgrm)
        strcpy(s->hgrm, json_string_value(h));
    return 0;
}

/* The descriptor of transport `name` in out->tr, added (from
 * environment.transports `known`, else this build's tables) when new. */
static const rb_transport *descriptor_for(rb_results *out, const json_t *known, const char *name)
{
    for (size_t k = 0; k < out->ntr; k++)
        if (strcmp(out->tr[k].name, name) == 0)
            return &out->tr[k];
    rb_desc_lookup(name, json_object_get(known, name), &out->tr[out->ntr]);
    return &out->tr[out->ntr++];
}

/* Every scenario of the array sc, with its transport's descriptor. */
static int load_scenarios(const char *file, const json_t *root, const json_t *sc, rb_results *out)
{
    const json_t *known = json_object_get(json_object_get(root, "environment"), "transports");

    out->n = json_array_size(sc);
    out->sc = calloc(out->n ? out->n : 1, sizeof *out->sc);
    out->tr = calloc(out->n ? out->n : 1, sizeof *out->tr); /* at most one per scenario */
    if (!out->sc || !out->tr)
        return RB_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        const char *tname;
        const json_t *js = json_array_get(sc, i);
        /* Open-loop scenarios are read by report_load.c from the document:
         * their latency counts from the intended send time, and they would
         * otherwise share the closed-loop tables' keys. */
        if (json_is_string(json_object_get(js, "loop")) &&
            strcmp(json_string_value(json_object_get(js, "loop")), "open") == 0)
            continue;
        if (load_scenario(js, &out->sc[k], &tname) != 0) {
            fprintf(stderr, "rpcbench: %s: scenario %zu lacks a transport or method name "
                    "([A-Za-z0-9._-]) or a concurrency >= 1\n", file, i);
            return RB_EPROTO;
        }
        out->sc[k++].t = descriptor_for(out, known, tname);
    }
    out->n = k;
    return 0;
}

const rb_transport *rb_results_floor(const rb_results *r)
{
    for (size_t i = 0; i < r->ntr; i++)
        if (r->tr[i].is_floor)
            return &r->tr[i];
    return NULL;
}

int rb_results_dir(const char *path, char *buf, size_t cap)
{
    struct stat st;
    const char *slash;
    size_t len;

    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        len = strlen(path);
    } else {
        slash = strrchr(path, '/');
        if (!slash) {
            path = ".";
            len = 1;
        } else {
            len = slash == path ? 1 : (size_t)(slash - path);
        }
    }
    if (len + 1 > cap)
        return RB_ETOOBIG;
    memcpy(buf, path, len);
    buf[len] = '\0';
    return 0;
}

int rb_results_load(const char *path, rb_results *out)
{
    char file[4096];
    struct stat st;
    json_error_t jerr;
    json_t *root = NULL, *sc, *schema;
    int rc = RB_EPROTO;

    memset(out, 0, sizeof *out);
    int dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    if (snprintf(file, sizeof file, "%s%s", path, dir ? "/results.json" : "") >= (int)sizeof file) {
        fprintf(stderr, "rpcbench: path too long: %s\n", path);
        return RB_EINVAL;
    }
    if (access(file, R_OK) != 0) {
        fprintf(stderr, "rpcbench: cannot read %s: %s\n", file, strerror(errno));
        return RB_EIO;
    }
    root = json_load_file(file, 0, &jerr);
    if (!root) {
        fprintf(stderr, "rpcbench: %s:%d: %s\n", file, jerr.line, jerr.text);
        goto fail;
    }
    schema = json_object_get(root, "schema");
    if (!json_is_integer(schema) || json_integer_value(schema) != 1) {
        fprintf(stderr, "rpcbench: %s: not a results.json of schema 1\n", file);
        goto fail;
    }
    sc = json_object_get(root, "scenarios");
    if (!json_is_array(sc)) {
        fprintf(stderr, "rpcbench: %s: no \"scenarios\" array\n", file);
        goto fail;
    }
    rc = load_scenarios(file, root, sc, out);
    if (rc != 0)
        goto fail;
    out->root = root;
    out->complete = !json_is_false(json_object_get(root, "complete"));
    return 0;
fail:
    free(out->tr);
    free(out->sc);
    memset(out, 0, sizeof *out);
    json_decref(root);
    return rc;
}

void rb_results_free(rb_results *r)
{
    if (!r)
        return;
    free(r->sc);
    free(r->tr);
    json_decref((json_t *)r->root);
    memset(r, 0, sizeof *r);
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
    for (int i = 0; i < 5; i++)
        if (!isnan(s->failures[i]))
            t += s->failures[i];
    return t;
}

/* Sum of client, server and broker CPU per call; NAN when client or server
 * is unknown (broker unknown counts as none: only AMQP has one). */
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
