/* fault_run.h - one scenario round under a fault (`rpcbench run --fault`):
 * the glue between the load generator, the fault (fault.h), the servers'
 * execution journal (rb_journal.h) and the accounting (fault_account.h).
 *
 * In a fault run every call is a sendObj whose object starts with
 * RB_JOURNAL_KEY -> a call id unique in the run; the servers, started with
 * RPCBENCH_JOURNAL set (rb_fault_run_env), record each execution. The load
 * generator records every call (rb_fault_run_call), including the ones that
 * could not even connect. A thread injects the fault AT ms into the
 * window; the window is stretched to end no sooner than a call deadline +
 * 1 s after the fault was undone, so recovery can be seen. At the end the journal is read and
 * every call gets its class.
 */
#ifndef RB_FAULT_RUN_H
#define RB_FAULT_RUN_H

#include <stdint.h>

#include "fault/fault.h"
#include "fault/fault_account.h"
#include "proc/servers.h"
#include "results/model.h"
#include "transport.h"

/* Set RPCBENCH_JOURNAL to dir/journal.bin (truncated) so every server
 * started afterwards records its executions. Call before any thread runs.
 * RB_OK or RB_EIO. */
int rb_fault_run_env(const char *dir);

typedef struct rb_fault_run rb_fault_run;

/* A fault run of spec f for one round of transport t against *sp (updated
 * when the fault restarts the server; entries: the server's --entries),
 * with `threads` load threads, a window of window_ms and calls with a
 * deadline of timeout_ms (the window lasts until 1 s + timeout_ms after the
 * fault is undone, in the closed loop). rate_cps: the open loop's target
 * rate, which recovery is judged against (0: the closed loop's ok rate
 * before the fault). NULL when out of memory. */
rb_fault_run *rb_fault_run_new(const rb_fault_spec *f, const rb_transport *t, long entries,
                               rb_server_proc *sp, int threads, double window_ms, int timeout_ms,
                               double rate_cps);

/* o filled as the harness's sendObj argument of `entries` entries with the
 * id entry first (so the count the server acknowledges is entries + 1). */
int rb_fault_run_fill(rb_obj *o, size_t entries);

/* A fresh call id, set into o's id entry; returns it. Thread-safe. */
uint64_t rb_fault_run_tag(rb_obj *o);

/* Record one call of thread `thread`: id (0: the call was not sent, no
 * connection), start and end (CLOCK_MONOTONIC ns), rc of the call
 * (RB_OK with verified 0: a wrong reply), accepted as the client reported
 * it (rb_client.accepted: 1, 0, or -1 not reported: then judged from rc).
 * Lock-free per thread. */
void rb_fault_run_call(rb_fault_run *fr, int thread, uint64_t id, uint64_t start_ns,
                       uint64_t end_ns, int rc, int verified, int accepted);

/* Start the fault thread: it injects at window_start + AT and may push
 * *end_ns (read by the load threads with __atomic_load_n) further. */
int rb_fault_run_start(rb_fault_run *fr, uint64_t window_start_ns, uint64_t *end_ns);

/* After the load threads ended: join the fault thread, read the journal,
 * classify every call; the result moves into *out, the results model's
 * record of the round (model.h; free with rb_fault_round_free; NULL when
 * out of memory). Frees fr. */
void rb_fault_run_finish(rb_fault_run **fr, uint64_t window_end_ns, rb_fault_round **out);

#endif
