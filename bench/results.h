/* results.h - what a run measured, and how it is written.
 *
 * The runner fills one rb_scenario per transport x method x entries x
 * concurrency, with one rb_round per round. Figures that could not be
 * measured are NAN here and null in results.json, never 0.
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

#endif
