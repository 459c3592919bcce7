/* pick.c - report.md's "How to pick": the fastest, smallest, cheapest and
 * best-under-concurrency candidate per method, named only against the
 * transports whose round spreads it does not overlap. */
#include "report/pick.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/fmt.h"

/* The candidates of "How to pick" exclude the floor: it is not a stack. */
static size_t pick_group(const rb_results *r, const rb_shape *sh, const char *me, long en, long co,
                         const rb_summary **g)
{
    const rb_summary *all[RB_SHAPE_MAX];
    size_t na = rb_shape_group(r, sh, me, en, co, all), n = 0;
    for (size_t i = 0; i < na; i++)
        if (!all[i]->t->is_floor && rb_summary_failures(all[i]) == 0)
            g[n++] = all[i];
    return n;
}

/* Those of g whose spread of a figure overlaps the best one's. */
static void md_ties(FILE *o, const rb_summary *const *g, size_t n, const rb_summary *best, int tput)
{
    int first = 1;
    const rb_spread *b = tput ? &best->sp_tput : &best->sp_p50;
    for (size_t i = 0; i < n; i++) {
        const rb_spread *a = tput ? &g[i]->sp_tput : &g[i]->sp_p50;
        if (g[i] == best || rb_spread_overlap(a->lo, a->hi, b->lo, b->hi) != 1)
            continue;
        fprintf(o, "%s%s", first ? "; not distinguishable from " : ", ", g[i]->t->name);
        first = 0;
    }
    if (!first)
        fprintf(o, " (the rounds' spreads overlap)");
}

static double fig_p50(const rb_summary *s) { return s->lat.p50; }
static double fig_tput(const rb_summary *s) { return s->throughput_cps; }

/* The member of g[0..n) with the lowest (highest: the highest) known
 * figure, the first on a tie; NULL when none is known. */
static const rb_summary *best_by(const rb_summary *const *g, size_t n,
                                 double (*fig)(const rb_summary *), int highest)
{
    const rb_summary *best = NULL;
    for (size_t i = 0; i < n; i++) {
        double v = fig(g[i]);
        if (!isnan(v) && (!best || (highest ? v > fig(best) : v < fig(best))))
            best = g[i];
    }
    return best;
}

static void pick_fastest(FILE *o, const rb_shape *sh, const rb_summary *const *g, size_t n)
{
    const rb_summary *best = best_by(g, n, fig_p50, 0);
    char x[32], y[32], a[100];
    if (!best)
        return;
    fprintf(o, "- Fastest (p50): **%s**, %s µs, p99 %s µs", best->t->name,
            rb_fmt_us(x, best->lat.p50), rb_fmt_us(y, best->lat.p99));
    if (!isnan(best->r_p50.median))
        fprintf(o, ", %s the %s floor", rb_fmt_ratio(a, best->r_p50), sh->floor);
    md_ties(o, g, n, best, 0);
    fprintf(o, "%s.\n", n == 1 ? " (the only candidate)" : "");
}

static void pick_wire(FILE *o, const rb_summary *const *g, size_t n)
{
    const rb_summary *best = best_by(g, n, rb_summary_wire, 0);
    char x[32], y[32];
    if (!best)
        return;
    fprintf(o, "- Smallest on the wire: **%s**, %s bytes per call (TCP payload, both "
               "directions%s; body %s).\n", best->t->name, rb_fmt_num(x, rb_summary_wire(best)),
            best->t->broker != RB_BROKER_NONE ? ", both hops" : "",
            rb_fmt_num(y, best->body_req + best->body_rep));
}

static void pick_cpu(FILE *o, const rb_summary *const *g, size_t n)
{
    const rb_summary *best = best_by(g, n, rb_summary_cpu, 0);
    char x[32], y[32], z[32];
    if (!best)
        return;
    fprintf(o, "- Cheapest in CPU: **%s**, %s µs per call (client %s + server %s",
            best->t->name, rb_fmt_us(x, rb_summary_cpu(best)), rb_fmt_us(y, best->cpu_client),
            rb_fmt_us(z, best->cpu_server));
    if (!isnan(best->cpu_broker))
        fprintf(o, " + broker %s", rb_fmt_us(z, best->cpu_broker));
    fprintf(o, ").\n");
}

/* Best under concurrency: highest throughput at the most clients. */
static void pick_conc(FILE *o, const rb_results *r, const rb_shape *sh, const char *me, long en)
{
    long cv[RB_SHAPE_MAX];
    size_t nc = rb_shape_conc(r, me, cv);
    const rb_summary *h[RB_SHAPE_MAX], *best, *one;
    char x[32];
    if (nc <= 1) {
        fprintf(o, "- Best under concurrency: not measured (one concurrency value was run).\n");
        return;
    }
    size_t nh = pick_group(r, sh, me, en, cv[nc - 1], h);
    best = best_by(h, nh, fig_tput, 1);
    if (!best)
        return;
    one = rb_shape_find(r, best->t->name, me, en, cv[0]);
    fprintf(o, "- Best under concurrency: **%s**, %s calls/s with %ld clients",
            best->t->name, rb_fmt_num(x, best->throughput_cps), cv[nc - 1]);
    if (one && one->throughput_cps > 0)
        fprintf(o, " (%.2f× its throughput with %ld)", best->throughput_cps / one->throughput_cps, cv[0]);
    md_ties(o, h, nh, best, 1);
    fprintf(o, ".\n");
}

static void pick_method(FILE *o, const rb_results *r, const rb_shape *sh, const char *me)
{
    long en = rb_shape_ref_entries(r, me), co = rb_shape_ref_conc(r, me);
    const rb_summary *g[RB_SHAPE_MAX];
    size_t n = pick_group(r, sh, me, en, co, g);
    char where[64];

    if (en >= 0)
        snprintf(where, sizeof where, "%ld entries, %ld client%s", en, co, co == 1 ? "" : "s");
    else
        snprintf(where, sizeof where, "%ld client%s", co, co == 1 ? "" : "s");
    fprintf(o, "**%s** (%s)\n\n", me, where);
    if (n == 0) {
        int others = 0;
        for (size_t t = 0; t < sh->ntr; t++)
            others |= !rb_shape_desc(r, sh->tr[t])->is_floor && rb_shape_find(r, sh->tr[t], me, en, co);
        if (others)
            fprintf(o, "- every transport other than %s had failed calls: nothing to "
                       "recommend.\n\n", sh->floor);
        else
            fprintf(o, "- only the %s floor was run: nothing to compare.\n\n", sh->floor);
        return;
    }
    pick_fastest(o, sh, g, n);
    pick_wire(o, g, n);
    pick_cpu(o, g, n);
    pick_conc(o, r, sh, me, en);
    fprintf(o, "\n");
}

void rb_md_pick(FILE *o, const rb_results *r, const rb_shape *sh)
{
    fprintf(o, "## How to pick\n\n");
    fprintf(o, "Generated from the figures above (medians over rounds; `%s` is the floor, "
               "not a candidate; transports with failed calls are left out). "
               "A winner is named only against the transports whose spreads it does not overlap.\n\n",
            sh->floor);
    for (size_t m = 0; m < sh->nme; m++)
        pick_method(o, r, sh, sh->me[m]);
}
