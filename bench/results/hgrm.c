/* hgrm.c - HdrHistogram's percentile text, parsed. */
#include "results/hgrm.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rb_error.h"

/* The number after "key" and optional spaces and '=' in line, or NAN. */
static double hgrm_field(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    char *end;
    double v;

    if (!p)
        return NAN;
    p += strlen(key);
    while (*p == ' ' || *p == '=')
        p++;
    v = strtod(p, &end);
    return end == p ? NAN : v;
}

/* A "#[Mean = ..., StdDeviation = ...]" or "#[Max = ..., Total count = ...]"
 * line into s (fields it does not hold are left alone). */
static void parse_summary(const char *p, rb_hgrm_summary *s)
{
    double x;
    if (!isnan(x = hgrm_field(p, "Mean")))
        s->mean = x;
    if (!isnan(x = hgrm_field(p, "StdDeviation")))
        s->stddev = x;
    if (!isnan(x = hgrm_field(p, "Max")))
        s->max = x;
    if (!isnan(x = hgrm_field(p, "Total count")))
        s->total_count = x;
}

/* "Value Percentile TotalCount 1/(1-Percentile)" into *r, checked against
 * the previous row prev (NULL for the first). Returns 0 or RB_EPROTO. */
static int parse_row(const char *p, const rb_hgrm_row *prev, rb_hgrm_row *r)
{
    char *end;
    r->value = strtod(p, &end);
    if (end == p)
        return RB_EPROTO;
    p = end;
    r->percentile = strtod(p, &end);
    if (end == p || !(r->percentile >= 0.0 && r->percentile <= 1.0))
        return RB_EPROTO;
    p = end;
    r->total_count = strtod(p, &end);
    if (end == p)
        return RB_EPROTO;
    p = end;
    /* The last row (percentile 1) has no 1/(1-p) in Java's format and
     * "inf" in C's. */
    r->inv = strtod(p, &end);
    if (end == p || r->percentile >= 1.0)
        r->inv = INFINITY;
    if (!isfinite(r->value) || r->value < 0 ||
        (prev && (r->percentile < prev->percentile || r->value < prev->value)))
        return RB_EPROTO;
    return 0;
}

int rb_hgrm_read(const char *path, rb_hgrm_row **rows, size_t *n, rb_hgrm_summary *sum)
{
    FILE *f = NULL;
    char line[512];
    rb_hgrm_row *v = NULL, *nv;
    size_t len = 0, cap = 0;
    int header = 0, rc = RB_EPROTO;
    rb_hgrm_summary s = { NAN, NAN, NAN, NAN };

    *rows = NULL;
    *n = 0;
    f = fopen(path, "r");
    if (!f) {
        rc = RB_EIO;
        goto fail;
    }
    while (fgets(line, sizeof line, f)) {
        const char *p = line;
        rb_hgrm_row r;

        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\n' || *p == '\0')
            continue;
        if (*p == '#') {
            parse_summary(p, &s);
            continue;
        }
        if (strncmp(p, "Value", 5) == 0) {
            header = 1;
            continue;
        }
        if (!header || parse_row(p, len ? &v[len - 1] : NULL, &r) != 0)
            goto fail;
        if (len == cap) {
            cap = cap ? cap * 2 : 64;
            nv = realloc(v, cap * sizeof *v);
            if (!nv) {
                rc = RB_ENOMEM;
                goto fail;
            }
            v = nv;
        }
        v[len++] = r;
    }
    if (ferror(f)) {
        rc = RB_EIO;
        goto fail;
    }
    if (len == 0)
        goto fail;
    fclose(f);
    *rows = v;
    *n = len;
    if (sum)
        *sum = s;
    return 0;
fail:
    if (f)
        fclose(f);
    free(v);
    return rc;
}
