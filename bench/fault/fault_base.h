/* fault_base.h - what every fault primitive shares, below them all: how a
 * fault went (rb_fault_times), the abort flag and the waits that honour
 * it, a signal and the wait for the process to go, and whether this
 * process may change the network (CAP_NET_ADMIN). Calls nothing of the
 * faults above it (fault.h, fault_net.h, fault_broker.h).
 */
#ifndef RB_FAULT_BASE_H
#define RB_FAULT_BASE_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* When a fault happened (CLOCK_MONOTONIC, ns) and how it went. */
typedef struct rb_fault_times {
    uint64_t begin_ns;     /* the fault is in effect: the server reaped, every
                              thread stopped, the sockets reset, the table in
                              place, the broker stopping */
    uint64_t end_ns;       /* undone: server started again, partition removed,
                              broker back (0 when it never was) */
    int rc;                /* RB_OK or the first error */
    char err[256];         /* detail when rc != RB_OK */
} rb_fault_times;

/* Record an error on tm (the first one wins; rc RB_OK records nothing);
 * returns rc. */
int rb_fault_err(rb_fault_times *tm, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set by rb_fault_abort (and rb_fault_cleanup): waits of a fault stop
 * early. Read from signal handlers too. */
extern volatile sig_atomic_t rb_fault_aborted;

/* Make a fault in progress stop waiting and undo at once (interrupted run).
 * Faults injected later do not wait either, until rb_fault_rearm. */
void rb_fault_abort(void);

/* Let faults wait again after rb_fault_abort or rb_fault_cleanup. */
void rb_fault_rearm(void);

/* Sleep ms (>= 0) in slices, stopping early when aborted.
 * RB_OK, or RB_EINTR when aborted. */
int rb_fault_sleep_ms(int64_t ms);

/* Send sig to pid and wait up to wait_ms for it to exit (reaped when it is
 * our child). RB_OK when gone, RB_ETIMEDOUT when still alive, RB_EINVAL for
 * pid <= 0, RB_EIO when kill() fails (errno kept). */
int rb_fault_kill(pid_t pid, int sig, int wait_ms);

/* 1 when this process has CAP_NET_ADMIN in its effective set. */
int rb_fault_has_netadmin(void);

#endif
