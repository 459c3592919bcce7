/* read.c - results.json into rb_results (read.h): the document, the
 * scenarios and their summaries; the rounds and the other sections are
 * read by read_sections.c. */
#include "results/read.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results/descriptor.h"
#include "results/json_in.h"
#include "results/read_sections.h"

/* The validity flags and CPU methods of a scenario (absent in older files:
 * no flags, methods unknown). */
static void read_validity(const json_t *js, rb_summary *s)
{
    const json_t *fl = json_object_get(json_object_get(js, "validity"), "flags");
    const json_t *cm = json_object_get(js, "cpu_method"), *v;
    size_t i;
    s->flags = 0;
    json_array_foreach(fl, i, v)
        for (int b = 0; b < RB_FLAG__COUNT; b++)
            if (json_is_string(v) && strcmp(json_string_value(v), rb_flag_name(b)) == 0)
                s->flags |= 1u << b;
    rb_jstr_copy(cm, "server", s->cpu_method_server, sizeof s->cpu_method_server);
    rb_jstr_copy(cm, "broker", s->cpu_method_broker, sizeof s->cpu_method_broker);
}

/* The scenario's figures, as rb_results_write wrote them. The ratio to the
 * floor is "ratio_to_tcp" in schema 1, "ratio_to_floor" from schema 2. */
static void read_figures(const json_t *js, int schema, rb_summary *s)
{
    const json_t *f = json_object_get(js, "failures"), *b = json_object_get(js, "body_bytes");
    const json_t *w = json_object_get(js, "wire_bytes_per_call");
    const json_t *c = json_object_get(js, "cpu_us_per_call"), *sp = json_object_get(js, "spread");
    const json_t *ra = json_object_get(js, schema == 1 ? "ratio_to_tcp" : "ratio_to_floor");

    s->calls = rb_jnum(js, "calls");
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        s->failures[k] = rb_jnum(f, rb_fail_kind_name(k));
    s->stale_replies = rb_jnum(js, "stale_replies");
    s->warmup_failures = rb_jnum(js, "warmup_failures");
    s->duration_s = rb_jnum(js, "duration_s");
    s->throughput_cps = rb_jnum(js, "throughput_cps");
    rb_jlat(json_object_get(js, "latency_us"), &s->lat);
    s->lat.n = 0;
    s->connect_us = rb_jnum(js, "connect_us");
    s->body_req = rb_jnum(b, "request");
    s->body_rep = rb_jnum(b, "reply");
    s->wire_client = rb_jnum(w, "client");
    s->wire_total = rb_jnum(w, "total");
    s->cpu_client = rb_jnum(c, "client");
    s->cpu_server = rb_jnum(c, "server");
    s->cpu_broker = rb_jnum(c, "broker");
    s->server_max_rss_kb = rb_jnum(js, "server_max_rss_kb");
    rb_jspread(sp, "p50_us", &s->sp_p50);
    rb_jspread(sp, "p99_us", &s->sp_p99);
    rb_jspread(sp, "throughput_cps", &s->sp_tput);
    s->has_ratio = json_is_object(ra);
    read_validity(js, s);
    rb_jratio(ra, "p50", &s->r_p50);
    rb_jratio(ra, "p99", &s->r_p99);
    rb_jratio(ra, "throughput", &s->r_tput);
}

/* The rounds of js into rec, and what only they hold of the summary: the
 * wire spread and the first failure. */
static int read_rounds(rb_results *r, const json_t *js, rb_scen_rec *rec)
{
    const json_t *per = json_object_get(js, "per_round"), *o;
    rb_summary *s = &rec->sum;
    size_t i;

    rec->nrounds = json_array_size(per);
    if (!(rec->rounds = rb_results_alloc(r, rec->nrounds, sizeof *rec->rounds)))
        return RB_ENOMEM;
    s->sp_wire.lo = s->sp_wire.hi = NAN;
    s->last_error[0] = '\0';
    json_array_foreach(per, i, o) {
        const rb_round *rd = &rec->rounds[i];
        if (rb_read_round(r, o, &rec->rounds[i]) != RB_OK)
            return RB_ENOMEM;
        if (rd->last_error[0] && !s->last_error[0])
            snprintf(s->last_error, sizeof s->last_error, "%s", rd->last_error);
        double v = isnan(rd->wire_total) ? rd->wire_client : rd->wire_total;
        if (isnan(v))
            continue;
        if (isnan(s->sp_wire.lo) || v < s->sp_wire.lo)
            s->sp_wire.lo = v;
        if (isnan(s->sp_wire.hi) || v > s->sp_wire.hi)
            s->sp_wire.hi = v;
    }
    return RB_OK;
}

/* An open-loop scenario's own keys (write.h lists them). */
static void read_open(const json_t *js, rb_scen_rec *rec)
{
    const json_t *fl = json_object_get(js, "schedule_flags"), *f;
    size_t i;
    rec->open = strcmp(rb_jstr(js, "loop", ""), "open") == 0;
    rb_jstr_copy(js, "arrivals", rec->arrivals, sizeof rec->arrivals);
    rec->target_cps = rb_jnum(json_object_get(js, "rate_cps"), "target");
    rec->achieved_cps = rb_jnum(json_object_get(js, "rate_cps"), "achieved");
    rb_jlat(json_object_get(js, "service_time_us"), &rec->svc);
    rb_jlat(json_object_get(js, "send_lag_us"), &rec->lag);
    rb_jlat(json_object_get(js, "generator_lag_us"), &rec->gen_lag);
    json_array_foreach(fl, i, f)
        if (rec->nflags < sizeof rec->schedule_flags / sizeof rec->schedule_flags[0])
            rec->schedule_flags[rec->nflags++] = json_is_string(f) ? json_string_value(f) : "?";
}

/* One scenario into *rec; *tname gets its transport name (borrowed from
 * js). Returns 0, RB_EPROTO (no valid names, concurrency < 1) or
 * RB_ENOMEM. */
static int read_scenario(rb_results *r, const json_t *js, rb_scen_rec *rec, const char **tname)
{
    rb_summary *s = &rec->sum;
    const json_t *e = json_object_get(js, "entries");
    double conc = rb_jnum(js, "concurrency"), rounds = rb_jnum(js, "rounds");

    *tname = rb_jstr(js, "transport", "");
    if (isnan(conc) || conc < 1 || strlen(*tname) >= 64 || !rb_name_plain(*tname) ||
        strlen(rb_jstr(js, "method", "")) >= sizeof s->method)
        return RB_EPROTO;
    rb_jstr_copy(js, "method", s->method, sizeof s->method);
    if (!rb_name_plain(s->method))
        return RB_EPROTO;
    s->entries = json_is_number(e) ? (long)json_number_value(e) : -1;
    s->concurrency = (long)conc;
    s->rounds = isnan(rounds) || rounds < 1 ? 1 : (long)rounds;
    read_figures(js, r->schema, s);
    if (strlen(rb_jstr(js, "hgrm", "")) < sizeof s->hgrm)
        rb_jstr_copy(js, "hgrm", s->hgrm, sizeof s->hgrm);
    read_open(js, rec);
    if (read_rounds(r, js, rec) != RB_OK || rb_read_faults(r, js, rec) != RB_OK)
        return RB_ENOMEM;
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

/* Every scenario of the array sc into out->all, the closed-loop ones'
 * summaries into out->sc, with their transports' descriptors. */
static int read_scenarios(const char *file, const json_t *root, const json_t *sc, rb_results *out)
{
    const json_t *known = json_object_get(json_object_get(root, "environment"), "transports");
    size_t n = json_array_size(sc);

    out->all = rb_results_alloc(out, n, sizeof *out->all);
    out->sc = rb_results_alloc(out, n, sizeof *out->sc);
    out->tr = rb_results_alloc(out, n, sizeof *out->tr); /* at most one per scenario */
    if (!out->all || !out->sc || !out->tr)
        return RB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *tname;
        rb_scen_rec *rec = &out->all[i];
        int rc = read_scenario(out, json_array_get(sc, i), rec, &tname);
        if (rc == RB_EPROTO)
            fprintf(stderr, "rpcbench: %s: scenario %zu lacks a transport or method name "
                    "([A-Za-z0-9._-]) or a concurrency >= 1\n", file, i);
        if (rc != 0)
            return rc;
        rec->sum.t = descriptor_for(out, known, tname);
        out->nall++;
        /* Open-loop scenarios stay out of the closed-loop tables: their
         * latency counts from the intended send time. */
        if (!rec->open)
            out->sc[out->n++] = rec->sum;
    }
    return 0;
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

/* The sections of a parsed document into out. */
static int read_document(const char *file, json_t *root, rb_results *out)
{
    const json_t *schema = json_object_get(root, "schema");
    const json_t *sc = json_object_get(root, "scenarios");
    if (!json_is_integer(schema) || json_integer_value(schema) < 1 ||
        json_integer_value(schema) > RB_RESULTS_SCHEMA) {
        fprintf(stderr, "rpcbench: %s: not a results.json of schema 1 to %d\n", file,
                RB_RESULTS_SCHEMA);
        return RB_EPROTO;
    }
    out->schema = (int)json_integer_value(schema);
    if (!json_is_array(sc)) {
        fprintf(stderr, "rpcbench: %s: no \"scenarios\" array\n", file);
        return RB_EPROTO;
    }
    int rc = read_scenarios(file, root, sc, out);
    if (rc == 0 && (rb_read_slo(out, root) || rb_read_codecs(out, root) || rb_read_env(out, root)))
        rc = RB_ENOMEM;
    out->complete = !json_is_false(json_object_get(root, "complete"));
    return rc;
}

int rb_results_read(const char *path, rb_results *out)
{
    char file[4096];
    struct stat st;
    json_error_t jerr;

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
    json_t *root = json_load_file(file, 0, &jerr);
    if (!root) {
        fprintf(stderr, "rpcbench: %s:%d: %s\n", file, jerr.line, jerr.text);
        return RB_EPROTO;
    }
    out->doc_ = root;
    int rc = read_document(file, root, out);
    if (rc != 0)
        rb_results_free(out);
    return rc;
}

int rb_results_from_codecs(const rb_codec_rec *cells, size_t n, rb_results *out)
{
    memset(out, 0, sizeof *out);
    out->codecs = rb_results_alloc(out, n, sizeof *out->codecs);
    if (!out->codecs) {
        rb_results_free(out);
        return RB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        out->codecs[i] = cells[i];
    out->ncodecs = n;
    out->schema = RB_RESULTS_SCHEMA;
    out->complete = 1;
    return RB_OK;
}

void rb_results_free(rb_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nmem_; i++)
        free(r->mem_[i]);
    free(r->mem_);
    json_decref((json_t *)r->doc_);
    memset(r, 0, sizeof *r);
}
