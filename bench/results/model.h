/* model.h - the results data model: what a run measured, as the runner
 * fills it and as the reader rebuilds it from results.json.
 *
 * One model for both directions (hiredis's redisReply: what the parser
 * builds is what callers read):
 *   rb_scenario / rb_round   the per-round measurements the runner fills (one
 *                            rb_scenario per transport x method x entries x
 *                            concurrency, one rb_round per round); the reader
 *                            fills rb_round from per_round[] too;
 *   rb_summary               a scenario summarised over its rounds: what
 *                            results.json, results.csv and the tables hold
 *                            (rb_summarise computes it, the reader reads it);
 *   rb_results               a whole results.json as read (read.h): every
 *                            scenario (closed and open loop), the SLO search,
 *                            the encodings' costs, the environment.
 * Figures that could not be measured are NAN here and null in results.json,
 * never 0. docs/results-schema.md describes every key.
 *
 * The writer (results.h) writes results.json from these structs only; what
 * the writer needs and the reader does not keep is here too: rb_fault_round
 * (a round under a fault, filled by the fault layer), rb_params (every
 * option of the run, filled by the command line), and the writer's fields
 * of rb_slo_rec and rb_codec_rec (filled by the SLO search and by
 * `rpcbench codecs`).
 *
 * model.c holds the figures of the model (flags, spreads, medians over
 * rounds); this header includes measure/ types only (and transport.h for
 * the descriptors).
 */
#ifndef RB_MODEL_H
#define RB_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "measure/machine.h"
#include "measure/procstat.h"
#include "measure/stats.h"
#include "measure/timeline.h"
#include "measure/validity.h"
#include "rb_error.h"
#include "transport.h"

/* results.json's "schema" this build writes; the reader reads 1 to 3
 * (docs/results-schema.md lists what changed). */
#define RB_RESULTS_SCHEMA 3

typedef struct rb_round {
    int ran;                          /* 1 once measured (reader: always 1) */
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
    rb_tl_point *tl;                  /* the timeline, ntl intervals (owned:
                                         malloc'd by the runner; the reader's
                                         belongs to its rb_results) */
    size_t ntl;
    /* open loop only (write.h lists its keys) */
    double target_cps, achieved_cps;  /* offered rate; verified calls / window */
    uint64_t offered, unsent;         /* calls due in the window; never sent */
    rb_latency svc, lag;              /* µs: service time (from the actual send), send lag */
    rb_latency gen_lag;               /* µs: the generator's own lateness (schedule.h) */
    uint64_t spin_cpu_ns;             /* the pacer's spinning, ns of CPU (not the client's) */
    int rate_short, lag_grows;        /* the schedule was not kept */
    struct rb_fault_round *fault;     /* --fault: what the fault did (owned:
                                         rb_fault_round_free); NULL without
                                         one. The reader leaves it NULL:
                                         see rb_scen_rec.round_fault */
} rb_round;

/* ---- a round under a fault ------------------------------------------------ */

/* The classes a call of a fault run ends in, each call in exactly one
 * (fault/fault_account.h classifies them; its enum counts the same). */
#define RB_FAULT_NCLASS 5

/* results.json's key of class i (0..RB_FAULT_NCLASS-1): "ok", "refused",
 * "lost", "ambiguous", "duplicated"; "?" out of range. */
const char *rb_fault_class_key(int i);

/* What every call of a fault round became (fault/fault_account.h counts). */
typedef struct rb_fault_counts {
    uint64_t calls;                            /* every call of the window */
    uint64_t cls[RB_FAULT_NCLASS];             /* sums to calls */
    uint64_t failed_by_kind[RB_FAIL__COUNT];   /* calls that did not end ok */
    uint64_t unanswered;                       /* of which without an answer */
    uint64_t answered_unexecuted;              /* ok without a journal record */
    uint64_t executions;                       /* journal records of these ids */
    double first_ok_ms;        /* fault begin -> first ok call sent at or
                                  after it; NAN: none */
    double rate_restored_ms;   /* fault begin -> start of the first 100 ms
                                  bucket from which two buckets in a row
                                  complete >= 90 % of the target rate in ok
                                  calls; NAN: not within the window */
} rb_fault_counts;

/* One round's fault as the fault layer fills it (fault/fault_run.h): what
 * was injected and what every call became; per_round[].fault, and summed
 * over rounds the scenario's "fault". */
typedef struct rb_fault_round {
    char kind[32];             /* the fault's name (rb_fault_kind_name) */
    long long asked_at_ms;     /* AT as asked (resolved), ms into the window */
    long long asked_duration_ms; /* DURATION as asked, ms */
    int injected;              /* 1: the fault was applied */
    double at_ms;              /* applied, ms after the window's start; NAN never */
    double undone_ms;          /* undone, ms after the window's start; NAN never */
    double target_cps;         /* the rate recovery is judged against */
    rb_fault_counts counts;
    rb_tl_point *tl;           /* 100 ms buckets across the window: t_ms,
                                  calls, failures, p50_us, p99_us, max_us of
                                  the ok calls (owned, malloc'd) */
    size_t ntl;
    int journal_torn;          /* the journal had a partial record */
    char err[256];             /* the fault's error, "" when none */
} rb_fault_round;

/* Free *fr and its timeline, set *fr to NULL; *fr NULL ok. */
void rb_fault_round_free(rb_fault_round **fr);

/* Validity flags of a scenario (any round), rb_summary.flags. */
enum {
    RB_FLAG_DRIFT = 1,       /* p50 or throughput drifted between halves */
    RB_FLAG_TAIL_P99 = 2,    /* p99 rests on fewer than 10 samples */
    RB_FLAG_TAIL_P999 = 4,   /* p99.9 rests on fewer than 10 samples */
    RB_FLAG_LITTLE = 8,      /* Little's law gap over 5 % */
    RB_FLAG_MACHINE = 16,    /* steal or load during a round */
};
#define RB_FLAG__COUNT 5

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
    const char *arrivals;             /* open loop: the schedule's arrivals
                                         (rb_arrivals_name, static) */
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
                                  entries and concurrency ran (ratio_to_floor) */
    rb_ratio r_p50, r_p99, r_tput; /* to that floor scenario */
    char hgrm[256];            /* path relative to the folder; "" when absent */
    char last_error[200];      /* the first round's failure detail, "" when none */
} rb_summary;

/* ---- what only the reader holds ------------------------------------------ */

/* A value of the environment manifest as results.json has it (any JSON
 * value: the manifest's keys are open). Strings are borrowed from the
 * rb_results that holds the value. */
typedef enum rb_value_kind {
    RB_V_NULL = 0, RB_V_STRING, RB_V_INT, RB_V_REAL, RB_V_BOOL, RB_V_ARRAY, RB_V_OBJECT
} rb_value_kind;

typedef struct rb_value {
    rb_value_kind kind;
    const char *s;             /* RB_V_STRING */
    long long i;               /* RB_V_INT; RB_V_BOOL: 0 or 1 */
    double d;                  /* RB_V_REAL */
    struct rb_value *items;    /* RB_V_ARRAY: n items (objects are not kept) */
    size_t n;
} rb_value;

/* One member of an object of the manifest, in file order. */
typedef struct rb_kv {
    const char *key;
    rb_value v;
} rb_kv;

/* results.json's "environment": the manifest of the machine and the run. */
typedef struct rb_env {
    int present;               /* 0: results.json has no environment object */
    rb_kv *top;                /* its members, objects included (RB_V_OBJECT) */
    size_t ntop;
    int has_libraries;         /* "libraries" is an object */
    rb_kv *libraries;          /* library -> version */
    size_t nlib;
    int has_parameters;        /* "parameters" is an object */
    rb_kv *parameters;         /* the run's parameters (cli/run_args.h) */
    size_t npar;
} rb_env;

/* A scenario's "fault" object: counts summed over rounds, recovery the
 * median over rounds. */
typedef struct rb_fault_rec {
    char kind[32];             /* rb_fault_kind_name, "" when absent */
    double calls;              /* NAN when absent */
    double cls[RB_FAULT_NCLASS]; /* by rb_fault_class_key */
    rb_kv *failed_by_kind;     /* kind -> count (RB_V_INT), file order */
    size_t nfailed;
    double first_ok_ms, rate_restored_ms; /* NAN: not in the window */
} rb_fault_rec;

/* A round's "fault" object: what the report shows of it. */
typedef struct rb_round_fault {
    int present;               /* the round has a fault object */
    const char *error;         /* the fault's error, NULL when none */
    int has_timeline;          /* "timeline" is an array */
    double at_ms, target_cps;  /* NAN when absent */
    rb_tl_point *tl;           /* 100 ms buckets (t_ms, calls, failures, p99_us) */
    size_t ntl;
} rb_round_fault;

/* One scenario as results.json holds it, closed or open loop. */
typedef struct rb_scen_rec {
    rb_summary sum;            /* the figures (open loop: latency from the
                                  intended send time) */
    int open;                  /* "loop": "open" */
    /* open loop only (closed: "", NAN, 0) */
    char arrivals[16];
    double target_cps, achieved_cps; /* "rate_cps" */
    rb_latency svc, lag;       /* service time, send lag (µs; n unused) */
    rb_latency gen_lag;        /* the generator's own lateness (µs; NAN before schema 3) */
    const char *schedule_flags[4]; /* "rate_short", "lag_grows" (borrowed) */
    size_t nflags;
    /* every scenario */
    rb_round *rounds;          /* per_round[], nrounds of them, file order */
    size_t nrounds;
    rb_fault_rec *fault;       /* NULL: no fault object */
    rb_round_fault *round_fault; /* nrounds of them, NULL when no round has one */
} rb_scen_rec;

/* One step of an SLO search: a short open-loop run at one rate. */
typedef struct rb_slo_step {
    double rate_cps, achieved_cps, value_us, p50_us, p99_us, p99_9_us;
    long long failures;
    int pass;
    double gen_lag_p99_us;     /* the generator's own lateness, p99; NAN: not recorded */
    long long tail_samples;    /* verified calls beyond the percentile; -1: not recorded */
    int tries, held;           /* measurements of the rate, and how many passed
                                  (1, pass when not recorded) */
    int generator_limited;     /* the generator's lag, not the stack, failed it */
} rb_slo_step;

/* One round of an SLO search. */
typedef struct rb_slo_round {
    int round;                 /* the run's round (0-based) */
    double start_cps, max_rate_cps, searched_cps;
    double fail_rate_cps;      /* NAN: no rate failed (null) */
    int confirm_tries;         /* confirming runs made in the round */
    int capped, ceiling, floor;
    rb_slo_step *steps;
    size_t nsteps;
    int has_confirm;           /* "confirm" is an object */
    rb_round confirm;          /* the confirming run: its open-loop figures,
                                  timeline, duration_s */
    double confirm_value_us;
    int confirm_pass;
    long long confirm_failures; /* failed calls of the confirming run */
} rb_slo_round;

/* An entry of results.json's "slo" list: one transport x method x entries. */
typedef struct rb_slo_rec {
    char transport[64];        /* "" when absent */
    char method[16];
    long entries;              /* -1: null */
    double concurrency;        /* connections of every step; NAN absent */
    char percentile[16];       /* "p99" */
    double percentile_value;   /* 99 */
    double bound_us;
    long long confirm_runs, confirmed_rounds;
    rb_ratio max_rate;         /* median, lo, hi over rounds, calls/s */
    rb_ratio start;            /* the closed-loop throughput it started from */
    int capped, ceiling, floor;
    rb_latency confirm_lat;    /* the confirming runs, medians over rounds */
    double confirm_svc_p99;    /* their service time p99, µs */
    rb_latency confirm_svc, confirm_lag; /* service time, send lag, medians */
    double confirm_target_cps, confirm_achieved_cps; /* medians over rounds */
    long long confirm_calls, confirm_failures;       /* sums over rounds */
    double confirm_value_us;   /* the percentile, median over rounds */
    rb_slo_round *per_round;
    size_t nrounds;
    rb_slo_step *sweep;        /* the load curve, ascending offered rate */
    size_t nsweep;             /* 0: the run made none (before schema 3) */
} rb_slo_rec;

/* A cell of results.json's "codecs": one encoding x method x message. */
typedef struct rb_codec_rec {
    const char *encoding, *library, *method, *message; /* "" when absent */
    int has_entries;           /* entries is an integer (else null) */
    long long entries;
    int has_fib_n;
    long long fib_n;
    long long bytes, repetitions;
    long long iterations;      /* per repetition */
    double encode_us, decode_us;
    const char *error;         /* NULL: measured (bytes, encode_us and
                                  decode_us are null with an error) */
} rb_codec_rec;

/* ---- what only the writer holds ------------------------------------------ */

/* Most values of one list of rb_params. */
#define RB_PARAMS_MAX 32

/* results.json's environment.parameters: every option of the run, as the
 * command line filled it (cli/run_args.h). Strings are borrowed. */
typedef struct rb_params {
    const char *transports[RB_PARAMS_MAX];
    const char *connect[RB_PARAMS_MAX]; /* --connect of transports[i]; NULL: none */
    int nt;
    rb_method methods[RB_M__COUNT];
    int nm;
    long long calls;           /* per scenario and round; 0: by duration (null) */
    double duration_s;         /* null when calls is set */
    int warmup;
    int conc[RB_PARAMS_MAX];
    int nc;
    long entries[RB_PARAMS_MAX];
    int ne;
    int rounds, timeout_ms, fib_n, pinned;
    const char *loop;          /* "open" or "closed" */
    const char *server_threads;
    double rates[RB_PARAMS_MAX]; /* --rate; nrates 0: null */
    int nrates;
    const char *arrivals;      /* NULL: null (neither --rate nor --slo) */
    int has_seed;              /* 0: null */
    unsigned long long seed;
    const char *slo;           /* --slo as given; NULL: null, and so are
                                  slo_methods and slo_step_s */
    rb_method slo_methods[RB_M__COUNT];
    int nslo_m;
    double slo_step_s;
    int timeline_ms, work_us;
    const char *work;          /* "busy" or "sleep" */
    const char *faults[RB_PARAMS_MAX]; /* --fault as given; nf 0: no key */
    int nf;
    const char *pin_server, *pin_client; /* --pin's CPU lists; NULL: null */
} rb_params;

/* A read results.json (read.h). Every pointer belongs to it. */
typedef struct rb_results {
    int schema;                /* 1 to 3, as the file says */
    int complete;              /* 0: the run was interrupted ("complete": false) */
    rb_summary *sc;            /* the closed-loop scenarios, n, in file order:
                                  the speed tables */
    size_t n;
    rb_scen_rec *all;          /* every scenario, nall, in file order */
    size_t nall;
    rb_slo_rec *slo;           /* the SLO search's entries */
    size_t nslo;
    rb_codec_rec *codecs;      /* the encodings' cells, file order */
    size_t ncodecs;
    rb_env env;
    rb_transport *tr;          /* ntr descriptors, one per transport name of
                                  the scenarios (descriptor.h) */
    size_t ntr;
    void *doc_;                /* private to the reader: the parsed document
                                  the strings point into */
    void **mem_;               /* private: what the reader allocated */
    size_t nmem_, capmem_;
} rb_results;

/* ---- figures of the model (model.c) -------------------------------------- */

/* "drift", "tail_p99", "tail_p99_9", "littles_law", "machine" for bit i. */
const char *rb_flag_name(int bit_index);

/* The validity flags (RB_FLAG_*) round r raises. */
unsigned rb_round_flags(const rb_round *r);

/* Median over the rounds of s that ran of the double at offset off of
 * rb_round (NAN skipped; latency figures of a round without samples
 * skipped); NAN when none. sp (may be NULL) gets the lowest and highest. */
double rb_round_median(const rb_scenario *s, size_t off, rb_spread *sp);

/* Whether two spreads [alo, ahi] and [blo, bhi] overlap (touching counts as
 * overlapping). Returns 1 when they overlap, 0 when they are disjoint (the
 * difference is real), -1 when either is unknown (NAN, or lo > hi). */
int rb_spread_overlap(double alo, double ahi, double blo, double bhi);

/* The medians over the rounds of s that ran of each figure of the
 * rb_latency at offset off of rb_round (rb_round_median); every figure NAN
 * when no round has samples. n is 0. */
rb_latency rb_round_latency_median(const rb_scenario *s, size_t off);

/* Failed calls of a scenario, all kinds (unknown counts as 0). */
double rb_summary_failures(const rb_summary *s);

/* Client + server (+ broker, when known) CPU µs per call; NAN when client
 * or server is unknown. */
double rb_summary_cpu(const rb_summary *s);

/* Wire bytes per call: both hops when known, else the client's. */
double rb_summary_wire(const rb_summary *s);

/* Names go into file names, gnuplot scripts and markdown: 1 when p is
 * letters, digits, '.', '_', '-' only, not empty and not starting with
 * '.' or '-'; else 0. */
int rb_name_plain(const char *p);

/* The descriptor of r's floor transport (is_floor), or NULL when the run
 * has none. */
const rb_transport *rb_results_floor(const rb_results *r);

/* The member `key` of the manifest's list kv[0..n), or NULL. */
const rb_value *rb_kv_get(const rb_kv *kv, size_t n, const char *key);

/* The string of v, or `dflt` when v is NULL or not a string. */
const char *rb_value_str(const rb_value *v, const char *dflt);

#endif
