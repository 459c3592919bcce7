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
 *   broker-restart    stop the private RabbitMQ node cleanly (SIGTERM to its VM),
 *                     start it again after DURATION (scripts/broker restart) [0]
 *   broker-kill       SIGKILL the node's VM, start it again after DURATION [0]
 *   broker-node-kill  SIGKILL the cluster node that leads the request queue,
 *                     start it again after DURATION [1s]
 * AT: when, in ms from the start of the measured window (-1: the runner's
 * default, a third of the window).
 *
 * Undo: every change a primitive makes (a stopped process, a firewall table,
 * a broker that is down) is registered until it is undone. rb_fault_cleanup
 * undoes what is left; rb_fault_guard_init runs it at exit and undoes the
 * process and firewall changes from SIGINT/SIGTERM/SIGHUP (then the previous
 * handler runs), and deletes tables of earlier runs whose process is gone.
 * A SIGKILLed harness cannot undo: its stopped server is killed by
 * PR_SET_PDEATHSIG (use SIGKILL: a stopped process ignores SIGTERM until
 * continued) and its table is swept by the next run.
 */
#ifndef RB_FAULT_H
#define RB_FAULT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

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
#define RB_FAULT_NEEDS_BROKER  4u   /* a broker transport (the private node) */
#define RB_FAULT_NEEDS_CLUSTER 8u   /* the 3-node cluster (scripts/broker start --nodes 3) */

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

/* Make a fault in progress stop waiting and undo at once (interrupted run).
 * Faults injected later do not wait either, until rb_fault_rearm. */
void rb_fault_abort(void);

/* Let faults wait again after rb_fault_abort or rb_fault_cleanup. */
void rb_fault_rearm(void);

/* ---- primitives ------------------------------------------------------------ */

/* Send sig to pid and wait up to wait_ms for it to exit (reaped when it is
 * our child). RB_OK when gone, RB_ETIMEDOUT when still alive, RB_EINVAL for
 * pid <= 0, RB_EIO when kill() fails (errno kept). */
int rb_fault_kill(pid_t pid, int sig, int wait_ms);

/* SIGSTOP pid, registered for undo. RB_OK or RB_EIO. */
int rb_fault_stall_begin(pid_t pid);

/* SIGCONT pid and drop it from the undo list. RB_OK or RB_EIO. */
int rb_fault_stall_end(pid_t pid);

/* Destroy (SOCK_DESTROY) every TCP socket process `owner` holds whose remote
 * port is `port` (IPv4 and IPv6): the owner's next read or write fails
 * (ECONNABORTED) and the peer gets a RST. *n (may be NULL): sockets reset.
 * RB_OK, RB_EUNSUPP (no CAP_NET_ADMIN or no CONFIG_INET_DIAG_DESTROY, with
 * the reason on err), RB_EIO. */
int rb_fault_conn_reset(pid_t owner, int port, int *n, char *err, size_t errlen);

/* Drop every TCP segment to or from `port` on loopback, both directions,
 * until rb_fault_partition_end: table inet rpcbench_<pid>_<seq>, registered
 * for undo. *handle identifies it. RB_OK, RB_EUNSUPP (not root, no nft), RB_EIO. */
int rb_fault_partition_begin(int port, int *handle, char *err, size_t errlen);

/* Delete the table of handle. RB_OK or RB_EIO. */
int rb_fault_partition_end(int handle);

/* Run scripts/broker with args (NULL-terminated), output to stderr, waiting
 * up to timeout_ms. The script: $RPCBENCH_BROKER_SCRIPT, else the source
 * tree's scripts/broker. RB_OK on exit status 0, RB_EIO otherwise. */
int rb_fault_broker_script(const char *const *args, int timeout_ms);

/* Start the 3-node cluster (scripts/broker start --nodes 3, minutes on a
 * busy machine) and put RPCBENCH_AMQP_CLUSTER_URL and RPCBENCH_CLUSTER_PIDS
 * from its broker.env into this process's environment. Call before any
 * thread starts. RB_OK or RB_EIO (message on stderr). */
int rb_fault_cluster_up(void);

/* Stop what rb_fault_cluster_up started (scripts/broker stop --nodes 3). */
void rb_fault_cluster_down(void);

/* ---- one fault, start to end ---------------------------------------------- */

/* What a fault acts on; filled by the runner. */
typedef struct rb_fault_target {
    pid_t server_pid;      /* the server process (0: none of ours) */
    int port;              /* the port the clients connect to: the server's
                              or the broker's */
    pid_t client_pid;      /* whose connections conn-reset resets (getpid()) */
    const char *queue;     /* broker-node-kill: the request queue */
    int node;              /* broker-node-kill: the leader (1..3), found by
                              rb_fault_prepare before AT; 0: find it then */
    pid_t node_pid;        /* its VM's pid */
    /* server-kill/-restart: start the server again (the runner's, blocking
     * until it is ready); stores the new pid. RB_OK or an error. */
    int (*respawn)(void *arg, pid_t *new_pid);
    void *arg;
} rb_fault_target;

/* When it happened (CLOCK_MONOTONIC, ns) and how it went. */
typedef struct rb_fault_times {
    uint64_t begin_ns;     /* the fault is in effect: the server reaped, every
                              thread stopped, the sockets reset, the table in
                              place, the broker stopping */
    uint64_t end_ns;       /* undone: server started again, partition removed,
                              broker back (0 when it never was) */
    int rc;                /* RB_OK or the first error */
    char err[256];         /* detail when rc != RB_OK */
} rb_fault_times;

/* What can be learnt before AT without disturbing the run (the node that
 * leads the request queue: scripts/broker leader takes seconds), so the
 * fault takes effect at AT. RB_OK, or an error for tm (the fault fails). */
int rb_fault_prepare(const rb_fault_spec *f, rb_fault_target *target, rb_fault_times *times);

/* Inject f on target now, blocking through DURATION and the undo (a thread
 * of the runner calls it at AT). target->server_pid is updated after a
 * respawn. Returns times->rc. */
int rb_fault_inject(const rb_fault_spec *f, rb_fault_target *target, rb_fault_times *times);

#endif
