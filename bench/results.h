/* results.h - what a run measured, and results.json, written and read.
 *
 * The runner fills one rb_scenario per transport x method x entries x
 * concurrency, with one rb_round per round; results.c writes them
 * (results.json, results.csv, hgrm files). results_read.c reads a
 * results.json back (report, compare). Figures that could not be measured
 * are NAN here and null in results.json, never 0.
 */
#ifndef RB_RESULTS_H
#define RB_RESULTS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "rb_error.h"
#include "stats.h"
#include "transport.h"

typedef struct rb_round {
    int ran;                          /* 1 once measured */
    int position;                     /* the transport's place in this round's order */
    uint64_t calls;                   /* verified calls */
    uint64_t failures[RB_FAIL__COUNT];
    uint64_t warmup_failures;         /* failed calls while warming up (untimed) */
    uint64_t stale_replies;           /* late/unknown replies discarded */
    double duration_s;                /* measured window, seconds */
    double throughput_cps;            /* verified calls per second */
    rb_latency lat;                   /* µs; lat.n == 0: no samples */
    double connect_us;                /* connect to first verified reply, mean over threads */
    double req_body, rep_body;        /* encoded message per verified call, bytes */
    double wire_client, wire_total;   /* TCP payload per call attempt, bytes */
    double cpu_client, cpu_server, cpu_broker; /* µs per call attempt */
    char last_error[200];             /* one failure's detail, "" if none */
} rb_round;

typedef struct rb_scenario {
    const rb_transport *t;
    rb_method method;
    long entries;                     /* -1 for fib (written as null) */
    int concurrency;                  /* client threads, one connection each */
    int nrounds;
    rb_round *rounds;                 /* nrounds */
    rb_samples all;                   /* every round's samples, for the hgrm file */
    long server_max_rss_kb;           /* -1: unknown */
} rb_scenario;

/* Write dir/results.json (schema 1), dir/results.csv and dir/hgrm/<scenario>.hgrm.
 * env: the environment manifest with "parameters" set (borrowed).
 * Sorts each scenario's `all` samples. RB_OK or RB_EIO (message on stderr). */
int rb_results_write(const char *dir, json_t *env, rb_scenario *sc, size_t n);

/* The comparison table on f: one line per scenario, medians over rounds. */
void rb_results_print_table(FILE *f, const rb_scenario *sc, size_t n);

/* Median over the rounds that ran of a per-round figure (NAN skipped);
 * NAN when none. lo/hi (may be NULL) get the extremes. */
double rb_round_median(const rb_scenario *s, size_t offset, double *lo, double *hi);

/* ---- reading results.json ---- */

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

/* Failed calls of a scenario, all kinds (unknown counts as 0). */
double rb_summary_failures(const rb_rscen *s);

/* Client + server (+ broker, when known) CPU µs per call; NAN when client
 * or server is unknown. */
double rb_summary_cpu(const rb_rscen *s);

/* Wire bytes per call: both hops when known, else the client's. */
double rb_summary_wire(const rb_rscen *s);

#endif
