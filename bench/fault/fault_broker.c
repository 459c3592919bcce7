/* fault_broker.c - a broker node down and up again (fault_broker.h). */
#include "fault/fault_broker.h"

#include "rb_error.h"
#include "transport.h"

#include <signal.h>
#include <stdio.h>

#define RESTART_MS 180000   /* a node boots in 5-20 s here; 3 minutes is broken */

/* The broker node a fault left down (NULL: none), started again by
 * rb_fault_broker_undo. */
static const rb_broker *volatile down_broker;
static volatile int down_node;

static int bring_back(const rb_broker *b, int node, char *err, size_t errlen)
{
    int rc = rb_broker_restart(b, node, RESTART_MS, err, errlen);
    if (rc == RB_OK) {
        down_broker = NULL;
        down_node = 0;
    }
    return rc;
}

void rb_fault_broker_undo(void)
{
    const rb_broker *b = down_broker;
    char err[256];
    if (b) {
        fprintf(stderr, "rpcbench: starting the broker a fault left down\n");
        if (bring_back(b, down_node, err, sizeof err) != RB_OK)
            fprintf(stderr, "rpcbench: %s\n", err);
    }
}

int rb_fault_broker_down_up(const rb_broker *b, int node, pid_t pid, int sig, int wait_ms,
                            int64_t duration_ms, rb_fault_times *tm)
{
    char err[200];
    down_node = node;
    down_broker = b;   /* registered before the signal: undo never misses it */
    int rc = rb_fault_kill(pid, sig, wait_ms);
    tm->begin_ns = rb_now_ns();   /* in effect: the node's process is gone */
    if (rc)
        return rb_fault_err(tm, rc, "broker node %d (pid %d) did not %s", node, (int)pid,
                            sig == SIGKILL ? "die on SIGKILL" : "stop on its stop signal");
    rb_fault_sleep_ms(duration_ms);   /* aborted: start it anyway, at once */
    if ((rc = bring_back(b, node, err, sizeof err)))
        return rb_fault_err(tm, rc, "%s", err);
    tm->end_ns = rb_now_ns();
    return RB_OK;
}
