/* schedule.h - the open-loop arrival schedule: when each call is due.
 *
 * Under `rpcbench run --rate R` the harness offers R calls/s in all, summed
 * over its C client connections (one thread each). Each connection sends on
 * its own share of the schedule, R/C calls/s, whatever the server does: a
 * call is due at its *intended send time*, and a connection that is behind
 * (its previous call still running, or its thread was descheduled) sends at
 * once when it is free and records how late it was. The rate is never
 * lowered to what the server manages (the mistake closed loop makes, which
 * Gil Tene named coordinated omission).
 *
 * A schedule covers a window of D seconds (the scenario's --duration, or
 * --calls N / R) and offers exactly round(R * D) calls in it, so a run at
 * "R calls/s" offers R calls/s, not R plus sampling noise.
 *
 * Arrivals (`--arrivals`):
 * - `poisson` (the default): the calls of a Poisson stream of rate R. The
 *   C connections share the N = round(R * D) calls (N/C each, the first
 *   N mod C one more) and each places its n calls as a Poisson process
 *   does given its count: as the order statistics of n uniform points in
 *   [0, D), drawn as cumulative sums of n+1 exponential gaps scaled to D.
 *   Gaps are exponential (mean C/R per connection, 1/R in the aggregate)
 *   without the +-1/sqrt(R*D) count noise of an unconditioned stream.
 *   Poisson arrivals are what a server sees from many independent callers:
 *   calls sometimes bunch up and queue, as in production. Lancet (Kogias
 *   et al., USENIX ATC 2019) and gRPC's qps driver use Poisson arrivals
 *   for this reason; evenly spaced calls never collide below saturation
 *   and so understate the tail.
 * - `uniform`: even gaps C/R per connection, connection i phase-shifted by
 *   i/R so the aggregate is evenly spaced at 1/R (wrk2's -R is uniform per
 *   connection). It shows the best case: latency without arrival bursts.
 *
 * Every stream is drawn from its own seeded PRNG (splitmix64 seeding
 * xoshiro256**), seeded from (seed, connection index): the same seed gives
 * the same intended times on every run, so runs are reproducible.
 *
 * Per call, three instants on CLOCK_MONOTONIC (nanoseconds):
 *   intended  when the schedule says the call is due
 *   sent      when the call actually started (intended, or later if behind)
 *   done      when the verified reply was in
 * and three figures (rb_call_* below):
 *   latency_us       done - intended: the response time a caller arriving on
 *                    schedule sees, corrected for coordinated omission
 *                    (wrk2's "Recorded Latency")
 *   service_time_us  done - sent: the time of the call itself, uncorrected
 *                    (wrk2's "Uncorrected Latency"; closed loop's latency)
 *   send_lag_us      sent - intended: how far the generator was behind
 *
 * latency_us is corrected for coordinated omission the way a punctual
 * caller would see it (rb_open_call below): a call is charged the time it
 * waited behind earlier calls on its connection (that queueing is the
 * stack's), never the generator's own lateness (a late wake-up, timer
 * slack, a descheduled generator thread), which is measured and reported
 * on its own as generator_lag_us.
 */
#ifndef RB_SCHEDULE_H
#define RB_SCHEDULE_H

#include <stdint.h>

typedef enum rb_arrivals {
    RB_ARRIVALS_POISSON = 0,   /* exponential gaps (the default) */
    RB_ARRIVALS_UNIFORM,       /* even gaps, connections phase-shifted */
} rb_arrivals;

/* One connection's schedule. Plain value; no resources to free. */
typedef struct rb_schedule {
    rb_arrivals kind;
    uint64_t n;                /* this connection's calls in the window */
    uint64_t k;                /* calls handed out so far */
    double window_ns;          /* D, in ns */
    double gap_ns;             /* uniform: C / R s, in ns */
    double phase_ns;           /* uniform: i / R s, in ns */
    double scale;              /* poisson: window_ns / (sum of the n+1 gaps) */
    double sum;                /* poisson: gaps drawn so far, unscaled */
    uint64_t rng[4];           /* xoshiro256** state */
} rb_schedule;

/* "poisson" / "uniform" into *out. RB_OK, or RB_EINVAL for anything else
 * (out untouched). */
int rb_arrivals_parse(const char *s, rb_arrivals *out);

/* "poisson" or "uniform" (static string). */
const char *rb_arrivals_name(rb_arrivals a);

/* Calls a schedule of rate_cps over window_s offers in all: round(R * D). */
uint64_t rb_schedule_total(double rate_cps, double window_s);

/* Set up connection `index` (0 <= index < conns) of a schedule offering
 * rate_cps calls/s (> 0) in all over `conns` (>= 1) connections during
 * window_s seconds (> 0), the PRNG seeded from (seed, index). Poisson
 * draws its n+1 gaps once here to scale them (O(n), about 10 ns a call).
 * RB_OK, or RB_EINVAL for an argument out of range or a total above 1e10
 * calls (s untouched). */
int rb_schedule_init(rb_schedule *s, rb_arrivals kind, double rate_cps, double window_s,
                     int conns, int index, uint64_t seed);

/* This connection's next intended send time, in ns after the window's
 * start (the same start for every connection of a run), into *t_ns, and
 * advance. Returns 1, or 0 (t_ns untouched) when the connection's calls
 * are all handed out. Times are non-decreasing and below the window's
 * end; with uniform arrivals call k of connection i is due at
 * (i + k * conns) / rate_cps seconds exactly. */
int rb_schedule_next(rb_schedule *s, uint64_t *t_ns);

/* The per-call figures of the header comment, in ns. A time that runs
 * backwards (done before intended/sent, or sent before intended) gives 0,
 * never a wrapped unsigned value. */
static inline uint64_t rb_call_latency_ns(uint64_t intended, uint64_t done)
{
    return done > intended ? done - intended : 0;
}

static inline uint64_t rb_call_service_ns(uint64_t sent, uint64_t done)
{
    return done > sent ? done - sent : 0;
}

static inline uint64_t rb_call_send_lag_ns(uint64_t intended, uint64_t sent)
{
    return sent > intended ? sent - intended : 0;
}

/* One connection's clocks for rb_open_call; start both at 0. */
typedef struct rb_conn_clock {
    uint64_t free_ns;          /* when the connection would have been free had
                                  every call been sent at its intended time */
    uint64_t last_done_ns;     /* when its previous call actually completed */
} rb_conn_clock;

/* The open-loop figures of one call, ns (header comment). */
typedef struct rb_open_times {
    uint64_t latency_ns;       /* queue_ns + service_ns: from the intended time,
                                  as a punctual caller would see it */
    uint64_t service_ns;       /* done - sent */
    uint64_t queue_ns;         /* the wait behind earlier calls on this
                                  connection, had they all been sent on time */
    uint64_t send_lag_ns;      /* sent - intended (queueing and lateness) */
    uint64_t gen_lag_ns;       /* the generator's own lateness: sent minus the
                                  later of intended and the previous call's
                                  actual completion */
} rb_open_times;

/* The figures of a call on connection c due at `intended`, sent at `sent`
 * and complete (verified or failed) at `done` (CLOCK_MONOTONIC ns), and
 * advance c. The queueing is Lindley's recursion over the measured service
 * times: the call would have started at max(intended, c->free_ns) and
 * taken its service time, so a late wake-up of the generator moves no
 * call's latency, while a slow call still delays the calls behind it. A
 * failed call occupies the connection for its service time too. Times
 * that run backwards give 0, never a wrapped value. */
static inline rb_open_times rb_open_call(rb_conn_clock *c, uint64_t intended, uint64_t sent,
                                         uint64_t done)
{
    rb_open_times o;
    o.service_ns = done > sent ? done - sent : 0;
    uint64_t start = intended > c->free_ns ? intended : c->free_ns;
    o.queue_ns = start - intended;
    o.latency_ns = o.queue_ns + o.service_ns;
    c->free_ns = start + o.service_ns;
    uint64_t ready = intended > c->last_done_ns ? intended : c->last_done_ns;
    o.gen_lag_ns = sent > ready ? sent - ready : 0;
    o.send_lag_ns = sent > intended ? sent - intended : 0;
    c->last_done_ns = done;
    return o;
}

/* Is the generator keeping the schedule? Given the offered (target) and
 * achieved rates in calls/s, returns non-zero when achieved is below 99 %
 * of target (RB_SCHEDULE_ACHIEVED_MIN): the run did not offer the load it
 * was asked for, and its latency figures belong to a lower rate. */
#define RB_SCHEDULE_ACHIEVED_MIN 0.99
int rb_schedule_rate_short(double target_cps, double achieved_cps);

#endif
