/* compare.c - `rpcbench compare A B`: ratios B/A per common scenario, and
 * whether each change is real (the rounds' spreads do not overlap) or noise.
 */
#include "report/compare.h"

#include <math.h>
#include <string.h>

#include "rb_error.h"

rb_change rb_compare_figure(double a, rb_spread as, double b, rb_spread bs, double *ratio)
{
    double q = NAN;
    int ov;

    if (!isnan(a) && !isnan(b) && a != 0)
        q = b / a;
    if (ratio)
        *ratio = q;
    if (isnan(q))
        return RB_CHANGE_UNKNOWN;
    ov = rb_spread_overlap(as.lo, as.hi, bs.lo, bs.hi);
    if (ov < 0)
        return RB_CHANGE_UNKNOWN;
    return ov ? RB_CHANGE_NOISE : RB_CHANGE_REAL;
}

static const rb_summary *find_same(const rb_results *r, const rb_summary *s)
{
    for (size_t i = 0; i < r->n; i++) {
        const rb_summary *o = &r->sc[i];
        if (strcmp(o->t->name, s->t->name) == 0 && strcmp(o->method, s->method) == 0 &&
            o->entries == s->entries && o->concurrency == s->concurrency)
            return o;
    }
    return NULL;
}

/* A spread is only evidence with two rounds or more. */
static rb_spread spread_or_none(rb_spread s, long rounds)
{
    if (rounds < 2)
        s.lo = s.hi = NAN;
    return s;
}

/* "1.020 ~", "0.610 better", "1.300 worse", "n/a" in a 14-wide column;
 * lower_better: whether a ratio below 1 is an improvement. Counts real
 * changes into *better / *worse. */
static void cell(FILE *out, double q, rb_change c, int lower_better, int *better, int *worse,
                 int last)
{
    char b[32];
    const char *m = "?";

    if (c == RB_CHANGE_NOISE) {
        m = "~";
    } else if (c == RB_CHANGE_REAL) {
        int good = lower_better ? q < 1 : q > 1;
        m = good ? "better" : "worse";
        *(good ? better : worse) += 1;
    }
    if (isnan(q))
        snprintf(b, sizeof b, "n/a");
    else
        snprintf(b, sizeof b, "%.3f %s", q, m);
    fprintf(out, last ? " %s" : " %-14s", b);
}

/* Each run's p50 ratio to its floor, as results.json has it (the median
 * of per-round ratios, the one definition): "8.22→7.90", "1→1" for the
 * floor, "–" when unknown. Written into b. */
static const char *floor_ratios(char *b, size_t len, const rb_summary *a, const rb_summary *s)
{
    if (a->t->is_floor && s->t->is_floor)
        snprintf(b, len, "1→1");
    else if (isnan(a->r_p50.median) || isnan(s->r_p50.median))
        snprintf(b, len, "–");
    else
        snprintf(b, len, "%.2f→%.2f", a->r_p50.median, s->r_p50.median);
    return b;
}

static void describe(FILE *out, const char *label, const char *name, const rb_results *r)
{
    const rb_env *env = &r->env;
    const char *c = rb_value_str(rb_kv_get(env->top, env->ntop, "git_commit"), "?");
    const char *t = rb_value_str(rb_kv_get(env->top, env->ntop, "started_utc"), "?");
    const char *h = rb_value_str(rb_kv_get(env->top, env->ntop, "host"), "?");
    long rounds = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->sc[i].rounds > rounds)
            rounds = r->sc[i].rounds;
    fprintf(out, "%s: %s  (started %s, host %s, commit %s, %zu scenarios, %ld round%s)\n", label,
            name, t, h, c, r->n, rounds, rounds == 1 ? "" : "s");
}

int rb_compare_print(FILE *out, const char *name_a, const rb_results *a,
                     const char *name_b, const rb_results *b)
{
    int common = 0, better = 0, worse = 0;
    size_t only_a = 0, only_b = 0;

    describe(out, "A", name_a, a);
    describe(out, "B", name_b, b);
    fprintf(out, "\n%-36s %-14s %-14s %-14s %-14s %s\n", "scenario (B/A)", "p50", "p99",
            "throughput", "wire bytes", "p50×floor A→B");
    for (size_t i = 0; i < a->n; i++) {
        const rb_summary *sa = &a->sc[i], *sb = find_same(b, sa);
        char label[96];
        double q;
        rb_change c;

        if (!sb) {
            only_a++;
            continue;
        }
        common++;
        if (sa->entries >= 0)
            snprintf(label, sizeof label, "%s %s e%ld c%ld", sa->t->name, sa->method,
                     sa->entries, sa->concurrency);
        else
            snprintf(label, sizeof label, "%s %s c%ld", sa->t->name, sa->method, sa->concurrency);
        fprintf(out, "%-36s", label);
        c = rb_compare_figure(sa->lat.p50, spread_or_none(sa->sp_p50, sa->rounds), sb->lat.p50,
                              spread_or_none(sb->sp_p50, sb->rounds), &q);
        cell(out, q, c, 1, &better, &worse, 0);
        c = rb_compare_figure(sa->lat.p99, spread_or_none(sa->sp_p99, sa->rounds), sb->lat.p99,
                              spread_or_none(sb->sp_p99, sb->rounds), &q);
        cell(out, q, c, 1, &better, &worse, 0);
        c = rb_compare_figure(sa->throughput_cps, spread_or_none(sa->sp_tput, sa->rounds),
                              sb->throughput_cps, spread_or_none(sb->sp_tput, sb->rounds), &q);
        cell(out, q, c, 0, &better, &worse, 0);
        c = rb_compare_figure(rb_summary_wire(sa), spread_or_none(sa->sp_wire, sa->rounds), rb_summary_wire(sb),
                              spread_or_none(sb->sp_wire, sb->rounds), &q);
        cell(out, q, c, 1, &better, &worse, 0);
        fprintf(out, " %s\n", floor_ratios(label, sizeof label, sa, sb));
    }
    for (size_t i = 0; i < b->n; i++)
        if (!find_same(a, &b->sc[i]))
            only_b++;
    fprintf(out, "\n%d scenarios in both, %zu only in A, %zu only in B; %d real changes "
                 "(%d better, %d worse).\n", common, only_a, only_b, better + worse, better, worse);
    fprintf(out, "better/worse: a real change, the rounds' spreads of A and B do not overlap; "
                 "~: they overlap (noise, not a change); ?: no spread to judge (one round, or "
                 "not measured). Wire bytes are total (both hops) where measured. "
                 "p50×floor: each run's p50 ratio to the floor transport, the median of its "
                 "per-round ratios (as in results.json and report.md).\n");
    return common;
}

int rb_compare_main(int argc, char **argv)
{
    rb_results a = { 0 }, b = { 0 };
    int rc = 1;

    if (argc != 3 || argv[1][0] == '-' || argv[2][0] == '-') {
        fprintf(stderr, "usage: rpcbench compare A B\n"
                        "  A, B: results folders or results.json files; prints the ratio B/A\n"
                        "  per common scenario and whether each change is real\n");
        return 2;
    }
    if (rb_results_read(argv[1], &a) != 0 || rb_results_read(argv[2], &b) != 0)
        goto done;
    if (rb_compare_print(stdout, argv[1], &a, argv[2], &b) == 0) {
        fprintf(stderr, "rpcbench compare: the two runs have no scenario in common\n");
        goto done;
    }
    rc = 0;
done:
    rb_results_free(&a);
    rb_results_free(&b);
    return rc;
}
