/* report_faults.c - the "Faults" section of report.md and its timeline
 * plots (report_faults.h). Reads the `fault` objects of results.json as the
 * run wrote them: per scenario the counts summed over rounds and the median
 * recovery times; per round a 100 ms timeline. */
#include "report/report_faults.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fault/fault.h"
#include "report/fmt.h"
#include "plots/plots_int.h"
#include "rb_error.h"

static const char *const classes[] = { "ok", "refused", "lost", "ambiguous", "duplicated" };

/* results.json's scenarios, closed and open loop alike (r->sc holds the
 * closed-loop ones only): the fault section reads them from the document. */
static size_t nscen(const rb_results *r)
{
    return json_array_size(json_object_get((json_t *)r->root, "scenarios"));
}

static json_t *scen(const rb_results *r, size_t i)
{
    return json_array_get(json_object_get((json_t *)r->root, "scenarios"), i);
}

/* Scenario i's `fault` object, or NULL. */
static json_t *fault_of(const rb_results *r, size_t i)
{
    json_t *f = json_object_get(scen(r, i), "fault");
    return json_is_object(f) ? f : NULL;
}

static const char *tname(const rb_results *r, size_t i)
{
    const char *n = json_string_value(json_object_get(scen(r, i), "transport"));
    return n ? n : "?";
}

int rb_report_has_faults(const rb_results *r)
{
    for (size_t i = 0; i < nscen(r); i++)
        if (fault_of(r, i))
            return 1;
    return 0;
}

static int is_kind(json_t *f, int k)
{
    const char *s = json_string_value(json_object_get(f, "kind"));
    return s && strcmp(s, rb_fault_kind_name((rb_fault_kind)k)) == 0;
}

static double jnum(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The first round's fault object of scenario i (its timeline). */
static json_t *round_fault(const rb_results *r, size_t i)
{
    json_t *per = json_object_get(scen(r, i), "per_round");
    for (size_t k = 0; k < json_array_size(per); k++) {
        json_t *f = json_object_get(json_array_get(per, k), "fault");
        if (json_is_object(f) && json_is_array(json_object_get(f, "timeline")))
            return f;
    }
    return NULL;
}

/* One fault kind: NAME.dat, a block per transport (t from the fault in ms,
 * ok calls as % of the rate before the fault, p99 µs). */
static int plot_kind(const char *pdir, const rb_results *r, const rb_shape *sh, int k, FILE *gp,
                     rb_plots *ps)
{
    char path[4096], name[64], title[160];
    const char *kn = rb_fault_kind_name((rb_fault_kind)k);
    snprintf(name, sizeof name, "fault_%s", kn);
    snprintf(path, sizeof path, "%s/%s.dat", pdir, name);
    FILE *d = fopen(path, "w");
    if (!d)
        return RB_EIO;
    int blocks = 0;
    const char *names[64];
    for (size_t i = 0; i < nscen(r) && blocks < 64; i++) {
        json_t *f = fault_of(r, i), *rf = round_fault(r, i);
        if (!f || !is_kind(f, k) || !rf)
            continue;
        double at = jnum(rf, "at_ms"), target = jnum(rf, "target_cps");
        json_t *tl = json_object_get(rf, "timeline");
        fprintf(d, "%s# %s\n", blocks ? "\n\n" : "", tname(r, i));
        for (size_t b = 0; b < json_array_size(tl); b++) {
            json_t *e = json_array_get(tl, b);
            double ok = jnum(e, "calls") - jnum(e, "failures"), p99 = jnum(e, "p99_us");
            double pct = target > 0 ? ok / (target * 0.1) * 100 : NAN;
            fprintf(d, "%.1f ", jnum(e, "t_ms") + 50 - (isnan(at) ? 0 : at));
            fprintf(d, isnan(pct) ? "NaN " : "%.2f ", pct);
            fprintf(d, isnan(p99) ? "NaN\n" : "%.3f\n", p99);
        }
        names[blocks++] = tname(r, i);
    }
    if (fclose(d) != 0)
        return RB_EIO;
    if (!blocks) {
        remove(path);   /* no scenario of this kind */
        return 0;
    }
    snprintf(title, sizeof title, "%s: ok calls (%% of the rate before the fault) and p99 "
             "latency per 100 ms, first round; the fault at 0", kn);
    if (!ps || ps->n == RB_MAXPLOTS)
        return 0;
    rb_plot *p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->title, sizeof p->title, "%s", title);
    for (int term = 0; term < 2; term++) {
        fprintf(gp, "\n# --- %s (%s)\nreset\n", name, term ? "png" : "svg");
        if (term)
            fprintf(gp, "set terminal pngcairo size 900,700 noenhanced font 'sans,10' background rgb 'white'\n");
        else
            fprintf(gp, "set terminal svg size 900,700 dynamic noenhanced font 'sans,12' background rgb 'white'\n");
        fprintf(gp, "set output '%s.%s'\nset multiplot layout 2,1 title '%s'\n", name,
                term ? "png" : "svg", kn);
        fprintf(gp, "set grid\nset key outside right top\nset xlabel 'ms from the fault'\n"
                    "set lmargin 12\nset rmargin 24\n"
                    "set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 2\n"
                    "set ylabel 'ok calls, %% of before'\nset yrange [0:*]\nplot ");
        for (int b = 0; b < blocks; b++)
            fprintf(gp, "%s'%s.dat' index %d using 1:2 with lines lw 1.5 lc rgb '%s' title '%s'",
                    b ? ", " : "", name, b, rb_plot_colour(sh, names[b]), names[b]);
        fprintf(gp, "\nset ylabel 'p99 latency, µs'\nset logscale y\nset yrange [*:*]\nplot ");
        for (int b = 0; b < blocks; b++)
            fprintf(gp, "%s'%s.dat' index %d using 1:3 with linespoints pt 7 ps 0.4 lc rgb '%s' "
                        "title '%s'", b ? ", " : "", name, b, rb_plot_colour(sh, names[b]), names[b]);
        fprintf(gp, "\nunset multiplot\nunset output\n");
    }
    return 0;
}

int rb_plots_faults(const char *pdir, const rb_results *r, const rb_shape *sh, FILE *gp,
                    rb_plots *ps)
{
    for (int k = 1; k < RB_FAULT__COUNT; k++)
        if (plot_kind(pdir, r, sh, k, gp, ps) != 0)
            return RB_EIO;
    return 0;
}

static void md_ms(FILE *o, double v)
{
    char b[32];
    fputs(isnan(v) ? "not in the window" : rb_fmt_num(b, round(v)), o);
}

/* "connect 351, timeout 3", or "–". */
static void md_failed(FILE *o, json_t *fb)
{
    const char *key;
    json_t *v;
    int any = 0;
    json_object_foreach(fb, key, v) {
        if (json_integer_value(v) > 0) {
            fprintf(o, "%s%s %lld", any ? ", " : "", key, (long long)json_integer_value(v));
            any = 1;
        }
    }
    if (!any)
        fputs("–", o);
}

static void md_row(FILE *o, const rb_results *r, size_t i, json_t *f, int first_of_kind)
{
    char b[32];
    fprintf(o, "| %s | %s | %s |", first_of_kind ? json_string_value(json_object_get(f, "kind")) : "",
            tname(r, i), rb_fmt_num(b, jnum(f, "calls")));
    for (size_t c = 0; c < sizeof classes / sizeof *classes; c++)
        fprintf(o, " %s |", rb_fmt_num(b, jnum(f, classes[c])));
    fputs(" ", o);
    md_failed(o, json_object_get(f, "failed_by_kind"));
    json_t *rec = json_object_get(f, "recovery_ms");
    fputs(" | ", o);
    md_ms(o, jnum(rec, "first_ok"));
    fputs(" | ", o);
    md_ms(o, jnum(rec, "rate_restored"));
    fputs(" |\n", o);
}

void rb_report_faults_md(FILE *o, const rb_results *r, const rb_plots *ps)
{
    if (!rb_report_has_faults(r))
        return;
    fprintf(o, "## Faults\n\n"
        "Each fault was injected once per scenario and round into a load of sendObj calls; "
        "every call carried an id, and each server journaled the ids it executed, so every "
        "call is in exactly one class: **ok** (executed once, answered), **refused** (never "
        "sent: no connection, or returned unrouted by the broker; a clean failure, safe to "
        "retry), **lost** "
        "(sent, never executed), **ambiguous** (executed, but the client saw a failure or no "
        "answer), **duplicated** (executed more than once). Counts are summed over rounds. "
        "*first ok*: ms from the fault taking effect to the first successful call sent after "
        "it; *rate restored*: to the start of the first two 100 ms buckets that each complete "
        "at least 90 %% of the ok rate before the fault (medians over rounds). The window "
        "lasts until at least a call deadline (--timeout) + 1 s after the fault was undone.\n\n"
        "| fault | transport | calls | ok | refused | lost | ambiguous | duplicated | "
        "failed, by kind | first ok, ms | rate restored, ms |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
    for (int k = 1; k < RB_FAULT__COUNT; k++) {
        int first = 1;
        for (size_t i = 0; i < nscen(r); i++) {
            json_t *f = fault_of(r, i);
            if (f && is_kind(f, k)) {
                md_row(o, r, i, f, first);
                first = 0;
            }
        }
    }
    fputs("\n", o);
    for (size_t i = 0; i < nscen(r); i++) {   /* a fault that could not be injected or undone */
        json_t *per = json_object_get(scen(r, i), "per_round");
        for (size_t k = 0; fault_of(r, i) && k < json_array_size(per); k++) {
            const char *e = json_string_value(json_object_get(
                json_object_get(json_array_get(per, k), "fault"), "error"));
            if (e) {
                fprintf(o, "- %s, round %zu: ", tname(r, i), k + 1);
                rb_md_text(o, e);
                fputs("\n", o);
            }
        }
    }
    for (size_t i = 0; ps && i < ps->n; i++)
        if (ps->p[i].ok && strncmp(ps->p[i].name, "fault_", 6) == 0)
            fprintf(o, "![%s](plots/%s.svg)\n\n%s ([SVG](plots/%s.svg), [PNG](plots/%s.png))\n\n",
                    ps->p[i].title, ps->p[i].name, ps->p[i].title, ps->p[i].name, ps->p[i].name);
}
