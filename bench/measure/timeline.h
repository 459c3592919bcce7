/* timeline.h - latency over time: per-interval buckets of a run.
 *
 * A run's figures are summaries; a stall, a reconnect or a generator that
 * falls behind shows only over time (the view vegeta and rpc-perf give).
 * Each client thread fills its own rb_timeline (no locks); the threads'
 * timelines are merged after the run and turned into points, one per
 * interval (100 ms by default), written to results.json as
 *
 *   "timeline": [ { "t_ms", "calls", "failures", "p50_us", "p99_us", "max_us",
 *                   open loop only: "offered", "send_lag_mean_us", "send_lag_max_us" } ]
 *
 * t_ms is the start of the interval in ms after the measured window began.
 * A call counts in the interval in which it completed (verified reply, or
 * failure known); its latency is whatever the caller records (open loop:
 * from the intended send time). "offered" counts the calls whose intended
 * send time falls in the interval, with their send lag (actual minus
 * intended send time). Percentiles are exact (nearest rank) over the
 * interval's verified calls; an interval without verified calls has null
 * percentiles (never 0), one without offered calls null lag figures.
 */
#ifndef RB_TIMELINE_H
#define RB_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "measure/stats.h"

#define RB_TIMELINE_DEFAULT_MS 100
#define RB_TIMELINE_MAX_BUCKETS 1000000   /* times past this are refused */

typedef struct rb_tl_bucket {
    uint64_t calls;            /* verified calls completed in the interval */
    uint64_t failures;         /* failed calls (any kind) known in the interval */
    uint64_t offered;          /* calls due (intended send time) in the interval */
    uint64_t lag_sum_ns;       /* send lag of the offered calls, summed */
    uint64_t lag_max_ns;
    rb_samples lat;            /* latencies of the verified calls, ns */
} rb_tl_bucket;

typedef struct rb_timeline {
    uint64_t interval_ns;      /* bucket width, > 0 */
    rb_tl_bucket *b;           /* b[i] covers [i, i+1) * interval_ns */
    size_t n;                  /* buckets in use (highest touched + 1) */
    size_t cap;                /* buckets allocated */
} rb_timeline;

/* One interval's figures, as written to results.json. */
typedef struct rb_tl_point {
    double t_ms;               /* start of the interval after the window began */
    uint64_t calls, failures, offered;
    double p50_us, p99_us, max_us;            /* NAN when calls == 0 */
    double lag_mean_us, lag_max_us;           /* NAN when offered == 0 */
} rb_tl_point;

/* Empty timeline with buckets interval_ns wide (> 0). RB_OK or RB_EINVAL. */
int rb_timeline_init(rb_timeline *tl, uint64_t interval_ns);

/* A call that completed at_ns after the window began: ok != 0 a verified
 * call with its latency_ns, ok == 0 a failure (latency_ns ignored).
 * RB_OK, RB_ENOMEM, or RB_EINVAL when at_ns lies past
 * RB_TIMELINE_MAX_BUCKETS intervals. */
int rb_timeline_add_call(rb_timeline *tl, uint64_t at_ns, uint64_t latency_ns, int ok);

/* A call due at intended_ns after the window began, sent lag_ns late.
 * RB_OK, RB_ENOMEM or RB_EINVAL as above. */
int rb_timeline_add_offer(rb_timeline *tl, uint64_t intended_ns, uint64_t lag_ns);

/* Add everything of src into dst (another thread's timeline of the same
 * window). Both must have the same interval (RB_EINVAL otherwise, dst
 * untouched). RB_OK or RB_ENOMEM. src is unchanged. */
int rb_timeline_merge(rb_timeline *dst, const rb_timeline *src);

/* Release the buckets; tl is empty afterwards (interval kept). NULL ok. */
void rb_timeline_free(rb_timeline *tl);

/* The points of tl, one per interval from 0 to the last touched one
 * (intervals with nothing in them included, so time stays evenly spaced).
 * Sorts each bucket's samples in place. *out is malloc'd (caller frees;
 * NULL when *n is 0). RB_OK or RB_ENOMEM. */
int rb_timeline_points(rb_timeline *tl, rb_tl_point **out, size_t *n);

/* Does the send lag grow over the run, i.e. the generator falls further
 * behind the schedule as it goes? Over the intervals with offered calls,
 * split in thirds, true when the mean lag rises from third to third, the
 * last third's is more than twice the first's, and it rose by more than
 * RB_LAG_GROW_FLOOR_US and 2 % of the time the offers span (20 ms in a
 * 1 s run): a backlog that builds up, not the scheduling noise
 * of a busy machine (milliseconds here, up and down), nor a stall in the
 * middle from which the generator catches up. Fewer than 3 intervals with
 * offered calls are never judged. */
#define RB_LAG_GROW_FLOOR_US 5000.0
int rb_timeline_lag_grows(const rb_tl_point *p, size_t n);

#endif
