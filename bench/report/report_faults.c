/* report_faults.c - the "Faults" section of report.md (report_faults.h),
 * from the model's fault records (model.h): per scenario the counts summed
 * over rounds and the median recovery times; the charts are plots/faults.c's.
 * Fault kinds come in the order of fault/fault.h's name table. */
#include "report/report_faults.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fault/fault.h"
#include "plots/faults.h"
#include "report/fmt.h"
#include "rb_error.h"

static const char *const classes[] = { "ok", "refused", "lost", "ambiguous", "duplicated" };

static void md_ms(FILE *o, double v)
{
    char b[32];
    fputs(isnan(v) ? "not in the window" : rb_fmt_num(b, round(v)), o);
}

/* "connect 351, timeout 3", or "–". */
static void md_failed(FILE *o, const rb_fault_rec *f)
{
    int any = 0;
    for (size_t k = 0; k < f->nfailed; k++) {
        const rb_kv *kv = &f->failed_by_kind[k];
        if (kv->v.kind == RB_V_INT && kv->v.i > 0) {
            fprintf(o, "%s%s %lld", any ? ", " : "", kv->key, kv->v.i);
            any = 1;
        }
    }
    if (!any)
        fputs("–", o);
}

static void md_row(FILE *o, const rb_scen_rec *s, int first_of_kind)
{
    char b[32];
    const rb_fault_rec *f = s->fault;
    fprintf(o, "| %s | %s | %s |", first_of_kind ? f->kind : "", s->sum.t->name,
            rb_fmt_num(b, f->calls));
    for (size_t c = 0; c < sizeof classes / sizeof *classes; c++)
        fprintf(o, " %s |", rb_fmt_num(b, f->cls[c]));
    fputs(" ", o);
    md_failed(o, f);
    fputs(" | ", o);
    md_ms(o, f->first_ok_ms);
    fputs(" | ", o);
    md_ms(o, f->rate_restored_ms);
    fputs(" |\n", o);
}

void rb_report_faults_md(FILE *o, const rb_results *r, const rb_plots *ps)
{
    if (!rb_results_has_faults(r))
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
        for (size_t i = 0; i < r->nall; i++) {
            const rb_scen_rec *s = &r->all[i];
            if (s->fault && strcmp(s->fault->kind, rb_fault_kind_name((rb_fault_kind)k)) == 0) {
                md_row(o, s, first);
                first = 0;
            }
        }
    }
    fputs("\n", o);
    for (size_t i = 0; i < r->nall; i++) {   /* a fault that could not be injected or undone */
        const rb_scen_rec *s = &r->all[i];
        for (size_t k = 0; s->fault && s->round_fault && k < s->nrounds; k++) {
            const char *e = s->round_fault[k].error;
            if (e) {
                fprintf(o, "- %s, round %zu: ", s->sum.t->name, k + 1);
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
