/* report.c - results.json + hgrm files -> report.md, plots (SVG, PNG).
 *
 * Reading: rb_results_load() maps results.json (schema 1) into rb_rscen rows,
 * null figures becoming NAN; rb_hgrm_read() parses HdrHistogram percentile
 * text. Writing: the plots' data (.dat) and one gnuplot script are written to
 * DIR/plots, gnuplot runs as a child process in that folder, and report.md
 * links the plots that came out. Everything in report.md is derived from the
 * file, so `rpcbench report DIR` rebuilds it any time.
 */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "descriptor.h"
#include "rb_error.h"

/* ------------------------------------------------------------------------ */
/* Reading results.json                                                     */

static double jnum(const json_t *obj, const char *key)
{
    const json_t *v = obj ? json_object_get(obj, key) : NULL;
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static void jspread(const json_t *obj, const char *key, rb_rspread *s)
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

static void jratio(const json_t *obj, const char *key, rb_rratio *r)
{
    const json_t *o = obj ? json_object_get(obj, key) : NULL;
    r->median = jnum(o, "median");
    r->lo = jnum(o, "lo");
    r->hi = jnum(o, "hi");
}

static void jlat(const json_t *o, rb_rlat *l)
{
    l->min = jnum(o, "min");
    l->p50 = jnum(o, "p50");
    l->p90 = jnum(o, "p90");
    l->p99 = jnum(o, "p99");
    l->p99_9 = jnum(o, "p99_9");
    l->max = jnum(o, "max");
    l->mean = jnum(o, "mean");
    l->stddev = jnum(o, "stddev");
}

/* Wire bytes per call of one round or scenario: total, else client. */
static double wire_of(const json_t *w)
{
    double t = jnum(w, "total");
    return isnan(t) ? jnum(w, "client") : t;
}

static const char *const fail_keys[5] = {
    "connect", "timeout", "protocol", "server_error", "wrong_reply"
};

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

static int load_scenario(const json_t *js, rb_rscen *s)
{
    const json_t *t = json_object_get(js, "transport");
    const json_t *m = json_object_get(js, "method");
    const json_t *e = json_object_get(js, "entries");
    const json_t *f, *b, *w, *c, *sp, *ra, *pr, *h;
    double conc = jnum(js, "concurrency"), rounds = jnum(js, "rounds");
    size_t i;

    if (!json_is_string(t) || !json_is_string(m) || isnan(conc) || conc < 1)
        return RB_EPROTO;
    if (json_string_length(t) >= sizeof s->transport || json_string_length(m) >= sizeof s->method)
        return RB_EPROTO;
    strcpy(s->transport, json_string_value(t));
    strcpy(s->method, json_string_value(m));
    if (!name_ok(s->transport) || !name_ok(s->method))
        return RB_EPROTO;
    s->entries = json_is_number(e) ? (long)json_number_value(e) : -1;
    s->concurrency = (long)conc;
    s->rounds = isnan(rounds) || rounds < 1 ? 1 : (long)rounds;
    s->calls = jnum(js, "calls");
    f = json_object_get(js, "failures");
    for (i = 0; i < 5; i++)
        s->failures[i] = jnum(f, fail_keys[i]);
    s->stale_replies = jnum(js, "stale_replies");
    s->duration_s = jnum(js, "duration_s");
    s->throughput_cps = jnum(js, "throughput_cps");
    jlat(json_object_get(js, "latency_us"), &s->lat);
    s->connect_us = jnum(js, "connect_us");
    b = json_object_get(js, "body_bytes");
    s->body_req = jnum(b, "request");
    s->body_rep = jnum(b, "reply");
    w = json_object_get(js, "wire_bytes_per_call");
    s->wire_client = jnum(w, "client");
    s->wire_total = jnum(w, "total");
    c = json_object_get(js, "cpu_us_per_call");
    s->cpu_client = jnum(c, "client");
    s->cpu_server = jnum(c, "server");
    s->cpu_broker = jnum(c, "broker");
    s->server_max_rss_kb = jnum(js, "server_max_rss_kb");
    sp = json_object_get(js, "spread");
    jspread(sp, "p50_us", &s->sp_p50);
    jspread(sp, "p99_us", &s->sp_p99);
    jspread(sp, "throughput_cps", &s->sp_tput);
    ra = json_object_get(js, "ratio_to_tcp");
    jratio(ra, "p50", &s->r_p50);
    jratio(ra, "p99", &s->r_p99);
    jratio(ra, "throughput", &s->r_tput);

    /* The runner records no wire spread; the rounds have it. */
    s->sp_wire.lo = s->sp_wire.hi = NAN;
    s->last_error[0] = '\0';
    pr = json_object_get(js, "per_round");
    if (json_is_array(pr)) {
        json_t *round;
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
    h = json_object_get(js, "hgrm");
    s->hgrm[0] = '\0';
    if (json_is_string(h) && json_string_length(h) < sizeof s->hgrm)
        strcpy(s->hgrm, json_string_value(h));
    return 0;
}

/* One descriptor per transport name of the scenarios (first appearance
 * order), from environment.transports or this build's tables; each
 * scenario's t points at its own. */
static int load_descriptors(const json_t *root, rb_results *out)
{
    const json_t *env = json_object_get(root, "environment");
    const json_t *known = json_object_get(env, "transports");

    out->tr = calloc(out->n ? out->n : 1, sizeof *out->tr);
    if (!out->tr)
        return RB_ENOMEM;
    for (size_t i = 0; i < out->n; i++) {
        rb_rscen *s = &out->sc[i];
        size_t k;
        for (k = 0; k < out->ntr; k++)
            if (strcmp(out->tr[k].name, s->transport) == 0)
                break;
        if (k == out->ntr)
            rb_desc_lookup(s->transport, json_object_get(known, s->transport), &out->tr[out->ntr++]);
        s->t = &out->tr[k];
    }
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
    size_t i;

    memset(out, 0, sizeof *out);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (snprintf(file, sizeof file, "%s/results.json", path) >= (int)sizeof file) {
            fprintf(stderr, "rpcbench: path too long: %s\n", path);
            return RB_EINVAL;
        }
    } else {
        if (snprintf(file, sizeof file, "%s", path) >= (int)sizeof file) {
            fprintf(stderr, "rpcbench: path too long: %s\n", path);
            return RB_EINVAL;
        }
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
    out->n = json_array_size(sc);
    out->sc = calloc(out->n ? out->n : 1, sizeof *out->sc);
    if (!out->sc) {
        rc = RB_ENOMEM;
        goto fail;
    }
    for (i = 0; i < out->n; i++) {
        if (load_scenario(json_array_get(sc, i), &out->sc[i]) != 0) {
            fprintf(stderr, "rpcbench: %s: scenario %zu lacks a transport or method name "
                    "([A-Za-z0-9._-]) or a concurrency >= 1\n",
                    file, i);
            goto fail;
        }
    }
    rc = load_descriptors(root, out);
    if (rc != 0)
        goto fail;
    out->root = root;
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

/* ------------------------------------------------------------------------ */
/* Reading HdrHistogram percentile text                                     */

/* The number after "key" and optional spaces and '=' in line, or NAN. */
static double hgrm_field(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    char *end;
    double v;

    if (!p)
        return NAN;
    p += strlen(key);
    while (*p == ' ' || *p == '=')
        p++;
    v = strtod(p, &end);
    return end == p ? NAN : v;
}

int rb_hgrm_read(const char *path, rb_hgrm_row **rows, size_t *n, rb_hgrm_summary *sum)
{
    FILE *f = NULL;
    char line[512];
    rb_hgrm_row *v = NULL, *nv;
    size_t len = 0, cap = 0;
    int header = 0, rc = RB_EPROTO;
    rb_hgrm_summary s = { NAN, NAN, NAN, NAN };

    *rows = NULL;
    *n = 0;
    f = fopen(path, "r");
    if (!f) {
        rc = RB_EIO;
        goto fail;
    }
    while (fgets(line, sizeof line, f)) {
        const char *p = line;
        char *end;
        rb_hgrm_row r;

        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\n' || *p == '\0')
            continue;
        if (*p == '#') {
            double x;
            if (!isnan(x = hgrm_field(p, "Mean")))
                s.mean = x;
            if (!isnan(x = hgrm_field(p, "StdDeviation")))
                s.stddev = x;
            if (!isnan(x = hgrm_field(p, "Max")))
                s.max = x;
            if (!isnan(x = hgrm_field(p, "Total count")))
                s.total_count = x;
            continue;
        }
        if (strncmp(p, "Value", 5) == 0) {
            header = 1;
            continue;
        }
        if (!header)
            goto fail;
        r.value = strtod(p, &end);
        if (end == p)
            goto fail;
        p = end;
        r.percentile = strtod(p, &end);
        if (end == p || !(r.percentile >= 0.0 && r.percentile <= 1.0))
            goto fail;
        p = end;
        r.total_count = strtod(p, &end);
        if (end == p)
            goto fail;
        p = end;
        /* The last row (percentile 1) has no 1/(1-p) in Java's format and
         * "inf" in C's. */
        r.inv = strtod(p, &end);
        if (end == p || r.percentile >= 1.0)
            r.inv = INFINITY;
        if (!isfinite(r.value) || r.value < 0 ||
            (len > 0 && (r.percentile < v[len - 1].percentile || r.value < v[len - 1].value)))
            goto fail;
        if (len == cap) {
            cap = cap ? cap * 2 : 64;
            nv = realloc(v, cap * sizeof *v);
            if (!nv) {
                rc = RB_ENOMEM;
                goto fail;
            }
            v = nv;
        }
        v[len++] = r;
    }
    if (ferror(f)) {
        rc = RB_EIO;
        goto fail;
    }
    if (len == 0)
        goto fail;
    fclose(f);
    *rows = v;
    *n = len;
    if (sum)
        *sum = s;
    return 0;
fail:
    if (f)
        fclose(f);
    free(v);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The shape of a run: which transports, methods, entries, concurrencies    */

#define MAXV 64

typedef struct shape {
    const char *tr[MAXV];   /* transports, canonical order */
    size_t ntr;
    const char *me[MAXV];   /* methods: fib, getObj, sendObj, then others */
    size_t nme;
    long en[MAXV];          /* entries values >= 0, ascending */
    size_t nen;
    long co[MAXV];          /* concurrency values, ascending */
    size_t nco;
    const char *floor;      /* the floor transport's name, or "floor" */
} shape;

static const char *const canon_me[] = { "fib", "getObj", "sendObj" };

static int has_str(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

static void add_long_sorted(long *v, size_t *n, long x)
{
    size_t i;
    for (i = 0; i < *n; i++)
        if (v[i] == x)
            return;
    if (*n == MAXV)
        return;
    for (i = *n; i > 0 && v[i - 1] > x; i--)
        v[i] = v[i - 1];
    v[i] = x;
    (*n)++;
}

/* Display order: the descriptors' order, ties by name. */
static int by_order(const void *a, const void *b)
{
    const rb_transport *x = *(const rb_transport *const *)a, *y = *(const rb_transport *const *)b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return strcmp(x->name, y->name);
}

static void shape_of(const rb_results *r, shape *sh)
{
    const rb_transport *tv[MAXV];
    size_t i, k;

    memset(sh, 0, sizeof *sh);
    for (i = 0; i < r->ntr && sh->ntr < MAXV; i++)
        tv[sh->ntr++] = &r->tr[i];
    qsort(tv, sh->ntr, sizeof *tv, by_order);
    for (i = 0; i < sh->ntr; i++)
        sh->tr[i] = tv[i]->name;
    sh->floor = rb_results_floor(r) ? rb_results_floor(r)->name : "floor";
    for (k = 0; k < sizeof canon_me / sizeof *canon_me; k++)
        for (i = 0; i < r->n; i++)
            if (strcmp(r->sc[i].method, canon_me[k]) == 0) {
                sh->me[sh->nme++] = canon_me[k];
                break;
            }
    for (i = 0; i < r->n && sh->nme < MAXV; i++)
        if (!has_str(sh->me, sh->nme, r->sc[i].method))
            sh->me[sh->nme++] = r->sc[i].method;
    for (i = 0; i < r->n; i++) {
        if (r->sc[i].entries >= 0)
            add_long_sorted(sh->en, &sh->nen, r->sc[i].entries);
        add_long_sorted(sh->co, &sh->nco, r->sc[i].concurrency);
    }
}

static const rb_rscen *find_sc(const rb_results *r, const char *tr, const char *me,
                               long entries, long conc)
{
    for (size_t i = 0; i < r->n; i++) {
        const rb_rscen *s = &r->sc[i];
        if (strcmp(s->transport, tr) == 0 && strcmp(s->method, me) == 0 &&
            (entries < -1 || s->entries == entries) && s->concurrency == conc)
            return s;
    }
    return NULL;
}

/* Entries values a method was run with, ascending; -1 alone for fib. */
static size_t method_entries(const rb_results *r, const char *me, long *v)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->sc[i].method, me) == 0)
            add_long_sorted(v, &n, r->sc[i].entries);
    return n;
}

static size_t method_conc(const rb_results *r, const char *me, long *v)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->sc[i].method, me) == 0)
            add_long_sorted(v, &n, r->sc[i].concurrency);
    return n;
}

/* The payload the summary figures use: 100 entries (the default) when run,
 * else the middle value. */
static long ref_entries(const rb_results *r, const char *me)
{
    long v[MAXV];
    size_t n = method_entries(r, me, v);
    for (size_t i = 0; i < n; i++)
        if (v[i] == 100)
            return 100;
    return n ? v[n / 2] : -1;
}

static long ref_conc(const rb_results *r, const char *me)
{
    long v[MAXV];
    return method_conc(r, me, v) ? v[0] : 1;
}

static const rb_transport *desc_of(const rb_results *r, const char *tr)
{
    for (size_t i = 0; i < r->ntr; i++)
        if (strcmp(r->tr[i].name, tr) == 0)
            return &r->tr[i];
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Formatting                                                               */

/* Microseconds with three significant figures or so. */
static const char *fus(char *b, double v)
{
    if (isnan(v))
        return strcpy(b, "n/a");
    if (v < 10)
        snprintf(b, 32, "%.2f", v);
    else if (v < 100)
        snprintf(b, 32, "%.1f", v);
    else
        snprintf(b, 32, "%.0f", v);
    return b;
}

/* A count or byte figure: integer when it is one, else one decimal. */
static const char *fnum(char *b, double v)
{
    if (isnan(v))
        return strcpy(b, "n/a");
    if (fabs(v - round(v)) < 0.05 || fabs(v) >= 1000)
        snprintf(b, 32, "%.0f", v);
    else
        snprintf(b, 32, "%.1f", v);
    return b;
}

/* "8.12 (7.90–8.40)": a median with its spread. */
static const char *fspread(char *b, double v, rb_rspread s, const char *(*f)(char *, double))
{
    char x[32], lo[32], hi[32];
    if (isnan(s.lo) || isnan(s.hi) || s.lo == s.hi)
        snprintf(b, 100, "%s", f(x, v));
    else
        snprintf(b, 100, "%s (%s–%s)", f(x, v), f(lo, s.lo), f(hi, s.hi));
    return b;
}

/* "1.90× (1.70–2.10)". */
static const char *fratio(char *b, rb_rratio r)
{
    if (isnan(r.median))
        return strcpy(b, "–");
    if (isnan(r.lo) || isnan(r.hi))
        snprintf(b, 100, "%.2f×", r.median);
    else
        snprintf(b, 100, "%.2f× (%.2f–%.2f)", r.median, r.lo, r.hi);
    return b;
}

static double total_failures(const rb_rscen *s)
{
    double t = 0;
    for (int i = 0; i < 5; i++)
        if (!isnan(s->failures[i]))
            t += s->failures[i];
    return t;
}

/* Text as markdown cell text: '|' escaped, line breaks as spaces, no HTML. */
static void md_text(FILE *o, const char *p)
{
    for (; *p; p++) {
        if (*p == '|')
            fputs("\\|", o);
        else if (*p == '<')
            fputs("&lt;", o);
        else if (*p == '\n' || *p == '\r')
            fputc(' ', o);
        else
            fputc(*p, o);
    }
}

/* A JSON scalar or array as markdown cell text ('|' escaped). */
static void md_value(FILE *o, const json_t *v)
{
    size_t i;
    json_t *x;

    if (!v || json_is_null(v)) {
        fputs("n/a", o);
    } else if (json_is_string(v)) {
        md_text(o, json_string_value(v));
    } else if (json_is_integer(v)) {
        fprintf(o, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        fprintf(o, "%g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        fputs(json_is_true(v) ? "yes" : "no", o);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            if (i)
                fputs(", ", o);
            md_value(o, x);
        }
    } else {
        fputs("(object)", o);
    }
}

/* ------------------------------------------------------------------------ */
/* Plots: data files, gnuplot script, running gnuplot                       */

#define MAXPLOTS 64

typedef struct plot {
    char name[96];          /* file name without extension */
    char title[160];        /* caption in report.md */
    int ok;                 /* both .svg and .png came out */
} plot;

typedef struct plots {
    plot p[MAXPLOTS];
    size_t n;
    int ran;                /* gnuplot ran and exited 0 */
    char note[512];         /* why plots are missing, for report.md */
} plots;

static plot *plot_add(plots *ps, const char *title, const char *fmt, ...)
{
    va_list ap;
    plot *p;

    if (ps->n == MAXPLOTS)
        return NULL;
    p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    va_start(ap, fmt);
    vsnprintf(p->name, sizeof p->name, fmt, ap);
    va_end(ap);
    snprintf(p->title, sizeof p->title, "%s", title);
    return p;
}

static FILE *open_in(const char *dir, const char *name, const char *mode)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return NULL;
    return fopen(path, mode);
}

/* The terminals: every chart goes to SVG, then the same plot to PNG. */
static void gp_begin(FILE *gp, const char *name)
{
    fprintf(gp, "\n# --- %s\nreset\n", name);
    fprintf(gp, "set terminal svg size 900,540 dynamic noenhanced font 'sans,12' background rgb 'white'\n");
    fprintf(gp, "set output '%s.svg'\n", name);
    fprintf(gp, "set grid\nset key outside right top\n");
}

static void gp_end(FILE *gp, const char *name)
{
    fprintf(gp, "set terminal pngcairo size 900,540 noenhanced font 'sans,10' background rgb 'white'\n");
    fprintf(gp, "set output '%s.png'\nreplot\nunset output\n", name);
}

/* Latency percentile spectrum of one method at one concurrency: HdrHistogram
 * rows from hgrm, or the summary percentiles when the file is missing. */
static int plot_spectrum(const char *dir, const char *pdir, const rb_results *r, const shape *sh,
                         const char *me, long conc, FILE *gp, plots *ps, int *fallbacks)
{
    long en = ref_entries(r, me);
    char title[160], name[96];
    FILE *d = NULL;
    plot *p;
    int nplotted = 0;
    double xmax = 10;

    snprintf(name, sizeof name, "latency-%s-c%ld", me, conc);
    if (en >= 0)
        snprintf(title, sizeof title, "Latency by percentile, %s, %ld entries, %ld client%s",
                 me, en, conc, conc == 1 ? "" : "s");
    else
        snprintf(title, sizeof title, "Latency by percentile, %s, %ld client%s",
                 me, conc, conc == 1 ? "" : "s");
    {
        char dn[128];
        snprintf(dn, sizeof dn, "%s.dat", name);
        d = open_in(pdir, dn, "w");
    }
    if (!d)
        return RB_EIO;
    fprintf(d, "# %s\n# 1/(1-percentile)  latency_us  percentile; one block per transport\n", title);
    for (size_t t = 0; t < sh->ntr; t++) {
        const rb_rscen *s = find_sc(r, sh->tr[t], me, en, conc);
        rb_hgrm_row *rows = NULL;
        size_t nrows = 0;
        int rc = -1;

        if (!s)
            continue;
        if (s->hgrm[0] && s->hgrm[0] != '/' && !strstr(s->hgrm, "..")) {
            char hp[4096];
            snprintf(hp, sizeof hp, "%s/%s", dir, s->hgrm);
            rc = rb_hgrm_read(hp, &rows, &nrows, NULL);
        }
        fprintf(d, "# %s\n", s->transport);
        if (rc == 0) {
            for (size_t i = 0; i < nrows; i++) {
                if (!isfinite(rows[i].inv))
                    continue;
                fprintf(d, "%.6g %.6g %.12f\n", rows[i].inv, rows[i].value, rows[i].percentile);
                if (rows[i].inv > xmax)
                    xmax = rows[i].inv;
            }
            free(rows);
        } else {
            /* Summary percentiles: 0 -> x=1, 50 -> 2, 90 -> 10, 99 -> 100, 99.9 -> 1000. */
            const double x[5] = { 1, 2, 10, 100, 1000 };
            const double y[5] = { s->lat.min, s->lat.p50, s->lat.p90, s->lat.p99, s->lat.p99_9 };
            const double pc[5] = { 0, 0.5, 0.9, 0.99, 0.999 };
            for (int i = 0; i < 5; i++)
                if (!isnan(y[i]))
                    fprintf(d, "%g %.6g %.3f\n", x[i], y[i], pc[i]);
            if (xmax < 1000)
                xmax = 1000;
            (*fallbacks)++;
        }
        fprintf(d, "\n\n");
        nplotted++;
    }
    fclose(d);
    if (nplotted == 0)
        return 0;
    p = plot_add(ps, title, "%s", name);
    if (!p)
        return 0;
    gp_begin(gp, name);
    fprintf(gp, "set title '%s'\n", title);
    fprintf(gp, "set logscale x\nset logscale y\n");
    fprintf(gp, "set xrange [1:%g]\n", xmax < 10000 ? xmax : 10000 * ceil(xmax / 10000));
    /* Tic labels are gnuplot format strings: '%%' there prints one '%'. */
    fputs("set xtics ('0%%' 1, '90%%' 10, '99%%' 100, '99.9%%' 1000, '99.99%%' 10000, "
          "'99.999%%' 100000, '99.9999%%' 1000000)\n", gp);
    fprintf(gp, "set xlabel 'percentile'\nset ylabel 'latency (µs)'\n");
    fprintf(gp, "plot");
    {
        int idx = 0;
        for (size_t t = 0; t < sh->ntr; t++) {
            if (!find_sc(r, sh->tr[t], me, en, conc))
                continue;
            fprintf(gp, "%s '%s.dat' index %d using 1:2 with lines lw 2 title '%s'",
                    idx ? ", \\\n    " : " ", name, idx, sh->tr[t]);
            idx++;
        }
    }
    fprintf(gp, "\n");
    gp_end(gp, name);
    return 0;
}

/* Rowstacked bars per transport, one group per method, from name.dat where
 * every method is one block: "transport v1 v2 [v3]". */
static void gp_stacked(FILE *gp, const char *name, const char *title, const char *ylabel,
                       const char *const *series, int nseries, const char *const *groups,
                       int ngroups)
{
    gp_begin(gp, name);
    fprintf(gp, "set title '%s'\nset ylabel '%s'\n", title, ylabel);
    fprintf(gp, "set datafile missing '?'\nset style data histograms\n"
                "set style histogram rowstacked gap 1 title offset character 0,-1\nset bmargin 5\nset style fill solid 0.8 border -1\n"
                "set boxwidth 0.75\nset xtics scale 0\nset yrange [0:*]\n"
                "set key inside left top vertical Left reverse\n");
    fprintf(gp, "plot");
    for (int g = 0; g < ngroups; g++) {
        fprintf(gp, "%s newhistogram '%s' lt 1", g ? ", \\\n    " : "", groups[g]);
        for (int k = 0; k < nseries; k++) {
            if (k == 0)
                fprintf(gp, ", '%s.dat' index %d using %d:xtic(1)", name, g, k + 2);
            else
                fprintf(gp, ", '' index %d using %d", g, k + 2);
            if (g == 0)
                fprintf(gp, " title '%s'", series[k]);
            else
                fprintf(gp, " notitle");
        }
    }
    fprintf(gp, "\n");
    gp_end(gp, name);
}

static void dat_val(FILE *d, double v)
{
    if (isnan(v))
        fputs(" ?", d);
    else
        fprintf(d, " %.6g", v);
}

/* Bytes per call (body vs protocol overhead) and CPU per call, per method at
 * its reference payload and lowest concurrency. */
static int plot_bars(const char *pdir, const rb_results *r, const shape *sh, FILE *gp, plots *ps)
{
    FILE *db = open_in(pdir, "bytes.dat", "w"), *dc = open_in(pdir, "cpu.dat", "w");
    const char *groups[MAXV];
    int ng = 0, any_cpu = 0, any_broker = 0, any_bytes = 0, rc = RB_EIO;
    static const char *const bser[2] = { "body (request + reply)", "protocol overhead (wire - body)" };
    static const char *const cser[3] = { "client", "server", "broker" };

    if (!db || !dc)
        goto done;
    fprintf(db, "# bytes per call on the client connection: transport body overhead; one block per method\n");
    fprintf(dc, "# CPU us per call: transport client server broker; one block per method\n");
    for (size_t m = 0; m < sh->nme; m++) {
        const char *me = sh->me[m];
        long en = ref_entries(r, me), co = ref_conc(r, me);
        fprintf(db, "# %s\n", me);
        fprintf(dc, "# %s\n", me);
        for (size_t t = 0; t < sh->ntr; t++) {
            const rb_rscen *s = find_sc(r, sh->tr[t], me, en, co);
            double body, wire;
            if (!s)
                continue;
            body = s->body_req + s->body_rep;
            wire = isnan(s->wire_client) ? s->wire_total : s->wire_client;
            fprintf(db, "%s", s->transport);
            dat_val(db, body);
            dat_val(db, isnan(wire) || isnan(body) ? NAN : wire - body);
            fputc('\n', db);
            if (!isnan(body) || !isnan(wire))
                any_bytes = 1;
            fprintf(dc, "%s", s->transport);
            dat_val(dc, s->cpu_client);
            dat_val(dc, s->cpu_server);
            dat_val(dc, s->cpu_broker);
            fputc('\n', dc);
            if (!isnan(s->cpu_client) || !isnan(s->cpu_server))
                any_cpu = 1;
            if (!isnan(s->cpu_broker))
                any_broker = 1;
        }
        fprintf(db, "\n\n");
        fprintf(dc, "\n\n");
        groups[ng++] = me;
    }
    if (any_bytes && plot_add(ps, "Bytes per call: message body and protocol overhead", "bytes"))
        gp_stacked(gp, "bytes", "Bytes per call on the client connection", "bytes per call",
                   bser, 2, groups, ng);
    if (any_cpu && plot_add(ps, "CPU time per call: client, server, broker", "cpu"))
        gp_stacked(gp, "cpu", "CPU time per call", "CPU µs per call", cser, any_broker ? 3 : 2,
                   groups, ng);
    rc = 0;
done:
    if (db)
        fclose(db);
    if (dc)
        fclose(dc);
    return rc;
}

/* p50 and bytes against entries (log-log), for methods run with more than
 * one payload size, at the lowest concurrency. */
static int plot_entries(const char *pdir, const rb_results *r, const shape *sh, const char *me,
                        FILE *gp, plots *ps)
{
    long ev[MAXV];
    size_t ne = method_entries(r, me, ev);
    long co = ref_conc(r, me);
    char name[64], dn[128], title[160];
    FILE *d;
    int idx = 0;
    size_t t;

    size_t npos = 0;
    for (size_t e = 0; e < ne; e++)
        npos += ev[e] > 0;
    if (npos < 2)
        return 0;
    snprintf(name, sizeof name, "entries-%s", me);
    snprintf(dn, sizeof dn, "%s.dat", name);
    d = open_in(pdir, dn, "w");
    if (!d)
        return RB_EIO;
    fprintf(d, "# %s at %ld client(s): entries p50_us body_bytes wire_bytes; one block per transport\n",
            me, co);
    for (t = 0; t < sh->ntr; t++) {
        int any = 0;
        for (size_t e = 0; e < ne; e++) {
            const rb_rscen *s = find_sc(r, sh->tr[t], me, ev[e], co);
            if (!s || ev[e] <= 0)      /* 0 entries has no place on a log axis */
                continue;
            if (!any)
                fprintf(d, "# %s\n", sh->tr[t]);
            any = 1;
            fprintf(d, "%ld", ev[e]);
            dat_val(d, s->lat.p50);
            dat_val(d, s->body_req + s->body_rep);
            dat_val(d, isnan(s->wire_total) ? s->wire_client : s->wire_total);
            fputc('\n', d);
        }
        if (any)
            fprintf(d, "\n\n");
    }
    fclose(d);

    for (int which = 0; which < 2; which++) {
        char pn[96];
        snprintf(pn, sizeof pn, "%s-%s", which ? "bytes" : "p50", name);
        snprintf(title, sizeof title, which ? "Bytes per call against entries, %s"
                                            : "p50 latency against entries, %s", me);
        if (!plot_add(ps, title, "%s", pn))
            return 0;
        gp_begin(gp, pn);
        fprintf(gp, "set title '%s (%ld client%s)'\nset logscale xy\nset datafile missing '?'\n",
                title, co, co == 1 ? "" : "s");
        fprintf(gp, "set xlabel 'entries in the object'\nset ylabel '%s'\n",
                which ? "bytes per call (solid: wire, dashed: body)" : "p50 latency (µs)");
        fprintf(gp, "plot");
        idx = 0;
        for (t = 0; t < sh->ntr; t++) {
            int any = 0;
            for (size_t e = 0; e < ne; e++)
                any |= ev[e] > 0 && find_sc(r, sh->tr[t], me, ev[e], co) != NULL;
            if (!any)
                continue;
            if (which == 0)
                fprintf(gp, "%s '%s.dat' index %d using 1:2 with linespoints lw 2 lc %d title '%s'",
                        idx ? ", \\\n    " : " ", name, idx, idx + 1, sh->tr[t]);
            else
                fprintf(gp, "%s '%s.dat' index %d using 1:4 with linespoints lw 2 lc %d title '%s', "
                            "'' index %d using 1:3 with lines dt 2 lc %d notitle",
                        idx ? ", \\\n    " : " ", name, idx, idx + 1, sh->tr[t], idx, idx + 1);
            idx++;
        }
        fprintf(gp, "\n");
        gp_end(gp, pn);
    }
    return 0;
}

/* Throughput against concurrency, with the rounds' spread as error bars. */
static int plot_conc(const char *pdir, const rb_results *r, const shape *sh, const char *me,
                     FILE *gp, plots *ps)
{
    long cv[MAXV];
    size_t nc = method_conc(r, me, cv);
    long en = ref_entries(r, me);
    char name[96], dn[128], title[160];
    FILE *d;
    int idx = 0;
    size_t t;

    if (nc < 2)
        return 0;
    snprintf(name, sizeof name, "throughput-%s", me);
    snprintf(dn, sizeof dn, "%s.dat", name);
    d = open_in(pdir, dn, "w");
    if (!d)
        return RB_EIO;
    fprintf(d, "# %s: clients calls_per_s lowest_round highest_round; one block per transport\n", me);
    for (t = 0; t < sh->ntr; t++) {
        int any = 0;
        for (size_t c = 0; c < nc; c++) {
            const rb_rscen *s = find_sc(r, sh->tr[t], me, en, cv[c]);
            if (!s)
                continue;
            if (!any)
                fprintf(d, "# %s\n", sh->tr[t]);
            any = 1;
            fprintf(d, "%ld", cv[c]);
            dat_val(d, s->throughput_cps);
            dat_val(d, isnan(s->sp_tput.lo) ? s->throughput_cps : s->sp_tput.lo);
            dat_val(d, isnan(s->sp_tput.hi) ? s->throughput_cps : s->sp_tput.hi);
            fputc('\n', d);
        }
        if (any)
            fprintf(d, "\n\n");
    }
    fclose(d);
    snprintf(title, sizeof title, "Throughput against client threads, %s", me);
    if (!plot_add(ps, title, "%s", name))
        return 0;
    gp_begin(gp, name);
    fprintf(gp, "set title '%s'\nset logscale x 2\nset datafile missing '?'\nset yrange [0:*]\n", title);
    fprintf(gp, "set xlabel 'client threads (one connection each)'\nset ylabel 'calls per second'\n");
    fprintf(gp, "plot");
    for (t = 0; t < sh->ntr; t++) {
        int any = 0;
        for (size_t c = 0; c < nc; c++)
            any |= find_sc(r, sh->tr[t], me, en, cv[c]) != NULL;
        if (!any)
            continue;
        fprintf(gp, "%s '%s.dat' index %d using 1:2:3:4 with yerrorlines lw 2 lc %d title '%s'",
                idx ? ", \\\n    " : " ", name, idx, idx + 1, sh->tr[t]);
        idx++;
    }
    fprintf(gp, "\n");
    gp_end(gp, name);
    return 0;
}

/* gnuplot's path: $RPCBENCH_GNUPLOT when set (empty: none), else PATH. */
static int find_gnuplot(char *buf, size_t cap)
{
    const char *env = getenv("RPCBENCH_GNUPLOT"), *path;

    if (env) {
        if (!*env || access(env, X_OK) != 0 || strlen(env) >= cap)
            return -1;
        strcpy(buf, env);
        return 0;
    }
    path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        if (len > 0 && len + sizeof "/gnuplot" <= cap) {
            memcpy(buf, path, len);
            strcpy(buf + len, "/gnuplot");
            if (access(buf, X_OK) == 0)
                return 0;
        }
        path += len;
        if (*path == ':')
            path++;
    }
    return -1;
}

/* Run `gnuplot plots.gp` in pdir, its output to pdir/gnuplot.log. Returns
 * the exit status, or -1 when it could not be started. */
static int run_gnuplot(const char *gnuplot, const char *pdir)
{
    pid_t pid, w;
    int status;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY), log;
        if (chdir(pdir) != 0)
            _exit(126);
        log = open("gnuplot.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in >= 0)
            dup2(in, 0);
        if (log >= 0) {
            dup2(log, 1);
            dup2(log, 2);
        }
        execl(gnuplot, "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    do
        w = waitpid(pid, &status, 0);
    while (w < 0 && errno == EINTR);
    if (w < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int file_ok(const char *pdir, const char *name, const char *ext)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.%s", pdir, name, ext);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static int make_plots(const char *dir, const rb_results *r, const shape *sh, plots *ps)
{
    char pdir[4096], gnuplot[4096];
    FILE *gp = NULL;
    int rc = RB_EIO, fallbacks = 0, st;

    memset(ps, 0, sizeof *ps);
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    if (mkdir(pdir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "rpcbench report: cannot create %s: %s\n", pdir, strerror(errno));
        snprintf(ps->note, sizeof ps->note, "the plots folder could not be created");
        return RB_EIO;
    }
    gp = open_in(pdir, "plots.gp", "w");
    if (!gp) {
        fprintf(stderr, "rpcbench report: cannot write %s/plots.gp: %s\n", pdir, strerror(errno));
        snprintf(ps->note, sizeof ps->note, "plots.gp could not be written");
        goto fail;
    }
    fprintf(gp, "# rpcbench plots: written by `rpcbench report`; run `gnuplot plots.gp` in this folder.\n"
                "# Data: the .dat files next to this script.\n");
    for (size_t m = 0; m < sh->nme; m++) {
        long cv[MAXV];
        size_t nc = method_conc(r, sh->me[m], cv);
        for (size_t c = 0; c < nc; c++)
            if (plot_spectrum(dir, pdir, r, sh, sh->me[m], cv[c], gp, ps, &fallbacks) != 0)
                goto fail;
    }
    if (plot_bars(pdir, r, sh, gp, ps) != 0)
        goto fail;
    for (size_t m = 0; m < sh->nme; m++)
        if (plot_entries(pdir, r, sh, sh->me[m], gp, ps) != 0 ||
            plot_conc(pdir, r, sh, sh->me[m], gp, ps) != 0)
            goto fail;
    if (fclose(gp) != 0) {
        gp = NULL;
        goto fail;
    }
    gp = NULL;

    if (find_gnuplot(gnuplot, sizeof gnuplot) != 0) {
        snprintf(ps->note, sizeof ps->note,
                 "gnuplot was not found, so no plot was drawn. Install it (Debian: "
                 "`apt-get install gnuplot-nox`) and run `rpcbench report` on this folder again, "
                 "or run `gnuplot plots.gp` in plots/.");
        fprintf(stderr, "rpcbench report: gnuplot not found; plots skipped\n");
        return 0;
    }
    st = run_gnuplot(gnuplot, pdir);
    if (st != 0) {
        snprintf(ps->note, sizeof ps->note,
                 "gnuplot failed (exit status %d); its messages are in plots/gnuplot.log.", st);
        fprintf(stderr, "rpcbench report: gnuplot failed (exit %d), see %s/gnuplot.log\n", st, pdir);
    } else {
        ps->ran = 1;
    }
    for (size_t i = 0; i < ps->n; i++)
        ps->p[i].ok = file_ok(pdir, ps->p[i].name, "svg") && file_ok(pdir, ps->p[i].name, "png");
    if (fallbacks)
        snprintf(ps->note + strlen(ps->note), sizeof ps->note - strlen(ps->note),
                 "%s%d latency curve%s drawn from the summary percentiles because the "
                 "scenario's hgrm file was missing or unreadable.",
                 ps->note[0] ? " " : "", fallbacks, fallbacks == 1 ? " is" : "s are");
    return 0;
fail:
    if (gp)
        fclose(gp);
    if (!ps->note[0])
        snprintf(ps->note, sizeof ps->note, "the plot data could not be written");
    return rc;
}

/* ------------------------------------------------------------------------ */
/* report.md                                                                */

static void md_environment(FILE *o, const json_t *root)
{
    const json_t *env = json_object_get(root, "environment"), *v, *libs, *par;
    const char *k;

    fprintf(o, "## Environment\n\n");
    if (!json_is_object(env)) {
        fprintf(o, "results.json has no environment manifest.\n\n");
        return;
    }
    fprintf(o, "| | |\n|---|---|\n");
    json_object_foreach((json_t *)env, k, v) {
        if (json_is_object(v))
            continue;
        fprintf(o, "| %s | ", k);
        md_value(o, v);
        fprintf(o, " |\n");
    }
    libs = json_object_get(env, "libraries");
    if (json_is_object(libs)) {
        fprintf(o, "\n| library | version |\n|---|---|\n");
        json_object_foreach((json_t *)libs, k, v) {
            fprintf(o, "| %s | ", k);
            md_value(o, v);
            fprintf(o, " |\n");
        }
    }
    par = json_object_get(env, "parameters");
    if (json_is_object(par)) {
        fprintf(o, "\n| parameter | value |\n|---|---|\n");
        json_object_foreach((json_t *)par, k, v) {
            fprintf(o, "| %s | ", k);
            md_value(o, v);
            fprintf(o, " |\n");
        }
    }
    fprintf(o, "\n");
}

/* Rank by p50 (which = 0) or p99 (1): 1 + the number of transports of the
 * group whose spread lies wholly below this one's. Overlapping spreads share
 * a rank. 0 when the spread is unknown. */
static int rank_in(const rb_rscen *const *g, size_t n, size_t i, int which)
{
    const rb_rspread *a = which ? &g[i]->sp_p99 : &g[i]->sp_p50;
    int rank = 1;
    if (isnan(a->lo))
        return 0;
    for (size_t j = 0; j < n; j++) {
        const rb_rspread *b = which ? &g[j]->sp_p99 : &g[j]->sp_p50;
        if (j != i && rb_spread_overlap(a->lo, a->hi, b->lo, b->hi) == 0 && b->hi < a->lo)
            rank++;
    }
    return rank;
}

/* Notes on pairs whose p50 or p99 spreads overlap: they are not ranked. */
static void md_overlaps(FILE *o, const rb_rscen *const *g, size_t n)
{
    static const char *const what[2] = { "p50", "p99" };
    for (int which = 0; which < 2; which++) {
        int first = 1;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                const rb_rspread *a = which ? &g[i]->sp_p99 : &g[i]->sp_p50;
                const rb_rspread *b = which ? &g[j]->sp_p99 : &g[j]->sp_p50;
                char l1[32], h1[32], l2[32], h2[32];
                if (rb_spread_overlap(a->lo, a->hi, b->lo, b->hi) != 1)
                    continue;
                if (first)
                    fprintf(o, "- %s spreads overlap, so these are not ranked against each other:", what[which]);
                fprintf(o, "%s %s (%s–%s µs) and %s (%s–%s µs)", first ? "" : ";",
                        g[i]->transport, fus(l1, a->lo), fus(h1, a->hi),
                        g[j]->transport, fus(l2, b->lo), fus(h2, b->hi));
                first = 0;
            }
        if (!first)
            fprintf(o, ".\n");
    }
}

static void md_method(FILE *o, const rb_results *r, const shape *sh, const char *me)
{
    long ev[MAXV], cv[MAXV];
    size_t ne = method_entries(r, me, ev), nc = method_conc(r, me, cv);
    int with_entries = !(ne == 1 && ev[0] < 0);

    fprintf(o, "### %s\n\n", me);
    fprintf(o, "|%s transport | clients | p50 µs | p99 µs | p99.9 µs | calls/s | "
               "body B req/rep | wire B/call | CPU µs/call client/server/broker | "
               "p50 × %s | p99 × %s | calls/s × %s | p50 rank | failed |\n",
            with_entries ? " entries |" : "", sh->floor, sh->floor, sh->floor);
    fprintf(o, "|%s---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            with_entries ? "---:|" : "");
    for (size_t e = 0; e < ne; e++)
        for (size_t c = 0; c < nc; c++) {
            const rb_rscen *g[MAXV];
            size_t n = 0;
            for (size_t t = 0; t < sh->ntr; t++) {
                const rb_rscen *s = find_sc(r, sh->tr[t], me, ev[e], cv[c]);
                if (s)
                    g[n++] = s;
            }
            for (size_t i = 0; i < n; i++) {
                const rb_rscen *s = g[i];
                char a[100], b[100], x[32], y[32], z[32], w1[32], w2[32];
                int rank = rank_in(g, n, i, 0);
                fprintf(o, "|");
                if (with_entries)
                    fprintf(o, " %ld |", s->entries);
                fprintf(o, " %s | %ld | %s |", s->transport, s->concurrency,
                        fspread(a, s->lat.p50, s->sp_p50, fus));
                fprintf(o, " %s | %s |", fspread(b, s->lat.p99, s->sp_p99, fus), fus(x, s->lat.p99_9));
                fprintf(o, " %s |", fspread(a, s->throughput_cps, s->sp_tput, fnum));
                fprintf(o, " %s / %s |", fnum(x, s->body_req), fnum(y, s->body_rep));
                if (isnan(s->wire_total) || s->wire_total == s->wire_client)
                    fprintf(o, " %s |", fnum(w1, s->wire_client));
                else
                    fprintf(o, " %s (client hop %s) |", fnum(w1, s->wire_total), fnum(w2, s->wire_client));
                fprintf(o, " %s / %s / %s |", fus(x, s->cpu_client), fus(y, s->cpu_server),
                        isnan(s->cpu_broker) ? "–" : fus(z, s->cpu_broker));
                fprintf(o, " %s |", fratio(a, s->r_p50));
                fprintf(o, " %s |", fratio(a, s->r_p99));
                fprintf(o, " %s |", fratio(a, s->r_tput));
                if (rank == 0)
                    fprintf(o, " ? |");
                else
                    fprintf(o, " %d |", rank);
                fprintf(o, " %s |\n", total_failures(s) > 0 ? fnum(x, total_failures(s)) : "0");
            }
        }
    fprintf(o, "\n");
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->sc[i].method, me) == 0 && isnan(r->sc[i].wire_client) &&
            isnan(r->sc[i].wire_total)) {
            fprintf(o, "n/a: not measured (wire bytes cannot be counted in a window in which "
                       "connections opened or closed, e.g. a new connection per call).\n\n");
            break;
        }
    /* Notes, per group. */
    for (size_t e = 0; e < ne; e++)
        for (size_t c = 0; c < nc; c++) {
            const rb_rscen *g[MAXV];
            size_t n = 0;
            char *buf = NULL;
            size_t blen = 0;
            FILE *mo;
            for (size_t t = 0; t < sh->ntr; t++) {
                const rb_rscen *s = find_sc(r, sh->tr[t], me, ev[e], cv[c]);
                if (s)
                    g[n++] = s;
            }
            mo = open_memstream(&buf, &blen);
            if (!mo)
                continue;
            md_overlaps(mo, g, n);
            fclose(mo);
            if (blen) {
                if (with_entries)
                    fprintf(o, "%ld entries, %ld client%s:\n\n", ev[e], cv[c], cv[c] == 1 ? "" : "s");
                else
                    fprintf(o, "%ld client%s:\n\n", cv[c], cv[c] == 1 ? "" : "s");
                fprintf(o, "%s\n", buf);
            }
            free(buf);
        }
}

static void md_payload(FILE *o, const rb_results *r, const shape *sh)
{
    int any = 0;
    if (sh->nen == 0)
        return;
    fprintf(o, "## Payload: body bytes per call\n\n"
               "The encoded message bodies (request / reply) of each encoding, per entry count "
               "(framing and headers excluded; those are in the wire bytes).\n\n");
    fprintf(o, "| transport | method |");
    for (size_t e = 0; e < sh->nen; e++)
        fprintf(o, " %ld entr%s |", sh->en[e], sh->en[e] == 1 ? "y" : "ies");
    fprintf(o, "\n|---|---|");
    for (size_t e = 0; e < sh->nen; e++)
        fprintf(o, "---:|");
    fprintf(o, "\n");
    for (size_t m = 0; m < sh->nme; m++)
        for (size_t t = 0; t < sh->ntr; t++) {
            int row = 0;
            for (size_t e = 0; e < sh->nen; e++)
                row |= find_sc(r, sh->tr[t], sh->me[m], sh->en[e], ref_conc(r, sh->me[m])) != NULL;
            if (!row)
                continue;
            any = 1;
            fprintf(o, "| %s | %s |", sh->tr[t], sh->me[m]);
            for (size_t e = 0; e < sh->nen; e++) {
                const rb_rscen *s = find_sc(r, sh->tr[t], sh->me[m], sh->en[e], ref_conc(r, sh->me[m]));
                char x[32], y[32];
                if (s)
                    fprintf(o, " %s / %s |", fnum(x, s->body_req), fnum(y, s->body_rep));
                else
                    fprintf(o, " |");
            }
            fprintf(o, "\n");
        }
    if (!any)
        fprintf(o, "| (no getObj/sendObj scenario) | |\n");
    fprintf(o, "\n");
}

static const char *or_na(const char *p)
{
    return p && *p ? p : "n/a";
}

/* The properties the numbers do not show, from each transport's
 * descriptor (its table, as the run recorded it). */
static void md_properties(FILE *o, const rb_results *r, const shape *sh)
{
    fprintf(o,
        "### What the numbers do not show\n\n"
        "From the stacks' documentation and how rpcbench uses them, not measured:\n\n"
        "| transport | needs a broker | survives a server restart | human-readable on the wire | schema | streaming | in most languages' standard library |\n"
        "|---|---|---|---|---|---|---|\n");
    for (size_t t = 0; t < sh->ntr; t++) {
        const rb_transport *d = desc_of(r, sh->tr[t]);
        const rb_transport_props *p = &d->props;
        const char *b = rb_broker_label(d->broker);
        fprintf(o, "| %s | ", d->name);
        if (b)
            fprintf(o, "yes (%s)", b);
        else
            fputs(p->restart ? "no" : "n/a", o);
        fputs(" | ", o);
        md_text(o, or_na(p->restart));
        fputs(" | ", o);
        md_text(o, or_na(p->human_readable));
        fputs(" | ", o);
        md_text(o, or_na(p->schema));
        fputs(" | ", o);
        md_text(o, or_na(p->streaming));
        fputs(" | ", o);
        md_text(o, or_na(p->stdlib));
        fputs(" |\n", o);
    }
    fputs("\n", o);
}

/* Sum of client, server and broker CPU per call; NAN when client or server
 * is unknown (broker unknown counts as none: only AMQP has one). */
static double cpu_sum(const rb_rscen *s)
{
    if (isnan(s->cpu_client) || isnan(s->cpu_server))
        return NAN;
    return s->cpu_client + s->cpu_server + (isnan(s->cpu_broker) ? 0 : s->cpu_broker);
}

static double wire_best(const rb_rscen *s)
{
    return isnan(s->wire_total) ? s->wire_client : s->wire_total;
}

/* The candidates of "How to pick" exclude the floor: it is not a stack. */
static size_t pick_group(const rb_results *r, const shape *sh, const char *me, long en, long co,
                         const rb_rscen **g)
{
    size_t n = 0;
    for (size_t t = 0; t < sh->ntr; t++) {
        const rb_rscen *s;
        if (desc_of(r, sh->tr[t])->is_floor)
            continue;
        s = find_sc(r, sh->tr[t], me, en, co);
        if (s && total_failures(s) == 0)
            g[n++] = s;
    }
    return n;
}

/* Those of g whose spread of a figure overlaps the best one's. */
static void md_ties(FILE *o, const rb_rscen *const *g, size_t n, const rb_rscen *best, int tput)
{
    int first = 1;
    const rb_rspread *b = tput ? &best->sp_tput : &best->sp_p50;
    for (size_t i = 0; i < n; i++) {
        const rb_rspread *a = tput ? &g[i]->sp_tput : &g[i]->sp_p50;
        if (g[i] == best || rb_spread_overlap(a->lo, a->hi, b->lo, b->hi) != 1)
            continue;
        fprintf(o, "%s%s", first ? "; not distinguishable from " : ", ", g[i]->transport);
        first = 0;
    }
    if (!first)
        fprintf(o, " (the rounds' spreads overlap)");
}

static void md_pick(FILE *o, const rb_results *r, const shape *sh)
{
    fprintf(o, "## How to pick\n\n");
    fprintf(o, "Generated from the figures above (medians over rounds; `%s` is the floor, "
               "not a candidate; transports with failed calls are left out). "
               "A winner is named only against the transports whose spreads it does not overlap.\n\n",
            sh->floor);
    for (size_t m = 0; m < sh->nme; m++) {
        const char *me = sh->me[m];
        long en = ref_entries(r, me), co = ref_conc(r, me), cv[MAXV];
        size_t nc = method_conc(r, me, cv);
        const rb_rscen *g[MAXV], *best;
        size_t n = pick_group(r, sh, me, en, co, g);
        char x[32], y[32], a[100], where[64];

        if (en >= 0)
            snprintf(where, sizeof where, "%ld entries, %ld client%s", en, co, co == 1 ? "" : "s");
        else
            snprintf(where, sizeof where, "%ld client%s", co, co == 1 ? "" : "s");
        fprintf(o, "**%s** (%s)\n\n", me, where);
        if (n == 0) {
            int others = 0;
            for (size_t t = 0; t < sh->ntr; t++)
                others |= !desc_of(r, sh->tr[t])->is_floor && find_sc(r, sh->tr[t], me, en, co);
            if (others)
                fprintf(o, "- every transport other than %s had failed calls: nothing to "
                           "recommend.\n\n", sh->floor);
            else
                fprintf(o, "- only the %s floor was run: nothing to compare.\n\n", sh->floor);
            continue;
        }
        /* Fastest: lowest p50. */
        best = NULL;
        for (size_t i = 0; i < n; i++)
            if (!isnan(g[i]->lat.p50) && (!best || g[i]->lat.p50 < best->lat.p50))
                best = g[i];
        if (best) {
            fprintf(o, "- Fastest (p50): **%s**, %s µs, p99 %s µs", best->transport,
                    fus(x, best->lat.p50), fus(y, best->lat.p99));
            if (!isnan(best->r_p50.median))
                fprintf(o, ", %s the %s floor", fratio(a, best->r_p50), sh->floor);
            md_ties(o, g, n, best, 0);
            fprintf(o, "%s.\n", n == 1 ? " (the only candidate)" : "");
        }
        /* Smallest on the wire. */
        best = NULL;
        for (size_t i = 0; i < n; i++)
            if (!isnan(wire_best(g[i])) && (!best || wire_best(g[i]) < wire_best(best)))
                best = g[i];
        if (best)
            fprintf(o, "- Smallest on the wire: **%s**, %s bytes per call (TCP payload, both "
                       "directions%s; body %s).\n", best->transport, fnum(x, wire_best(best)),
                    best->t->broker != RB_BROKER_NONE ? ", both hops" : "",
                    fnum(y, best->body_req + best->body_rep));
        /* Cheapest in CPU. */
        best = NULL;
        for (size_t i = 0; i < n; i++)
            if (!isnan(cpu_sum(g[i])) && (!best || cpu_sum(g[i]) < cpu_sum(best)))
                best = g[i];
        if (best)
        {
            char z[32];
            fprintf(o, "- Cheapest in CPU: **%s**, %s µs per call (client %s + server %s",
                    best->transport, fus(x, cpu_sum(best)), fus(y, best->cpu_client),
                    fus(z, best->cpu_server));
            if (!isnan(best->cpu_broker))
                fprintf(o, " + broker %s", fus(z, best->cpu_broker));
            fprintf(o, ").\n");
        }
        /* Best under concurrency: highest throughput at the most clients. */
        if (nc > 1) {
            const rb_rscen *h[MAXV];
            size_t nh = pick_group(r, sh, me, en, cv[nc - 1], h);
            best = NULL;
            for (size_t i = 0; i < nh; i++)
                if (!isnan(h[i]->throughput_cps) && (!best || h[i]->throughput_cps > best->throughput_cps))
                    best = h[i];
            if (best) {
                const rb_rscen *one = find_sc(r, best->transport, me, en, cv[0]);
                fprintf(o, "- Best under concurrency: **%s**, %s calls/s with %ld clients",
                        best->transport, fnum(x, best->throughput_cps), cv[nc - 1]);
                if (one && one->throughput_cps > 0)
                    fprintf(o, " (%.2f× its throughput with %ld)", best->throughput_cps / one->throughput_cps, cv[0]);
                md_ties(o, h, nh, best, 1);
                fprintf(o, ".\n");
            }
        } else {
            fprintf(o, "- Best under concurrency: not measured (one concurrency value was run).\n");
        }
        fprintf(o, "\n");
    }
    md_properties(o, r, sh);
}

static void md_failures(FILE *o, const rb_results *r)
{
    int any = 0;
    for (size_t i = 0; i < r->n; i++) {
        const rb_rscen *s = &r->sc[i];
        char x[32];
        if (total_failures(s) == 0 && !(s->stale_replies > 0))
            continue;
        if (!any)
            fprintf(o, "## Failed calls\n\nThese scenarios had failed calls or late replies; "
                       "their latency covers the successful calls only, so treat them with care.\n\n"
                       "| transport | method | entries | clients | connect | timeout | protocol | "
                       "server_error | wrong_reply | stale replies | last error |\n"
                       "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        any = 1;
        fprintf(o, "| %s | %s | %s | %ld |", s->transport, s->method,
                s->entries >= 0 ? fnum(x, (double)s->entries) : "–", s->concurrency);
        for (int k = 0; k < 5; k++)
            fprintf(o, " %s |", fnum(x, s->failures[k]));
        fprintf(o, " %s | ", fnum(x, s->stale_replies));
        md_text(o, s->last_error[0] ? s->last_error : "–");
        fprintf(o, " |\n");
    }
    if (any)
        fprintf(o, "\n");
}

static void md_plots(FILE *o, const plots *ps)
{
    int any = 0;
    fprintf(o, "## Plots\n\n");
    for (size_t i = 0; i < ps->n; i++) {
        if (!ps->p[i].ok)
            continue;
        any = 1;
        fprintf(o, "![%s](plots/%s.svg)\n\n%s ([SVG](plots/%s.svg), [PNG](plots/%s.png))\n\n",
                ps->p[i].title, ps->p[i].name, ps->p[i].title, ps->p[i].name, ps->p[i].name);
    }
    if (ps->note[0])
        fprintf(o, "Note: %s\n\n", ps->note);
    else if (!any)
        fprintf(o, "No plot was drawn.\n\n");
    fprintf(o, "The latency charts use HdrHistogram's x axis: 1/(1−percentile) on a log scale, "
               "so the tail gets as much room as the median. The data of every chart and the "
               "gnuplot script that draws them are in plots/ (`gnuplot plots.gp`); the "
               "percentile distribution of each scenario, in HdrHistogram's text format, is in hgrm/.\n\n");
}

static int write_md(const char *dir, const rb_results *r, const shape *sh, const plots *ps)
{
    const json_t *env = json_object_get((json_t *)r->root, "environment");
    const json_t *par = json_object_get(env, "parameters");
    char tmp[4096], path[4096];
    FILE *o;
    long rounds = 0;

    snprintf(tmp, sizeof tmp, "%s/report.md.tmp", dir);
    snprintf(path, sizeof path, "%s/report.md", dir);
    o = fopen(tmp, "w");
    if (!o) {
        fprintf(stderr, "rpcbench report: cannot write %s: %s\n", tmp, strerror(errno));
        return RB_EIO;
    }
    for (size_t i = 0; i < r->n; i++)
        if (r->sc[i].rounds > rounds)
            rounds = r->sc[i].rounds;
    fprintf(o, "# rpcbench report\n\n");
    fprintf(o, "Run started ");
    md_value(o, json_object_get(env, "started_utc"));
    fprintf(o, " on ");
    md_value(o, json_object_get(env, "host"));
    fprintf(o, " (");
    md_value(o, json_object_get(env, "cpu"));
    fprintf(o, ", ");
    md_value(o, json_object_get(env, "cores"));
    fprintf(o, " cores), commit ");
    md_value(o, json_object_get(env, "git_commit"));
    fprintf(o, ". %zu scenarios, %ld round%s each.\n\n", r->n, rounds, rounds == 1 ? "" : "s");
    fprintf(o, "How to read it: every figure is the median over the rounds, with the lowest–highest "
               "round in parentheses. Transports run interleaved round by round, so drift hits them "
               "alike; the ratio to `%s` (the floor) is taken within each round, then "
               "summarised. Where two transports' spreads overlap the report does not rank them "
               "(same p50 rank). Latency is per call, closed loop, in microseconds; bytes are per "
               "call; \"wire\" is TCP payload in both directions measured by the kernel "
               "(for broker transports both hops: client↔broker and broker↔server).\n\n", sh->floor);
    if (json_is_object(par) && json_is_false(json_object_get(par, "pinned")))
        fprintf(o, "Client and server threads were not pinned to CPUs; loopback round trips that "
                   "cross vCPUs cost more than on one.\n\n");
    md_failures(o, r);
    fprintf(o, "## Results per method\n\n");
    if (r->n == 0)
        fprintf(o, "results.json holds no scenario: the run measured nothing.\n\n");
    for (size_t m = 0; m < sh->nme; m++)
        md_method(o, r, sh, sh->me[m]);
    md_payload(o, r, sh);
    md_pick(o, r, sh);
    md_plots(o, ps);
    md_environment(o, (json_t *)r->root);
    if (ferror(o) | (fclose(o) != 0)) {
        fprintf(stderr, "rpcbench report: write error on %s\n", tmp);
        unlink(tmp);
        return RB_EIO;
    }
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "rpcbench report: cannot rename %s: %s\n", tmp, strerror(errno));
        unlink(tmp);
        return RB_EIO;
    }
    return 0;
}

int rb_report_write(const char *dir)
{
    rb_results r;
    shape sh;
    plots *ps = NULL;
    int rc;

    rc = rb_results_load(dir, &r);
    if (rc != 0)
        return rc;
    ps = calloc(1, sizeof *ps);
    if (!ps) {
        rc = RB_ENOMEM;
        goto done;
    }
    shape_of(&r, &sh);
    /* A plot failure is reported in report.md; the tables still get written. */
    (void)make_plots(dir, &r, &sh, ps);
    rc = write_md(dir, &r, &sh, ps);
done:
    free(ps);
    rb_results_free(&r);
    return rc;
}

int rb_report_main(int argc, char **argv)
{
    char dir[4096];
    int rc;

    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: rpcbench report DIR\n"
                        "  rebuild DIR/report.md and DIR/plots/ from DIR/results.json\n");
        return 2;
    }
    if (rb_results_dir(argv[1], dir, sizeof dir) != 0) {
        fprintf(stderr, "rpcbench report: path too long\n");
        return 1;
    }
    rc = rb_report_write(dir);
    if (rc != 0) {
        fprintf(stderr, "rpcbench report: %s\n", rb_strerror(rc));
        return 1;
    }
    printf("%s/report.md\n", dir);
    return 0;
}
