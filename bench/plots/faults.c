/* faults.c - the fault timeline charts (faults.h). Fault kinds come in the
 * order of fault/fault.h's table, the one name table of the kinds. */
#include "plots/faults.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fault/fault.h"
#include "rb_error.h"

int rb_results_has_faults(const rb_results *r)
{
    for (size_t i = 0; i < r->nall; i++)
        if (r->all[i].fault)
            return 1;
    return 0;
}

/* The first round's fault of scenario s that has a timeline, or NULL. */
static const rb_round_fault *round_fault(const rb_scen_rec *s)
{
    for (size_t k = 0; s->round_fault && k < s->nrounds; k++)
        if (s->round_fault[k].present && s->round_fault[k].has_timeline)
            return &s->round_fault[k];
    return NULL;
}

/* The .dat of fault kind kn: a block per transport (t from the fault in
 * ms, ok calls as % of the rate before the fault, p99 µs). Returns the
 * blocks written (names[] gets their transports), or RB_EIO. */
static int kind_dat(const char *pdir, const char *name, const rb_results *r, const char *kn,
                    const char **names)
{
    FILE *d = rb_plot_dat(pdir, name);
    int blocks = 0;
    if (!d)
        return RB_EIO;
    for (size_t i = 0; i < r->nall && blocks < 64; i++) {
        const rb_scen_rec *s = &r->all[i];
        const rb_round_fault *rf = round_fault(s);
        if (!s->fault || strcmp(s->fault->kind, kn) != 0 || !rf)
            continue;
        double at = rf->at_ms, target = rf->target_cps;
        fprintf(d, "%s# %s\n", blocks ? "\n\n" : "", s->sum.t->name);
        for (size_t b = 0; b < rf->ntl; b++) {
            const rb_tl_point *e = &rf->tl[b];
            double ok = (double)e->calls - (double)e->failures;
            double pct = target > 0 ? ok / (target * 0.1) * 100 : NAN;
            fprintf(d, "%.1f", e->t_ms + 50 - (isnan(at) ? 0 : at));
            if (isnan(pct))
                fputs(" " RB_DAT_MISSING, d);
            else
                fprintf(d, " %.2f", pct);
            rb_dat_fixed(d, e->p99_us);
            fputc('\n', d);
        }
        names[blocks++] = s->sum.t->name;
    }
    return fclose(d) != 0 ? RB_EIO : blocks;
}

static int plot_kind(const char *pdir, const rb_results *r, const rb_shape *sh, int k, FILE *gp,
                     rb_plots *ps)
{
    char name[64], title[160];
    const char *kn = rb_fault_kind_name((rb_fault_kind)k), *names[64];
    rb_chart c;
    snprintf(name, sizeof name, "fault_%s", kn);
    int blocks = kind_dat(pdir, name, r, kn, names);
    if (blocks < 0)
        return RB_EIO;
    if (!blocks) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.dat", pdir, name);
        remove(path);   /* no scenario of this kind */
        return 0;
    }
    snprintf(title, sizeof title, "%s: ok calls (%% of the rate before the fault) and p99 "
             "latency per 100 ms, first round; the fault at 0", kn);
    if (!rb_plot_add(ps, title, name, RB_SCRIPT_MAIN))
        return 0;
    FILE *g = rb_chart_begin(&c, name, 900, 700);
    if (!g)
        return RB_EIO;
    fprintf(g, "set multiplot layout 2,1 title '%s'\nset xlabel 'ms from the fault'\n"
               "set lmargin 12\nset rmargin 24\n"
               "set arrow 1 from 0, graph 0 to 0, graph 1 nohead dt 2\n"
               "set ylabel 'ok calls, %% of before'\nset yrange [0:*]\nplot ", kn);
    for (int b = 0; b < blocks; b++)
        fprintf(g, "%s'%s.dat' index %d using 1:2 with lines lw 1.5 lc rgb '%s' title '%s'",
                b ? ", " : "", name, b, rb_plot_colour(sh, names[b]), names[b]);
    fprintf(g, "\nset ylabel 'p99 latency, µs'\nset logscale y\nset yrange [*:*]\nplot ");
    for (int b = 0; b < blocks; b++)
        fprintf(g, "%s'%s.dat' index %d using 1:3 with linespoints pt 7 ps 0.4 lc rgb '%s' "
                   "title '%s'", b ? ", " : "", name, b, rb_plot_colour(sh, names[b]), names[b]);
    fprintf(g, "\nunset multiplot\n");
    return rb_chart_end(gp, &c);
}

int rb_plots_faults(const char *pdir, const rb_results *r, const rb_shape *sh, FILE *gp,
                    rb_plots *ps)
{
    for (int k = 1; k < RB_FAULT__COUNT; k++)
        if (plot_kind(pdir, r, sh, k, gp, ps) != 0)
            return RB_EIO;
    return 0;
}
