/* fmt.c - numbers and text as report.md shows them. */
#include "report/fmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Microseconds with three significant figures or so. */
const char *rb_fmt_us(char *b, double v)
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
const char *rb_fmt_num(char *b, double v)
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
const char *rb_fmt_spread(char *b, double v, rb_spread s, const char *(*f)(char *, double))
{
    char x[32], lo[32], hi[32];
    if (isnan(s.lo) || isnan(s.hi) || s.lo == s.hi)
        snprintf(b, 100, "%s", f(x, v));
    else
        snprintf(b, 100, "%s (%s–%s)", f(x, v), f(lo, s.lo), f(hi, s.hi));
    return b;
}

/* "1.90× (1.70–2.10)". */
const char *rb_fmt_ratio(char *b, rb_ratio r)
{
    if (isnan(r.median))
        return strcpy(b, "–");
    if (isnan(r.lo) || isnan(r.hi))
        snprintf(b, 100, "%.2f×", r.median);
    else
        snprintf(b, 100, "%.2f× (%.2f–%.2f)", r.median, r.lo, r.hi);
    return b;
}

/* Text as markdown cell text: '|' escaped, line breaks as spaces, no HTML. */
void rb_md_text(FILE *o, const char *p)
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

/* A manifest value as markdown cell text ('|' escaped). */
void rb_md_value(FILE *o, const rb_value *v)
{
    if (!v || v->kind == RB_V_NULL) {
        fputs("n/a", o);
    } else if (v->kind == RB_V_STRING) {
        rb_md_text(o, v->s);
    } else if (v->kind == RB_V_INT) {
        fprintf(o, "%lld", v->i);
    } else if (v->kind == RB_V_REAL) {
        fprintf(o, "%g", v->d);
    } else if (v->kind == RB_V_BOOL) {
        fputs(v->i ? "yes" : "no", o);
    } else if (v->kind == RB_V_ARRAY) {
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                fputs(", ", o);
            rb_md_value(o, &v->items[i]);
        }
    } else {
        fputs("(object)", o);
    }
}
