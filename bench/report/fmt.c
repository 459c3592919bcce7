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

/* A JSON scalar or array as markdown cell text ('|' escaped). */
void rb_md_value(FILE *o, const json_t *v)
{
    size_t i;
    json_t *x;

    if (!v || json_is_null(v)) {
        fputs("n/a", o);
    } else if (json_is_string(v)) {
        rb_md_text(o, json_string_value(v));
    } else if (json_is_integer(v)) {
        fprintf(o, "%lld", (long long)json_integer_value(v));
    } else if (json_is_real(v)) {
        fprintf(o, "%g", json_real_value(v));
    } else if (json_is_boolean(v)) {
        fputs(json_is_true(v) ? "yes" : "no", o);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x) {
            if (i)
                fputs(", ", o);
            rb_md_value(o, x);
        }
    } else {
        fputs("(object)", o);
    }
}
