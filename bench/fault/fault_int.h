/* fault_int.h - shared between fault.c, fault_net.c and fault_broker.c;
 * not for other callers (they use fault.h). */
#ifndef RB_FAULT_INT_H
#define RB_FAULT_INT_H

#include "fault/fault.h"

#include <signal.h>

/* Set by rb_fault_abort/rb_fault_cleanup: waits of a fault stop early. */
extern volatile sig_atomic_t rb_fault_aborted;

/* Sleep ms (>= 0) in slices, stopping early when aborted.
 * RB_OK, or RB_EINTR when aborted. */
int rb_fault_sleep_ms(int64_t ms);

/* fault_net.c: delete every table this process registered; only
 * async-signal-safe calls (fork, execve, waitpid), so a signal handler may
 * call it. */
void rb_fault_net_undo_signal_safe(void);

/* fault_net.c: delete tables rpcbench_<pid>_* of processes that are gone. */
void rb_fault_net_sweep(void);

/* fault_broker.c: start again a broker (or cluster node) a fault left down.
 * Not signal-safe (runs scripts/broker). */
void rb_fault_broker_undo(void);

/* fault_broker.c: the broker faults' part of rb_fault_inject. */
int rb_fault_broker_inject(const rb_fault_spec *f, rb_fault_target *t, rb_fault_times *tm);

/* Record an error on tm (first one wins); returns rc. */
int rb_fault_err(rb_fault_times *tm, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* 1 when this process has CAP_NET_ADMIN in its effective set. */
int rb_fault_has_netadmin(void);

#endif
