/* fault.h - faults injected into a run (`rpcbench run --fault KIND[:DURATION][@AT]`)
 * and the primitives that inject them, each with a guaranteed undo.
 *
 * Kinds (DURATION defaults in brackets):
 *   server-kill       SIGKILL the server, start it again after DURATION [500ms]
 *   server-restart    SIGTERM, wait for the exit, start it again [0]
 *   server-stall      SIGSTOP for DURATION, then SIGCONT [500ms]
 *   conn-reset        reset this process's TCP connections to the server's
 *                     (or broker's) port: sock_diag SOCK_DESTROY, as `ss -K`
 *                     does (CONFIG_INET_DIAG_DESTROY, CAP_NET_ADMIN) [none]
 *   partition         drop every TCP segment to or from that port on
 *                     loopback for DURATION: an nftables table of our own
 *                     (CAP_NET_ADMIN, Debian's nftables) [500ms]
 *   broker-restart    stop the transport's single-node broker cleanly (its
 *                     table's stop_signal), start it again after DURATION [0]
 *   broker-kill       SIGKILL the broker node's process, start it again
 *                     after DURATION [0]
 *   broker-node-kill  SIGKILL the cluster node that leads the request queue,
 *                     start it again after DURATION [1s]
 * (The broker's nodes, pids and restart come from brokers/broker.h.)
 * AT: when, in ms from the start of the measured window (-1: the runner's
 * default, a third of the window).
 *
 * Undo: every change a primitive makes (a stopped process, a firewall table,
 * a broker that is down) is registered until it is undone. rb_fault_cleanup
 * undoes what is left; rb_fault_guard_init runs it at exit and undoes the
 * process and firewall changes from SIGINT/SIGTERM/SIGHUP (then the previous
 * handler runs), and deletes tables of earlier runs whose process is gone.
 *
 * The modules, each calling only those below it: fault.c (this header: the
 * option, the process faults, the undo, one fault start to end) over
 * fault_net.c (fault_net.h) and fault_broker.c (fault_broker.h), both over
 * fault_base.c (fault_base.h: times, errors, the abort flag, waits).
 * A SIGKILLed harness cannot undo: its stopped server is killed by
 * PR_SET_PDEATHSIG (use SIGKILL: a stopped process ignores SIGTERM until
 * continued) and its table is swept by the next run.
 */
#ifndef RB_FAULT_H
#define RB_FAULT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "broker.h"
#include "fault/fault_base.h"
#include "fault/fault_net.h"

typedef enum rb_fault_kind {
    RB_FAULT_NONE = 0,
    RB_FAULT_SERVER_KILL,
    RB_FAULT_SERVER_RESTART,
    RB_FAULT_SERVER_STALL,
    RB_FAULT_CONN_RESET,
    RB_FAULT_PARTITION,
    RB_FAULT_BROKER_RESTART,
    RB_FAULT_BROKER_KILL,
    RB_FAULT_BROKER_NODE_KILL,
    RB_FAULT__COUNT
} rb_fault_kind;

/* What a kind needs (rb_fault_needs). */
#define RB_FAULT_NEEDS_SERVER  1u   /* a server process of our own (not --connect) */
#define RB_FAULT_NEEDS_NETADM  2u   /* CAP_NET_ADMIN (root) */
#define RB_FAULT_NEEDS_BROKER  4u   /* a transport through a single-node broker */
#define RB_FAULT_NEEDS_CLUSTER 8u   /* a transport through a broker cluster
                                       (rb_broker.nodes > 1) */

typedef struct rb_fault_spec {
    rb_fault_kind kind;
    int64_t duration_ms;   /* 0..3,600,000; the kind's default when not given */
    int64_t at_ms;         /* 0..86,400,000 from the window's start; -1: default */
} rb_fault_spec;

/* "server-kill", ...; "none" for RB_FAULT_NONE, "?" out of range. */
const char *rb_fault_kind_name(rb_fault_kind k);

/* RB_FAULT_NEEDS_* flags of kind k. */
unsigned rb_fault_needs(rb_fault_kind k);

/* Parse "KIND[:DURATION][@AT]", DURATION and AT as a number and a unit, ms
 * or s ("500ms", "2s", "1.5s"). Returns RB_OK, or RB_EINVAL with a message
 * quoting the value in err[0..errlen). */
int rb_fault_parse(const char *s, rb_fault_spec *out, char *err, size_t errlen);

/* Can this process inject kind k? RB_OK, or RB_EUNSUPP with the reason in
 * err ("partition needs root (CAP_NET_ADMIN) ...", "nft not found ..."). */
int rb_fault_check(rb_fault_kind k, char *err, size_t errlen);

/* ---- undo ------------------------------------------------------------------ */

/* Once per process before injecting: atexit(rb_fault_cleanup), signal
 * handlers that undo stalls and partitions and chain to the handler that was
 * installed before (install the runner's own handler first), and a sweep of
 * nftables tables named rpcbench_<pid>_* whose pid no longer runs.
 * Idempotent. */
void rb_fault_guard_init(void);

/* Undo everything still registered: SIGCONT stopped processes, delete our
 * nftables tables, start a broker a fault left down. Idempotent, thread-safe;
 * also stops the waits of a fault in progress (rb_fault_abort). */
void rb_fault_cleanup(void);

/* ---- primitives ------------------------------------------------------------ */

/* rb_fault_kill, rb_fault_abort, rb_fault_rearm: fault_base.h. */

/* SIGSTOP pid, registered for undo. RB_OK or RB_EIO. */
int rb_fault_stall_begin(pid_t pid);

/* SIGCONT pid and drop it from the undo list. RB_OK or RB_EIO. */
int rb_fault_stall_end(pid_t pid);

/* conn-reset and partition: fault_net.h. */

/* ---- one fault, start to end ---------------------------------------------- */

/* What a fault acts on; filled by the runner. */
typedef struct rb_fault_target {
    pid_t server_pid;      /* the server process (0: none of ours) */
    int port;              /* the port the clients connect to: the server's
                              or the broker's */
    pid_t client_pid;      /* whose connections conn-reset resets (getpid()) */
    const rb_broker *broker; /* broker faults: the transport's broker
                              (NULL: none, and a broker fault fails) */
    const char *queue;     /* broker-node-kill: the request queue */
    int node;              /* broker-node-kill: the leader (1..nodes), found by
                              rb_fault_prepare before AT; 0: find it then */
    pid_t node_pid;        /* its process's pid */
    /* server-kill/-restart: start the server again (the runner's, blocking
     * until it is ready); stores the new pid. RB_OK or an error. */
    int (*respawn)(void *arg, pid_t *new_pid);
    void *arg;
} rb_fault_target;

/* rb_fault_times (when it happened, how it went): fault_base.h. */

/* What can be learnt before AT without disturbing the run (the node that
 * leads the request queue: asking the broker takes seconds), so the
 * fault takes effect at AT. RB_OK, or an error for tm (the fault fails). */
int rb_fault_prepare(const rb_fault_spec *f, rb_fault_target *target, rb_fault_times *times);

/* Inject f on target now, blocking through DURATION and the undo (a thread
 * of the runner calls it at AT). target->server_pid is updated after a
 * respawn. Returns times->rc. */
int rb_fault_inject(const rb_fault_spec *f, rb_fault_target *target, rb_fault_times *times);

#endif
