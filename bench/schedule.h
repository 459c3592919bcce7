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
 * Arrivals (`--arrivals`):
 * - `poisson` (the default): exponential gaps with mean C/R per connection.
 *   The C independent streams add up to one Poisson stream of rate R, which
 *   is what a server sees from many independent callers, so calls sometimes
 *   bunch up and queue as they do in production. Lancet (Kogias et al.,
 *   USENIX ATC 2019) and gRPC's qps driver use Poisson arrivals for this
 *   reason; Lancet warns that evenly spaced requests understate tail latency
 *   because requests then never collide below saturation.
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
    double gap_ns;             /* mean gap of this connection: C / R s, in ns */
    double next_ns;            /* intended time of the next call, ns after the start */
    uint64_t k;                /* calls handed out so far */
    uint64_t rng[4];           /* xoshiro256** state */
} rb_schedule;

/* "poisson" / "uniform" into *out. RB_OK, or RB_EINVAL for anything else
 * (out untouched). */
int rb_arrivals_parse(const char *s, rb_arrivals *out);

/* "poisson" or "uniform" (static string). */
const char *rb_arrivals_name(rb_arrivals a);

/* Set up connection `index` (0 <= index < conns) of a schedule offering
 * rate_cps calls/s (> 0, finite, at most 1e9) in all over `conns` (>= 1)
 * connections, the PRNG seeded from (seed, index). RB_OK, or RB_EINVAL for
 * an argument out of range (s untouched). */
int rb_schedule_init(rb_schedule *s, rb_arrivals kind, double rate_cps,
                     int conns, int index, uint64_t seed);

/* Intended send time of this connection's next call, in ns after the
 * schedule's start (the same start for every connection of a run), and
 * advance. Times are non-decreasing; with uniform arrivals call k of
 * connection i is due at (i + k * conns) / rate_cps seconds exactly (no
 * accumulated rounding); with poisson arrivals the gaps are exponential
 * with mean conns / rate_cps seconds. */
uint64_t rb_schedule_next(rb_schedule *s);

/* Sleep until CLOCK_MONOTONIC reaches abs_ns (clock_nanosleep TIMER_ABSTIME,
 * resumed after signals), or return at once when it already has. Returns
 * RB_OK, RB_EINTR when *stop became non-zero (checked after each wake-up;
 * stop may be NULL), or RB_EIO when clock_nanosleep fails. Long waits wake
 * every 100 ms to look at *stop. */
int rb_schedule_sleep_until(uint64_t abs_ns, const volatile int *stop);

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

/* Is the generator keeping the schedule? Given the offered (target) and
 * achieved rates in calls/s, returns non-zero when achieved is below 99 %
 * of target (RB_SCHEDULE_ACHIEVED_MIN): the run did not offer the load it
 * was asked for, and its latency figures belong to a lower rate. */
#define RB_SCHEDULE_ACHIEVED_MIN 0.99
int rb_schedule_rate_short(double target_cps, double achieved_cps);

#endif
