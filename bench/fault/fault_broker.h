/* fault_broker.h - a broker node taken down and brought up again, through
 * the broker interface (broker.h): which node and which signal is the
 * caller's (fault.c) choice; the undo of a node a fault left down. Calls
 * fault_base.h and broker.h only.
 */
#ifndef RB_FAULT_BROKER_H
#define RB_FAULT_BROKER_H

#include <stdint.h>
#include <sys/types.h>

#include "broker.h"
#include "fault/fault_base.h"

/* Send sig to node `node` (1..nodes) of broker b, whose process is pid,
 * and wait up to wait_ms for it to exit (then tm->begin_ns); keep it down
 * for duration_ms (less when aborted); start it again (rb_broker_restart,
 * then tm->end_ns). The node is registered for undo from before the signal
 * until it is back. Returns RB_OK or the first error, recorded on tm. */
int rb_fault_broker_down_up(const rb_broker *b, int node, pid_t pid, int sig, int wait_ms,
                            int64_t duration_ms, rb_fault_times *tm);

/* Start again a broker node a fault left down (rb_fault_cleanup). Not
 * signal-safe: it runs the broker's control script. */
void rb_fault_broker_undo(void);

#endif
