/* hgrm.h - HdrHistogram percentile text (the hgrm/ files of a results
 * folder), read back for the plots and the tests. */
#ifndef RB_HGRM_H
#define RB_HGRM_H

#include <stddef.h>

/* One row of an HdrHistogram percentile distribution. */
typedef struct rb_hgrm_row {
    double value;          /* microseconds */
    double percentile;     /* 0..1 */
    double total_count;    /* samples <= value */
    double inv;            /* 1/(1-percentile); INFINITY for the last row */
} rb_hgrm_row;

/* What the closing "#[...]" lines say; NAN when a line is absent. */
typedef struct rb_hgrm_summary {
    double mean, stddev, max, total_count;
} rb_hgrm_summary;

/* Parse HdrHistogram's percentile text (outputPercentileDistribution /
 * hdr_percentiles_print classic format). On success *rows is an array of *n
 * rows (n >= 1, percentiles and values non-decreasing) the caller frees with
 * free(), and *sum (may be NULL) holds the closing lines. Returns 0, RB_EIO
 * when the file cannot be read, RB_EPROTO when it has no header, no valid
 * row, or rows out of order, RB_ENOMEM. */
int rb_hgrm_read(const char *path, rb_hgrm_row **rows, size_t *n, rb_hgrm_summary *sum);

#endif
