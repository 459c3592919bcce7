/* hgrm.c - HdrHistogram's percentile text, parsed. */
#include "hgrm.h"

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
        char *end;
        rb_hgrm_row r;

        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\n' || *p == '\0')
            continue;
        if (*p == '#') {
            double x;
            if (!isnan(x = hgrm_field(p, "Mean")))
                s.mean = x;
            if (!isnan(x = hgrm_field(p, "StdDeviation")))
                s.stddev = x;
            if (!isnan(x = hgrm_field(p, "Max")))
                s.max = x;
            if (!isnan(x = hgrm_field(p, "Total count")))
                s.total_count = x;
            continue;
        }
        if (strncmp(p, "Value", 5) == 0) {
            header = 1;
            continue;
        }
        if (!header)
            goto fail;
        r.value = strtod(p, &end);
        if (end == p)
            goto fail;
        p = end;
        r.percentile = strtod(p, &end);
        if (end == p || !(r.percentile >= 0.0 && r.percentile <= 1.0))
            goto fail;
        p = end;
        r.total_count = strtod(p, &end);
        if (end == p)
            goto fail;
        p = end;
        /* The last row (percentile 1) has no 1/(1-p) in Java's format and
         * "inf" in C's. */
        r.inv = strtod(p, &end);
        if (end == p || r.percentile >= 1.0)
            r.inv = INFINITY;
        if (!isfinite(r.value) || r.value < 0 ||
            (len > 0 && (r.percentile < v[len - 1].percentile || r.value < v[len - 1].value)))
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
