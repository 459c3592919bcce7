/* fault_account.h - every call of a fault run in exactly one class, the
 * recovery times, and the timeline across the fault.
 *
 * Per call the client knows whether the transport accepted the request (a
 * connect refused or a publish not confirmed: not accepted; otherwise the
 * request was written) and how the call ended (ok, failed by kind, or no
 * answer within its deadline); the server's journal (rb_journal.h) says how
 * many times it was executed. Classes (after Jepsen; docs/design.md, faults):
 *   duplicated  executed more than once, whatever the client saw
 *   ok          executed once and answered
 *   ambiguous   executed once, but the client was told it failed or got no
 *               answer
 *   refused     never executed, not accepted: a clean failure, safe to retry
 *   lost        never executed although accepted: vanished in the system
 * An answer without an execution (impossible with a working journal) counts
 * as ok and in `answered_unexecuted`, which a correct run keeps at 0.
 */
#ifndef RB_FAULT_ACCOUNT_H
#define RB_FAULT_ACCOUNT_H

#include <stddef.h>
#include <stdint.h>

#include "rb_error.h"
#include "rb_journal.h"
#include "results/model.h"

typedef enum rb_call_outcome {
    RB_OUTCOME_OK = 0,         /* verified reply */
    RB_OUTCOME_FAILED,         /* an error reply or a broken call (fail_kind) */
    RB_OUTCOME_UNANSWERED,     /* no answer within the deadline */
} rb_call_outcome;

typedef struct rb_call_rec {
    uint64_t id;               /* the call id in the journal */
    uint64_t start_ns;         /* intended send time (open loop) or send
                                  time, CLOCK_MONOTONIC */
    uint64_t end_ns;           /* outcome known */
    uint8_t accepted;          /* 1: the transport took the request */
    uint8_t outcome;           /* rb_call_outcome */
    uint8_t fail_kind;         /* rb_fail_kind, when outcome is FAILED/UNANSWERED */
} rb_call_rec;

typedef enum rb_call_class {
    RB_CLASS_OK = 0,
    RB_CLASS_REFUSED,
    RB_CLASS_LOST,
    RB_CLASS_AMBIGUOUS,
    RB_CLASS_DUPLICATED,
    RB_CLASS__COUNT
} rb_call_class;

/* "ok", "refused", "lost", "ambiguous", "duplicated". */
const char *rb_call_class_name(rb_call_class c);

/* The class of one call executed `executions` times. */
rb_call_class rb_call_classify(const rb_call_rec *r, uint32_t executions);

/* rb_fault_counts, what every call of a round became, is the results
 * model's (results/model.h): the accounting fills it. */

/* Classify recs[0..n) against journal j and compute the recovery times for
 * a fault that began at fault_ns. target_cps: the rate to restore (the
 * open loop's target, or the closed loop's ok rate before the fault);
 * <= 0 leaves rate_restored_ms NAN. window_end_ns: the measured window's end
 * (buckets past it are not looked at). */
void rb_fault_account(const rb_call_rec *recs, size_t n, const rb_journal *j,
                      uint64_t fault_ns, double target_cps, uint64_t window_end_ns,
                      rb_fault_counts *out);

/* The ok rate (calls/s) completed in [from_ns, to_ns); NAN for an empty span. */
double rb_fault_ok_rate(const rb_call_rec *recs, size_t n, uint64_t from_ns, uint64_t to_ns);

/* One bucket of the timeline across the fault. */
typedef struct rb_fault_bucket {
    double t_ms;               /* bucket start, ms from the window's start */
    uint64_t calls;            /* calls completed in the bucket */
    uint64_t failures;         /* of which not ok */
    double p50_us, p99_us, max_us;  /* latency of its ok calls; NAN: none */
} rb_fault_bucket;

/* Whole buckets of bucket_ms (>= 1) from t0_ns to end_ns (a partial last
 * one is left out), by completion time.
 * *out is malloc'd (caller frees), *nb buckets. RB_OK or RB_ENOMEM. */
int rb_fault_timeline(const rb_call_rec *recs, size_t n, uint64_t t0_ns, uint64_t end_ns,
                      int bucket_ms, rb_fault_bucket **out, size_t *nb);

#endif
