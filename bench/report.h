/* report.h - turn a results folder into report.md and plots.
 *
 * A results folder holds results.json (schema 1, DESIGN.md, written by the
 * runner) and hgrm/<scenario>.hgrm (HdrHistogram percentile text, values in
 * microseconds). rb_report_write() reads them and writes:
 *   DIR/report.md           tables, notes on overlapping spreads, "How to pick"
 *   DIR/plots/plots.gp      the gnuplot script (re-run it inside DIR/plots)
 *   DIR/plots/NAME.dat      the data the script plots
 *   DIR/plots/NAME.svg/png  the plots, linked from report.md
 *
 * The loader and the HdrHistogram text parser are public so that compare.c
 * and the tests use the same reading of the files.
 *
 * Figures that were not measured are null in results.json; here they are NAN
 * (isnan()), never 0.
 */
#ifndef RB_REPORT_H
#define RB_REPORT_H

#include <stddef.h>

#include "transport.h"

/* Lowest and highest round of a figure; NAN when not known. */
typedef struct rb_rspread {
    double lo, hi;
} rb_rspread;

/* A transport/tcp ratio summarised over rounds; NAN when not known. */
typedef struct rb_rratio {
    double median, lo, hi;
} rb_rratio;

/* Latency summary, microseconds (median over rounds of each round's figure). */
typedef struct rb_rlat {
    double min, p50, p90, p99, p99_9, max, mean, stddev;
} rb_rlat;

/* One scenario of results.json (transport x method x entries x concurrency). */
typedef struct rb_rscen {
    char transport[32];
    const rb_transport *t;     /* its descriptor, in rb_results.tr */
    char method[16];
    long entries;              /* payload entries; -1 when null (fib) */
    long concurrency;          /* client threads, >= 1 */
    long rounds;               /* rounds run, >= 1 (1 when absent) */
    double calls;              /* successful calls, all rounds */
    double failures[5];        /* connect, timeout, protocol, server_error, wrong_reply */
    double stale_replies;      /* late replies discarded */
    double duration_s;         /* measured seconds, all rounds */
    double throughput_cps;     /* calls per second, median over rounds */
    rb_rlat lat;               /* microseconds */
    double connect_us;         /* connect to first verified reply, us */
    double body_req, body_rep; /* encoded message bytes per call */
    double wire_client;        /* TCP payload bytes per call, client's connection */
    double wire_total;         /* plus the broker-to-server hop */
    double cpu_client, cpu_server, cpu_broker; /* CPU us per call */
    double server_max_rss_kb;
    rb_rspread sp_p50, sp_p99, sp_tput; /* us, us, calls/s */
    rb_rspread sp_wire;        /* wire bytes (total, else client) over per_round */
    rb_rratio r_p50, r_p99, r_tput;     /* ratio to tcp */
    char hgrm[256];            /* path relative to the folder; "" when absent */
    char last_error[160];      /* first per_round last_error, "" when none */
} rb_rscen;

/* A loaded results.json. */
typedef struct rb_results {
    void *root;                /* the json_t document (environment is read from it) */
    rb_rscen *sc;              /* n scenarios, in file order */
    size_t n;
    rb_transport *tr;          /* ntr descriptors, one per transport name of
                                  the scenarios (descriptor.h); strings
                                  borrowed from root or the static tables */
    size_t ntr;
} rb_results;

/* Load `path`: a results folder (reads path/results.json) or a results.json
 * file. On success fills *out (free with rb_results_free) and returns 0.
 * Errors (message on stderr): RB_EINVAL (path too long), RB_EIO (cannot
 * read), RB_EPROTO (not JSON, schema other than 1, or a scenario without
 * transport/method/concurrency), RB_ENOMEM. On error *out is left empty. */
int rb_results_load(const char *path, rb_results *out);

/* The descriptor of r's floor transport (is_floor), or NULL when the run
 * has none. */
const rb_transport *rb_results_floor(const rb_results *r);

/* Free what rb_results_load allocated; accepts an empty or freed struct. */
void rb_results_free(rb_results *r);

/* The folder of a results path: `path` itself when it is a directory, its
 * dirname when it names a file. Writes at most cap bytes (NUL included) into
 * buf. Returns 0, or RB_ETOOBIG when it does not fit. */
int rb_results_dir(const char *path, char *buf, size_t cap);

/* Whether two spreads [alo, ahi] and [blo, bhi] overlap (touching counts as
 * overlapping). Returns 1 when they overlap, 0 when they are disjoint (the
 * difference is real), -1 when either is unknown (NAN, or lo > hi). */
int rb_spread_overlap(double alo, double ahi, double blo, double bhi);

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

/* Read dir/results.json (and the hgrm files it names) and write dir/report.md
 * and dir/plots/ (see the top of this file). gnuplot is found on PATH, or
 * taken from $RPCBENCH_GNUPLOT (empty: none); when it is missing or fails,
 * report.md is still written, says so, and links no missing plot. Returns 0,
 * or a negative RB_E* code (message on stderr): RB_EINVAL, RB_EIO, RB_EPROTO,
 * RB_ENOMEM. */
int rb_report_write(const char *dir);

/* `rpcbench report DIR`: argv[0] is "report", argv[1] the results folder (or
 * its results.json). Prints the path of report.md. Returns a process exit
 * code: 0 done, 1 failed, 2 usage. */
int rb_report_main(int argc, char **argv);

#endif
