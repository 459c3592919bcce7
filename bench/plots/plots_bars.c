/* plots_bars.c - bytes.png and cpu.png: stacked bars per transport, one
 * panel per method (each on its own y scale, so fib's tens of bytes are as
 * visible as getObj's kilobytes), each panel at the method's reference
 * slice (entries, clients) named in its title. A figure that was not
 * measured is "n/a" in the data and written over its bar, never drawn as
 * a bar of 0. */
#include "plots/plots_bars.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rb_error.h"

#define MAXSER 3

typedef struct bar_kind {
    const char *name;                   /* chart and .dat name */
    const char *title;                  /* above the panels */
    const char *ylabel;
    const char *head;                   /* the .dat's column comment */
    int nseries;
    const char *series[MAXSER];         /* key titles */
    const char *what[MAXSER];           /* short names for "n/a" labels */
    const char *colour[MAXSER];
    double (*value)(const rb_summary *s, int k); /* NAN: not measured */
} bar_kind;

static int has_broker(const rb_summary *s)
{
    return s->t->broker != RB_BROKER_NONE;
}

/* body, overhead on the client's connection, the broker-to-server hop.
 * Without the wire bytes there is no bar at all: a body alone would read
 * as a small total. */
static double bytes_value(const rb_summary *s, int k)
{
    double body = s->body_req + s->body_rep;
    if (k == 0)
        return isnan(s->wire_client) ? NAN : body;
    if (k == 1)
        return isnan(s->wire_client) || isnan(body) ? NAN : s->wire_client - body;
    if (!has_broker(s))
        return 0;
    return isnan(s->wire_total) || isnan(s->wire_client) ? NAN : s->wire_total - s->wire_client;
}

static double cpu_value(const rb_summary *s, int k)
{
    if (k == 0)
        return s->cpu_client;
    if (k == 1)
        return s->cpu_server;
    return has_broker(s) ? s->cpu_broker : 0;
}

static const bar_kind bytes_kind = {
    "bytes", "Bytes per call on the wire (TCP payload, both directions)", "bytes per call",
    "transport body overhead_client_connection broker_server_hop", 3,
    { "body (request + reply)", "overhead, client connection", "broker-server hop" },
    { "wire", "wire", "server hop" },
    { "#0072b2", "#e69f00", "#009e73" }, bytes_value,
};

static const bar_kind cpu_kind = {
    "cpu", "CPU time per call", "CPU µs per call", "transport client server broker", 3,
    { "client", "server", "broker" }, { "client", "server", "broker" },
    { "#0072b2", "#e69f00", "#009e73" }, cpu_value,
};

/* "fib, 1 client" / "getObj, 100 entries, 1 client" into b (80 bytes). */
static const char *slice_name(char *b, const rb_results *r, const char *me)
{
    long en = rb_shape_ref_entries(r, me);
    char cl[32];
    rb_clients(cl, rb_shape_ref_conc(r, me));
    if (en >= 0)
        snprintf(b, 80, "%s, %ld entries, %s", me, en, cl);
    else
        snprintf(b, 80, "%s, %s", me, cl);
    return b;
}

/* One method's block of the data; returns the tallest stack (NAN: none). */
static double bar_block(FILE *d, const bar_kind *k, const rb_summary *const *g, size_t n,
                        int nser)
{
    double top = NAN;
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        fprintf(d, "%s", g[i]->t->name);
        for (int j = 0; j < nser; j++) {
            double v = k->value(g[i], j);
            rb_dat_val(d, v);
            if (!isnan(v))
                sum += v;
        }
        fputc('\n', d);
        if (isnan(top) || sum > top)
            top = sum;
    }
    fprintf(d, "\n\n");
    return top;
}

/* "wire n/a" over each bar that misses a figure. */
static void na_labels(FILE *g, const bar_kind *k, const rb_summary *const *v, size_t n, int nser)
{
    for (size_t i = 0; i < n; i++) {
        char what[80] = "";
        double top = 0;
        for (int j = 0; j < nser; j++) {
            double x = k->value(v[i], j);
            if (!isnan(x))
                top += x;
            else if (!strstr(what, k->what[j]))
                snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s",
                         what[0] ? ", " : "", k->what[j]);
        }
        if (what[0])
            fprintf(g, "set label '%s n/a' at first %zu, first %g rotate by 90 left "
                       "offset 0,0.5 font ',9' front\n", what, i, top);
    }
}

/* One panel: method me (block m of the data). */
static void bar_panel(FILE *g, const bar_kind *k, const rb_results *r, const char *me, size_t m,
                      const rb_summary *const *v, size_t n, int nser, double top, int key)
{
    char sl[80];
    fprintf(g, "set title '%s'\nunset label\n", slice_name(sl, r, me));
    if (isnan(top) || top <= 0)
        fprintf(g, "set yrange [0:*]\n");
    else
        fprintf(g, "set yrange [0:%g]\n", top * (key ? 1.45 : 1.2));
    if (key)
        fprintf(g, "set key inside left top vertical Left reverse opaque box font ',9'\n");
    else
        fprintf(g, "unset key\n");
    na_labels(g, k, v, n, nser);
    fprintf(g, "plot");
    for (int j = 0; j < nser; j++)
        fprintf(g, "%s '%s.dat' index %zu using %d%s lc rgb '%s' title '%s'", j ? "," : "",
                k->name, m, j + 2, j ? "" : ":xtic(1)", k->colour[j], k->series[j]);
    fprintf(g, "\n");
}

static int bar_chart(const char *pdir, const bar_kind *k, const rb_results *r,
                     const rb_shape *sh, int nser, FILE *gp, rb_plots *ps)
{
    const rb_summary *g[RB_SHAPE_MAX][RB_SHAPE_MAX];
    size_t n[RB_SHAPE_MAX];
    double top[RB_SHAPE_MAX];
    char caption[160], sl[80];
    int w = 120 + (int)(sh->nme * (sh->ntr * 55 + 60));
    rb_chart c;
    FILE *d = rb_plot_dat(pdir, k->name);

    if (!d)
        return RB_EIO;
    fprintf(d, "# %s: the first %d columns of: %s; one block per method at its reference slice; "
               "n/a: not measured\n", k->title, nser + 1, k->head);
    snprintf(caption, sizeof caption, "%s: ", k->title);
    for (size_t m = 0; m < sh->nme; m++) {
        const char *me = sh->me[m];
        n[m] = rb_shape_group(r, sh, me, rb_shape_ref_entries(r, me), rb_shape_ref_conc(r, me), g[m]);
        fprintf(d, "# %s\n", slice_name(sl, r, me));
        top[m] = bar_block(d, k, g[m], n[m], nser);
        snprintf(caption + strlen(caption), sizeof caption - strlen(caption), "%s%s",
                 m ? "; " : "", sl);
    }
    if (fclose(d) != 0)
        return RB_EIO;
    if (!rb_plot_add(ps, caption, k->name, RB_SCRIPT_MAIN))
        return 0;
    if (!rb_chart_begin(&c, k->name, w < RB_CHART_W ? RB_CHART_W : w > 1800 ? 1800 : w, RB_CHART_H))
        return RB_EIO;
    fprintf(c.f, "set style data histograms\nset style histogram rowstacked\n"
                 "set style fill solid 0.85 border -1\nset boxwidth 0.7\n"
                 "set xtics rotate by 35 right scale 0 nomirror\nset bmargin 6\n"
                 "set ylabel '%s'\nset multiplot layout 1,%zu title '%s'\n",
            k->ylabel, sh->nme, k->title);
    for (size_t m = 0; m < sh->nme; m++)
        bar_panel(c.f, k, r, sh->me[m], m, g[m], n[m], nser, top[m], m == 0);
    fprintf(c.f, "unset multiplot\n");
    return rb_chart_end(gp, &c);
}

int rb_plot_bars(const char *pdir, const rb_results *r, const rb_shape *sh, FILE *gp,
                 rb_plots *ps)
{
    int any_bytes = 0, any_cpu = 0, any_broker = 0, rc;
    for (size_t i = 0; i < r->n; i++) {
        const rb_summary *s = &r->sc[i];
        any_bytes |= !isnan(s->body_req + s->body_rep) || !isnan(rb_summary_wire(s));
        any_cpu |= !isnan(s->cpu_client) || !isnan(s->cpu_server);
        any_broker |= has_broker(s);
    }
    if (sh->nme == 0)
        return 0;
    if (any_bytes && (rc = bar_chart(pdir, &bytes_kind, r, sh, any_broker ? 3 : 2, gp, ps)) != 0)
        return rc;
    if (any_cpu && (rc = bar_chart(pdir, &cpu_kind, r, sh, any_broker ? 3 : 2, gp, ps)) != 0)
        return rc;
    return 0;
}
