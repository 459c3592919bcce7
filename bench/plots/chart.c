/* chart.c - the chart machinery (chart.h). */
#include "plots/chart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rb_error.h"

rb_plot *rb_plot_add(rb_plots *ps, const char *title, const char *name, rb_plot_script s)
{
    rb_plot *p;
    if (ps->n == RB_MAXPLOTS)
        return NULL;
    p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    snprintf(p->title, sizeof p->title, "%s", title);
    p->script = s;
    return p;
}

size_t rb_plot_count(const rb_plots *ps, rb_plot_script s)
{
    size_t n = 0;
    for (size_t i = 0; i < ps->n; i++)
        n += ps->p[i].script == s;
    return n;
}

FILE *rb_plot_open(const char *dir, const char *name, const char *mode)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return NULL;
    return fopen(path, mode);
}

FILE *rb_plot_dat(const char *pdir, const char *name)
{
    char dn[160];
    snprintf(dn, sizeof dn, "%s.dat", name);
    return rb_plot_open(pdir, dn, "w");
}

void rb_dat_val(FILE *d, double v)
{
    if (isnan(v))
        fputs(" " RB_DAT_MISSING, d);
    else
        fprintf(d, " %.6g", v);
}

void rb_dat_fixed(FILE *d, double v)
{
    if (isfinite(v))
        fprintf(d, " %.3f", v);
    else
        fputs(" " RB_DAT_MISSING, d);
}

const char *rb_plot_colour(const rb_shape *sh, const char *tr)
{
    /* Distinct on white, colour-blind friendly first (Okabe-Ito), then more. */
    static const char *const pal[] = {
        "#000000", "#e69f00", "#56b4e9", "#009e73", "#d55e00", "#0072b2", "#cc79a7",
        "#999999", "#8c564b", "#bcbd22", "#17becf", "#9467bd",
    };
    size_t i;
    for (i = 0; i < sh->ntr; i++)
        if (strcmp(sh->tr[i], tr) == 0)
            break;
    return pal[i % (sizeof pal / sizeof pal[0])];
}

const char *rb_clients(char *b, long n)
{
    snprintf(b, 32, "%ld client%s", n, n == 1 ? "" : "s");
    return b;
}

FILE *rb_chart_begin(rb_chart *c, const char *name, int w, int h)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    c->w = w;
    c->h = h;
    c->f = open_memstream(&c->buf, &c->len);
    return c->f;
}

int rb_chart_end(FILE *gp, rb_chart *c)
{
    static const char *const term[2] = {
        "svg size %d,%d dynamic noenhanced font 'sans,12' background rgb 'white'",
        "pngcairo size %d,%d noenhanced font 'sans,10' background rgb 'white'",
    };
    static const char *const ext[2] = { "svg", "png" };
    if (fclose(c->f) != 0)
        return RB_EIO;
    fprintf(gp, "\n# --- %s\n", c->name);
    for (int i = 0; i < 2; i++) {
        fprintf(gp, "reset\nset terminal ");
        fprintf(gp, term[i], c->w, c->h);
        fprintf(gp, "\nset output '%s.%s'\nset grid\nset key outside right top\n"
                    "set datafile missing '" RB_DAT_MISSING "'\n", c->name, ext[i]);
        fwrite(c->buf, 1, c->len, gp);
        fprintf(gp, "unset output\n");
    }
    free(c->buf);
    c->buf = NULL;
    return ferror(gp) ? RB_EIO : 0;
}
