/* results.h - what a run measured, and results.json, written and read.
 *
 * One data model for both directions (hiredis's redisReply: what the
 * parser builds is what callers read):
 *   rb_scenario / rb_round   the raw per-round measurements the runner fills
 *                            (one rb_scenario per transport x method x
 *                            entries x concurrency, one rb_round per round);
 *   rb_summary               a scenario summarised over its rounds: what
 *                            results.json, results.csv and the table hold.
 *                            The writer computes it (rb_summarise, results.c),
 *                            the reader rebuilds it from results.json
 *                            (rb_results_load, results_read.c).
 * Figures that could not be measured are NAN here and null in results.json,
 * never 0.
 */
#ifndef RB_RESULTS_H
#define RB_RESULTS_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "measure/machine.h"
#include "measure/procstat.h"
#include "rb_error.h"
#include "load/schedule.h"
#include "measure/stats.h"
#include "measure/timeline.h"
#include "transport.h"
#include "measure/validity.h"

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
    double wire_client, wire_total;   /* TCP payload per verified call, bytes */
    double cpu_client, cpu_server, cpu_broker; /* µs per verified call */
    double cpu_server_ticks, cpu_broker_ticks; /* the same from /proc/PID/stat
                                         ticks (10 ms), for comparison */
    rb_cpu_method cpu_method_server, cpu_method_broker; /* RB_CPU__COUNT: none */
    uint64_t cpu_res_server, cpu_res_broker; /* their resolution, ns */
    rb_stationarity stationarity;     /* first vs second half of the window */
    rb_tail tail[3];                  /* p50, p99, p99.9 with intervals */
    rb_little little;                 /* throughput x mean latency vs threads */
    int has_machine;                  /* machine state read around the round */
    rb_machine machine_before, machine_after;
    rb_interference interference;
    char last_error[200];             /* one failure's detail, "" if none */
    rb_tl_point *tl;                  /* the timeline, ntl intervals (owned, malloc'd) */
    size_t ntl;
    /* open loop only (results_load.h) */
    double target_cps, achieved_cps;  /* offered rate; verified calls / window */
    uint64_t offered, unsent;         /* calls due in the window; never sent */
    rb_latency svc, lag;              /* µs: service time (from the actual send), send lag */
    int rate_short, lag_grows;        /* the schedule was not kept */
    struct rb_fault_round *fault;     /* --fault: what the fault did (owned,
                                         fault_run.h); NULL without one */
} rb_round;

/* Validity flags of a scenario (any round), rb_summary.flags. */
enum {
    RB_FLAG_DRIFT = 1,       /* p50 or throughput drifted between halves */
    RB_FLAG_TAIL_P99 = 2,    /* p99 rests on fewer than 10 samples */
    RB_FLAG_TAIL_P999 = 4,   /* p99.9 rests on fewer than 10 samples */
    RB_FLAG_LITTLE = 8,      /* Little's law gap over 5 % */
    RB_FLAG_MACHINE = 16,    /* steal or load during a round */
};
#define RB_FLAG__COUNT 5

/* "drift", "tail_p99", "tail_p99_9", "littles_law", "machine" for bit i. */
const char *rb_flag_name(int bit_index);

typedef struct rb_scenario {
    const rb_transport *t;
    rb_method method;
    long entries;                     /* -1 for fib (written as null) */
    int concurrency;                  /* client threads, one connection each */
    int nrounds;
    rb_round *rounds;                 /* nrounds */
    rb_samples all;                   /* every round's samples, for the hgrm file */
    long server_max_rss_kb;           /* -1: unknown */
    double rate_cps;                  /* offered calls/s (open loop); 0: closed loop */
    rb_arrivals arrivals;             /* open loop: the schedule's arrivals */
    const struct rb_fault_spec *fault; /* --fault of this scenario, NULL: none */
} rb_scenario;

/* Lowest and highest round of a figure; NAN when not known. */
typedef struct rb_spread {
    double lo, hi;
} rb_spread;

/* A ratio to the floor transport, taken within each round and summarised
 * over rounds; NAN when not known. */
typedef struct rb_ratio {
    double median, lo, hi;
} rb_ratio;

/* One scenario summarised over its rounds: every figure is the median over
 * the rounds that measured it, except min (the smallest sample of any
 * round) and max (the largest), and counts and durations (the sum). The
 * aggregation object of results.json says so figure by figure. */
typedef struct rb_summary {
    const rb_transport *t;     /* writer: the table; reader: its descriptor
                                  in rb_results.tr (name and all) */
    char method[16];           /* "fib", "getObj", "sendObj" (reader: any name) */
    long entries;              /* payload entries; -1 for fib (null) */
    long concurrency;          /* client threads, >= 1 */
    long rounds;               /* rounds run, >= 1 */
    double calls;              /* verified calls, all rounds */
    double failures[RB_FAIL__COUNT]; /* failed calls by kind, all rounds */
    double stale_replies;      /* late replies discarded, all rounds */
    double warmup_failures;    /* failed warm-up calls, all rounds */
    double duration_s;         /* measured seconds, all rounds */
    double throughput_cps;     /* calls per second */
    rb_latency lat;            /* µs; lat.n is not used (0) */
    double connect_us;         /* connect to first verified reply, µs */
    double body_req, body_rep; /* encoded message bytes per call */
    double wire_client;        /* TCP payload bytes per call, client's connection */
    double wire_total;         /* plus the broker-to-server hop */
    double cpu_client, cpu_server, cpu_broker; /* CPU µs per call */
    double server_max_rss_kb;  /* the server's peak RSS, KiB */
    unsigned flags;            /* RB_FLAG_* of any round */
    char cpu_method_server[24];/* rb_cpu_method_name of the first round, "" */
    char cpu_method_broker[24];
    rb_spread sp_p50, sp_p99, sp_tput; /* µs, µs, calls/s */
    rb_spread sp_wire;         /* wire bytes per call (total, else client) */
    int has_ratio;             /* 1: a floor scenario of the same method,
                                  entries and concurrency ran (ratio_to_tcp) */
    rb_ratio r_p50, r_p99, r_tput; /* to that floor scenario */
    char hgrm[256];            /* path relative to the folder; "" when absent */
    char last_error[200];      /* the first round's failure detail, "" when none */
} rb_summary;

/* ---- writing (results.c) ---- */

/* Summarise sc[0..n) into out[0..n) (ratios to each one's floor twin).
 * out's t point at sc's tables. */
void rb_summarise(const rb_scenario *sc, size_t n, rb_summary *out);

/* Write dir/results.json (schema 1), dir/results.csv and dir/hgrm/<scenario>.hgrm
 * from sc[0..n) and their summaries sum[0..n); scenarios no round of which
 * ran are left out. complete: 0 when the run was interrupted (written as
 * "complete": false).
 * env: the environment manifest with "parameters" set (borrowed).
 * extra: an object whose members are added at results.json's top level
 * (e.g. "codecs"), borrowed; NULL for none.
 * Sorts each scenario's `all` samples. RB_OK or RB_EIO (message on stderr). */
int rb_results_write(const char *dir, json_t *env, rb_scenario *sc, const rb_summary *sum,
                     size_t n, int complete, json_t *extra);

/* How each figure is summarised over threads and rounds (results.json's
 * "aggregation"); new reference. */
json_t *rb_results_aggregation(void);

/* Median over the rounds of s that ran of the double at offset off of
 * rb_round (NAN skipped; latency figures of a round without samples
 * skipped); NAN when none. sp (may be NULL) gets the lowest and highest. */
double rb_round_median(const rb_scenario *s, size_t off, rb_spread *sp);

/* results.json's latency object of l (µs); every figure null when none. */
json_t *rb_latency_json(const rb_latency *l, int none);

/* The comparison table on f: one line per scenario. */
void rb_results_print_table(FILE *f, const rb_summary *sum, size_t n);

/* ---- reading (results_read.c) ---- */

/* A loaded results.json. */
typedef struct rb_results {
    void *root;                /* the json_t document (environment is read from it) */
    int complete;              /* 0: the run was interrupted ("complete": false) */
    rb_summary *sc;            /* n scenarios, in file order */
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

/* ---- figures of a summary ---- */

/* Whether two spreads [alo, ahi] and [blo, bhi] overlap (touching counts as
 * overlapping). Returns 1 when they overlap, 0 when they are disjoint (the
 * difference is real), -1 when either is unknown (NAN, or lo > hi). */
int rb_spread_overlap(double alo, double ahi, double blo, double bhi);

/* Failed calls of a scenario, all kinds (unknown counts as 0). */
double rb_summary_failures(const rb_summary *s);

/* Client + server (+ broker, when known) CPU µs per call; NAN when client
 * or server is unknown. */
double rb_summary_cpu(const rb_summary *s);

/* Wire bytes per call: both hops when known, else the client's. */
double rb_summary_wire(const rb_summary *s);

#endif
