/* plots_lines.c - lines against a run's sweeps: p50 and bytes per call
 * against the entry count (log-log, at the lowest concurrency), and
 * throughput against client threads (log-log, error bars: lowest and
 * highest round). One line per transport in its own colour; a transport
 * whose wire bytes were not measured keeps its body line and says so in
 * the key. */
#include "plots/plots_lines.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rb_error.h"

/* The transports of sh with a scenario of method me at concurrency co for
 * some entries value > 0 (x-axis values ev[0..ne)), into tv. */
static size_t entries_transports(const rb_results *r, const rb_shape *sh, const char *me,
                                 const long *ev, size_t ne, long co, const char **tv)
{
    size_t n = 0;
    for (size_t t = 0; t < sh->ntr; t++) {
        int any = 0;
        for (size_t e = 0; e < ne; e++)
            any |= ev[e] > 0 && rb_shape_find(r, sh->tr[t], me, ev[e], co) != NULL;
        if (any)
            tv[n++] = sh->tr[t];
    }
    return n;
}

/* One block per transport: entries p50 body wire. has_wire[i]: any wire
 * figure of tv[i] known. */
static int entries_dat(const char *pdir, const char *name, const rb_results *r, const char *me,
                       const long *ev, size_t ne, long co, const char **tv, size_t nt,
                       int *has_wire)
{
    FILE *d = rb_plot_dat(pdir, name);
    if (!d)
        return RB_EIO;
    fprintf(d, "# %s at %ld client(s): entries p50_us body_bytes wire_bytes; one block per "
               "transport; n/a: not measured\n", me, co);
    for (size_t t = 0; t < nt; t++) {
        fprintf(d, "# %s\n", tv[t]);
        has_wire[t] = 0;
        for (size_t e = 0; e < ne; e++) {
            const rb_summary *s = rb_shape_find(r, tv[t], me, ev[e], co);
            if (!s || ev[e] <= 0)      /* 0 entries has no place on a log axis */
                continue;
            fprintf(d, "%ld", ev[e]);
            rb_dat_val(d, s->lat.p50);
            rb_dat_val(d, s->body_req + s->body_rep);
            rb_dat_val(d, rb_summary_wire(s));
            fputc('\n', d);
            has_wire[t] |= !isnan(rb_summary_wire(s));
        }
        fprintf(d, "\n\n");
    }
    return fclose(d) ? RB_EIO : 0;
}

static void entries_p50_script(FILE *g, const char *dat, const rb_shape *sh, const char **tv,
                               size_t nt)
{
    fprintf(g, "set ylabel 'p50 latency (µs)'\nplot");
    for (size_t t = 0; t < nt; t++)
        fprintf(g, "%s '%s.dat' index %zu using 1:2 with linespoints lw 2 lc rgb '%s' title '%s'",
                t ? ", \\\n    " : " ", dat, t, rb_plot_colour(sh, tv[t]), tv[t]);
    fprintf(g, "\n");
}

static void entries_bytes_script(FILE *g, const char *dat, const rb_shape *sh, const char **tv,
                                 size_t nt, const int *has_wire)
{
    fprintf(g, "set ylabel 'bytes per call'\nplot");
    for (size_t t = 0; t < nt; t++) {
        const char *col = rb_plot_colour(sh, tv[t]);
        if (has_wire[t])
            fprintf(g, "%s '%s.dat' index %zu using 1:4 with linespoints lw 2 lc rgb '%s' "
                       "title '%s', '' index %zu using 1:3 with lines lw 1.5 dt 2 lc rgb '%s' "
                       "notitle", t ? ", \\\n    " : " ", dat, t, col, tv[t], t, col);
        else
            fprintf(g, "%s '%s.dat' index %zu using 1:3 with linespoints lw 1.5 dt 2 lc rgb '%s' "
                       "title '%s (wire n/a: body only)'", t ? ", \\\n    " : " ", dat, t, col,
                    tv[t]);
    }
    fprintf(g, ", \\\n    keyentry with lines lw 2 lc rgb '#555555' title 'solid: wire (TCP payload)'"
               ", \\\n    keyentry with lines lw 1.5 dt 2 lc rgb '#555555' title 'dashed: body'\n");
}

int rb_plot_entries(const char *pdir, const rb_results *r, const rb_shape *sh, const char *me,
                    FILE *gp, rb_plots *ps)
{
    long ev[RB_SHAPE_MAX], co = rb_shape_ref_conc(r, me);
    size_t ne = rb_shape_entries(r, me, ev), npos = 0;
    const char *tv[RB_SHAPE_MAX];
    int has_wire[RB_SHAPE_MAX];
    char name[64], title[160], cl[32];

    for (size_t e = 0; e < ne; e++)
        npos += ev[e] > 0;
    if (npos < 2)
        return 0;
    size_t nt = entries_transports(r, sh, me, ev, ne, co, tv);
    snprintf(name, sizeof name, "entries-%s", me);
    if (entries_dat(pdir, name, r, me, ev, ne, co, tv, nt, has_wire) != 0)
        return RB_EIO;
    for (int which = 0; which < 2; which++) {
        char pn[96];
        rb_chart c;
        snprintf(pn, sizeof pn, "%s-%s", which ? "bytes" : "p50", name);
        snprintf(title, sizeof title, which ? "Bytes per call against entries, %s, %s"
                                            : "p50 latency against entries, %s, %s",
                 me, rb_clients(cl, co));
        if (!rb_plot_add(ps, title, pn, RB_SCRIPT_MAIN))
            return 0;
        if (!rb_chart_begin(&c, pn, RB_CHART_W, RB_CHART_H))
            return RB_EIO;
        fprintf(c.f, "set title '%s'\nset logscale xy\nset xlabel 'entries in the object'\n", title);
        if (which)
            entries_bytes_script(c.f, name, sh, tv, nt, has_wire);
        else
            entries_p50_script(c.f, name, sh, tv, nt);
        if (rb_chart_end(gp, &c) != 0)
            return RB_EIO;
    }
    return 0;
}

/* Throughput against concurrency, with the rounds' spread as error bars,
 * on log axes: tcp's hundreds of thousands and AMQP's thousands both read. */
int rb_plot_conc(const char *pdir, const rb_results *r, const rb_shape *sh, const char *me,
                 FILE *gp, rb_plots *ps)
{
    long cv[RB_SHAPE_MAX], en = rb_shape_ref_entries(r, me);
    size_t nc = rb_shape_conc(r, me, cv), nt = 0;
    const char *tv[RB_SHAPE_MAX];
    char name[96], title[160], ent[48] = "";
    rb_chart c;

    if (nc < 2)
        return 0;
    snprintf(name, sizeof name, "throughput-%s", me);
    FILE *d = rb_plot_dat(pdir, name);
    if (!d)
        return RB_EIO;
    fprintf(d, "# %s: clients calls_per_s lowest_round highest_round; one block per transport\n", me);
    for (size_t t = 0; t < sh->ntr; t++) {
        int any = 0;
        for (size_t c = 0; c < nc; c++) {
            const rb_summary *s = rb_shape_find(r, sh->tr[t], me, en, cv[c]);
            if (!s)
                continue;
            if (!any)
                fprintf(d, "# %s\n", sh->tr[t]);
            any = 1;
            fprintf(d, "%ld", cv[c]);
            rb_dat_val(d, s->throughput_cps);
            rb_dat_val(d, isnan(s->sp_tput.lo) ? s->throughput_cps : s->sp_tput.lo);
            rb_dat_val(d, isnan(s->sp_tput.hi) ? s->throughput_cps : s->sp_tput.hi);
            fputc('\n', d);
        }
        if (any) {
            fprintf(d, "\n\n");
            tv[nt++] = sh->tr[t];
        }
    }
    if (fclose(d) != 0)
        return RB_EIO;
    if (en >= 0)
        snprintf(ent, sizeof ent, ", %ld entries", en);
    snprintf(title, sizeof title, "Throughput against client threads, %s%s (log scale)", me, ent);
    if (!rb_plot_add(ps, title, name, RB_SCRIPT_MAIN))
        return 0;
    if (!rb_chart_begin(&c, name, RB_CHART_W, RB_CHART_H))
        return RB_EIO;
    fprintf(c.f, "set title '%s'\nset logscale x 2\nset logscale y\nset offsets graph 0.04, graph 0.04, 0, 0\n", title);
    fprintf(c.f, "set xlabel 'client threads (one connection each)'\n"
                 "set ylabel 'calls per second (median round; bars: lowest-highest round)'\nplot");
    for (size_t t = 0; t < nt; t++)
        fprintf(c.f, "%s '%s.dat' index %zu using 1:2:3:4 with yerrorlines lw 2 lc rgb '%s' title '%s'",
                t ? ", \\\n    " : " ", name, t, rb_plot_colour(sh, tv[t]), tv[t]);
    fprintf(c.f, "\n");
    return rb_chart_end(gp, &c);
}
