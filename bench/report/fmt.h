/* fmt.h - numbers and text as report.md shows them. Each number formatter
 * writes into b (at least 32 bytes; 100 for rb_fmt_spread/rb_fmt_ratio) and
 * returns b; NAN prints "n/a" (a ratio: "–"). */
#ifndef RB_FMT_H
#define RB_FMT_H

#include <stdio.h>

#include "results/model.h"

/* Microseconds with about three significant figures: 8.12, 81.2, 812. */
const char *rb_fmt_us(char *b, double v);

/* A count or byte figure: an integer when it is one, else one decimal. */
const char *rb_fmt_num(char *b, double v);

/* "8.12 (7.90–8.40)": v formatted by f with the spread s (alone when the
 * spread is unknown or empty). */
const char *rb_fmt_spread(char *b, double v, rb_spread s, const char *(*f)(char *, double));

/* "1.90× (1.70–2.10)", or "–" when unknown. */
const char *rb_fmt_ratio(char *b, rb_ratio r);

/* Text as markdown cell text on o: '|' escaped, line breaks as spaces, no
 * HTML. */
void rb_md_text(FILE *o, const char *p);

/* A manifest value (model.h) as markdown cell text on o; null or NULL is
 * "n/a", arrays are joined by ", ", objects are "(object)". */
void rb_md_value(FILE *o, const rb_value *v);

#endif
