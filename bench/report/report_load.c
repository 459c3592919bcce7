/* report_load.c - report.md's "Under load" section (see report_load.h). */
#include "report/report_load.h"
#include "plots/report_load_plots.h"
#include "report/fmt.h"
#include "plots/gnuplot.h"
#include "rb_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ------------------------------------------------------------- */

double rb_lj_num(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

double rb_lj_num2(const json_t *o, const char *a, const char *b)
{
    return rb_lj_num(json_object_get(o, a), b);
}

const char *rb_lj_str(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

int rb_lj_is_open(const json_t *sc)
{
    return strcmp(rb_lj_str(sc, "loop"), "open") == 0;
}

/* Names go into file names and gnuplot strings: keep them plain. */
int rb_lj_plain(const char *p)
{
    if (!*p)
        return 0;
    for (; *p; p++)
        if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') || ('0' <= *p && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return 0;
    return 1;
}

int rb_lj_same_entries(const json_t *a, const json_t *b)
{
    const json_t *x = json_object_get(a, "entries"), *y = json_object_get(b, "entries");
    if (!json_is_integer(x) || !json_is_integer(y))
        return !json_is_integer(x) && !json_is_integer(y);
    return json_integer_value(x) == json_integer_value(y);
}

/* The closed-loop scenario with the same transport, method, entries and
 * connections as o, or NULL. */
static const json_t *closed_twin(const json_t *root, const json_t *o)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(root, "scenarios"), i, s) {
        if (!rb_lj_is_open(s) && strcmp(rb_lj_str(s, "transport"), rb_lj_str(o, "transport")) == 0 &&
            strcmp(rb_lj_str(s, "method"), rb_lj_str(o, "method")) == 0 && rb_lj_same_entries(s, o) &&
            rb_lj_num(s, "concurrency") == rb_lj_num(o, "concurrency"))
            return s;
    }
    return NULL;
}

const json_t *rb_lj_timeline0(const json_t *o)
{
    const json_t *tl = json_object_get(json_array_get(json_object_get(o, "per_round"), 0), "timeline");
    return json_array_size(tl) ? tl : NULL;
}


/* ---- formatting ------------------------------------------------------------ */

static const char *frate(char *b, double v)
{
    if (!isfinite(v))
        snprintf(b, 32, "n/a");
    else
        snprintf(b, 32, "%.0f", v);
    return b;
}

static const char *fentries(char *b, const json_t *o)
{
    const json_t *e = json_object_get(o, "entries");
    if (json_is_integer(e))
        snprintf(b, 32, "%lld", (long long)json_integer_value(e));
    else
        snprintf(b, 32, "–");
    return b;
}

/* " p50 / p99 / p99.9 |" of a latency object, µs. */
static void md_lat3(FILE *o, const json_t *lat)
{
    char a[32], b[32], c[32];
    fprintf(o, " %s / %s / %s |", rb_fmt_us(a, rb_lj_num(lat, "p50")), rb_fmt_us(b, rb_lj_num(lat, "p99")),
            rb_fmt_us(c, rb_lj_num(lat, "p99_9")));
}

/* ---- the SLO table ------------------------------------------------------------ */

static void md_slo_row(FILE *o, const json_t *root, const json_t *e)
{
    char a[32], b[32], c[32], d[32], en[32];
    const json_t *mr = json_object_get(e, "max_rate_cps");
    const json_t *cf = json_object_get(e, "confirm");
    double med = rb_lj_num(mr, "median"), lo = rb_lj_num(mr, "lo"), hi = rb_lj_num(mr, "hi");
    fprintf(o, "| %s | %s | %s | %.0f | %s ≤ %s µs | %s", rb_lj_str(e, "transport"),
            rb_lj_str(e, "method"), fentries(en, e), rb_lj_num(e, "concurrency"),
            rb_lj_str(e, "percentile"), rb_fmt_us(a, rb_lj_num(e, "bound_us")),
            med > 0 ? frate(b, med) : "none");
    if (med > 0 && isfinite(lo) && isfinite(hi) && lo != hi)
        fprintf(o, " (%s–%s)", frate(c, lo), frate(d, hi));
    if (json_is_true(json_object_get(e, "ceiling")))
        fprintf(o, " or more");
    fprintf(o, " | %lld/%lld |", (long long)json_integer_value(json_object_get(e, "confirmed_rounds")),
            (long long)json_integer_value(json_object_get(e, "confirm_runs")));
    const json_t *lat = json_object_get(cf, "latency_us");
    md_lat3(o, lat);
    fprintf(o, " %s |", rb_fmt_us(d, rb_lj_num2(cf, "service_time_us", "p99")));
    const json_t *cl = closed_twin(root, e);
    fprintf(o, " %s | %s |\n", frate(a, cl ? rb_lj_num(cl, "throughput_cps") : NAN),
            rb_fmt_us(b, cl ? rb_lj_num2(cl, "latency_us", "p99") : NAN));
}

/* One sentence naming the SLO entries with a flag ("unconfirmed": a
 * confirming run that missed), or nothing when none has it. */
static void md_slo_note(FILE *o, const json_t *slo, const char *flag, const char *text)
{
    size_t i, n = 0;
    const json_t *e;
    json_array_foreach(slo, i, e) {
        int has = strcmp(flag, "unconfirmed") == 0
                      ? rb_lj_num(e, "confirmed_rounds") < rb_lj_num(e, "confirm_runs")
                      : json_is_true(json_object_get(e, flag));
        if (!has)
            continue;
        fprintf(o, "%s%s %s", n ? ", " : "", rb_lj_str(e, "transport"), rb_lj_str(e, "method"));
        if (json_is_integer(json_object_get(e, "entries")))
            fprintf(o, " (%lld entries)", (long long)json_integer_value(json_object_get(e, "entries")));
        n++;
    }
    if (n)
        fprintf(o, ": %s.\n\n", text);
}

static void md_slo(FILE *o, const json_t *root)
{
    const json_t *slo = json_object_get(root, "slo"), *e;
    size_t i;
    if (!json_array_size(slo))
        return;
    fprintf(o, "### Highest rate within the SLO\n\n"
               "The highest offered rate (calls/s, Poisson or uniform arrivals as the run says) at "
               "which the percentile of latency counted from the intended send time stayed within "
               "the bound, with no failed call and at least 99 %% of the rate achieved: found by "
               "short open-loop steps that bracket it (from the closed-loop throughput, the rate "
               "divided or multiplied by 4, then bisected to 5 %%), then confirmed by a run of "
               "the full duration, stepping down by 20 %% after a miss (3 runs at most): the "
               "rate is the one a full run held, in every round. Median over rounds "
               "(lowest–highest). Beside it, the same stack in closed loop with as many "
               "connections: its throughput is the rate at which it saturates, and its p99 "
               "the latency at saturation without coordinated-omission correction.\n\n");
    fprintf(o, "| transport | method | entries | connections | SLO | max calls/s | confirming runs passed | "
               "confirming run p50 / p99 / p99.9 µs | its service time p99 µs | closed-loop calls/s | "
               "closed-loop p99 µs |\n|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|\n");
    json_array_foreach(slo, i, e)
        md_slo_row(o, root, e);
    fprintf(o, "\n");
    md_slo_note(o, slo, "capped", "the search hit its step cap before 5 % precision in some "
                "round (the rate found there is a lower bound)");
    md_slo_note(o, slo, "floor", "in some round no rate down to the lowest step tried met the "
                "SLO (that round counts 0)");
    md_slo_note(o, slo, "unconfirmed", "in some round no full-length run held the SLO, even "
                "stepped down twice by 20 %: that round's rate is the short steps' and unconfirmed "
                "(the machine was busier, or the stack's tail is longer than the steps show); "
                "trust the lower end of the spread");
}

/* ---- corrected against uncorrected ------------------------------------------ */

static void md_open_row(FILE *o, const json_t *s)
{
    char a[32], b[32], en[32];
    const json_t *lat = json_object_get(s, "latency_us"), *svc = json_object_get(s, "service_time_us");
    const json_t *flags = json_object_get(s, "schedule_flags"), *f;
    size_t i;
    fprintf(o, "| %s | %s | %s | %.0f | %s | %s | %s |", rb_lj_str(s, "transport"), rb_lj_str(s, "method"),
            fentries(en, s), rb_lj_num(s, "concurrency"), rb_lj_str(s, "arrivals"),
            frate(a, rb_lj_num2(s, "rate_cps", "target")), frate(b, rb_lj_num2(s, "rate_cps", "achieved")));
    md_lat3(o, lat);
    md_lat3(o, svc);
    fprintf(o, " %s |", rb_fmt_us(a, rb_lj_num2(s, "send_lag_us", "p99")));
    if (!json_array_size(flags))
        fprintf(o, " kept |\n");
    json_array_foreach(flags, i, f)
        fprintf(o, "%s**%s**%s", i ? ", " : " ", json_string_value(f) ? json_string_value(f) : "?",
                i + 1 == json_array_size(flags) ? " |\n" : "");
}

static void md_open(FILE *o, const json_t *root)
{
    const json_t *sc = json_object_get(root, "scenarios"), *s;
    size_t i, n = 0;
    json_array_foreach(sc, i, s)
        n += rb_lj_is_open(s);
    if (!n)
        return;
    fprintf(o, "### Open loop: corrected against uncorrected latency\n\n"
               "*Latency* (corrected) counts from the moment the schedule said the call was due: "
               "what a caller arriving at that rate waits, including time queued behind earlier "
               "calls of its connection. *Service time* (uncorrected) counts from the moment the "
               "call was actually sent, as closed loop and wrk's uncorrected figures do: the "
               "difference is the queueing that closed loop hides (coordinated omission). "
               "*Send lag* is how late calls were sent. A run is flagged when it achieved less "
               "than 99 %% of its target rate (`rate_short`) or its send lag kept growing "
               "(`lag_grows`): the generator or the server could not keep the schedule, so its "
               "latency belongs to a lower rate.\n\n");
    fprintf(o, "| transport | method | entries | connections | arrivals | target calls/s | "
               "achieved | latency p50 / p99 / p99.9 µs | service time p50 / p99 / p99.9 µs | "
               "send lag p99 µs | schedule |\n|---|---|---:|---:|---|---:|---:|---:|---:|---:|---|\n");
    json_array_foreach(sc, i, s)
        if (rb_lj_is_open(s))
            md_open_row(o, s);
    fprintf(o, "\n");
}

/* ---- the section --------------------------------------------------------------- */

static int has_timeline(const json_t *root)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(root, "scenarios"), i, s)
        if (rb_lj_timeline0(s))
            return 1;
    return 0;
}

int rb_report_load(FILE *md, const char *dir, const json_t *root, const rb_shape *sh)
{
    char gnuplot[4096];
    int have_gp = rb_gnuplot_find(gnuplot, sizeof gnuplot) == 0;
    const json_t *s;
    size_t i, open = 0;
    json_array_foreach(json_object_get(root, "scenarios"), i, s)
        open += rb_lj_is_open(s);
    if (!open && !json_array_size(json_object_get(root, "slo")) && !has_timeline(root))
        return RB_OK;
    fprintf(md, "## Under load\n\n");
    md_slo(md, root);
    md_open(md, root);
    char pdir[4096], note[256] = "";
    rb_load_made *mk = calloc(1, sizeof *mk);
    if (!mk)
        return RB_ENOMEM;
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    int rc = rb_load_plots(pdir, root, sh, have_gp ? gnuplot : NULL, mk, note, sizeof note);
    if (mk->n)
        fprintf(md, "### Over time and against rate\n\n");
    for (size_t k = 0; k < mk->n; k++)
        if (rb_file_nonempty(pdir, mk->name[k], "svg") && rb_file_nonempty(pdir, mk->name[k], "png"))
            fprintf(md, "![%s](plots/%s.svg)\n\n%s ([SVG](plots/%s.svg), [PNG](plots/%s.png))\n\n",
                    mk->title[k], mk->name[k], mk->title[k], mk->name[k], mk->name[k]);
    if (note[0])
        fprintf(md, "Note: %s.\n\n", note);
    if (mk->n)
        fprintf(md, "Timelines count each call in the 100 ms interval in which it completed "
                    "(offered: in which it was due), as calls/s; p99 is per interval, on a log "
                    "axis; red bars are failed calls. The data and the script are in plots/ "
                    "(`gnuplot load.gp`).\n\n");
    free(mk);
    return rc;
}
