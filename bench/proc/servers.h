/* servers.h - starting, checking and stopping a run's servers. */
#ifndef RB_SERVERS_H
#define RB_SERVERS_H

#include <signal.h>
#include <sys/types.h>

#include "broker.h"
#include "measure/procstat.h"
#include "transport.h"

/* Set by run's SIGINT/SIGTERM handler: waits for servers and the load
 * threads stop early when it is set. */
extern volatile sig_atomic_t rb_run_interrupted;

typedef struct rb_server_proc {
    pid_t pid;                       /* 0: not ours (--connect) */
    char endpoint[256];              /* HOST:PORT, or the queue of a broker transport */
    int wire_port;                   /* remote port of the client's connections */
    rb_cpu_meter cpu;                /* the server's CPU (pid > 0), procstat.h */
} rb_server_proc;

/* Start t's server with getObj's `entries` as a child process and wait for
 * its ready line, or use a running one at `override` (HOST:PORT, or the
 * queue of a broker transport; NULL: start one); then call fib(1) until it
 * answers correctly (30 s at most; 3 s for a running one), and start the
 * CPU meter of a child (sp->cpu). The message on failure says why (e.g.
 * the connection was refused). Returns RB_OK with *sp filled, else
 * RB_EIO (could not start) or RB_ECONNECT (not ready, wrong answer), with
 * the child stopped and a message on stderr. */
int rb_server_start(const rb_transport *t, const char *override, long entries,
                    rb_server_proc *sp);

/* From now on, start servers on a port below the kernel's ephemeral range
 * instead of an ephemeral one: a server restarted on its old port must not
 * find it taken by a client's reconnecting socket (a loopback connect to a
 * closed ephemeral port can get that same port as its own and connect to
 * itself). Fault runs call it once, before any server starts. */
void rb_server_fixed_ports(void);

/* Start t's server again at sp's endpoint (same HOST:PORT or queue) after
 * its process ended (a fault killed it), waiting for its ready line (not
 * for a verified call: the fault's load does that). Returns RB_OK with
 * sp->pid set, else RB_ECONNECT (sp->pid 0, message on stderr) or RB_EIO. */
int rb_server_restart(const rb_transport *t, long entries, rb_server_proc *sp);

/* The servers started from now on spend `us` microseconds per call
 * (rpcbench serve --work-us), sleeping instead of busy when `sleep`. */
void rb_servers_set_work(int us, int sleep);

/* Stop sp's child (SIGTERM, SIGKILL after 5 s) and reap it, and its CPU
 * meter; nothing when the server is not ours. */
void rb_server_stop(rb_server_proc *sp);

/* Client options reaching sp's server with deadline timeout_ms. */
void rb_server_client_opts(const rb_transport *t, const rb_server_proc *sp, int timeout_ms,
                           rb_client_opts *co);

/* The CPU meters of the run's brokers, started once per run and stopped
 * at its end (their cgroups removed). A broker's CPU is that of its node
 * processes (brokers/broker.h: rb_broker_nodes, rb_broker_node_pid, read
 * when its meter starts): a cluster's is the sum of its nodes'. */

/* Start metering b's nodes, every one or none; a no-op for NULL b, a
 * broker metered already, one with a node whose pid is unknown or cannot
 * be read (b then has no meter: its CPU reads as unknown), or a fifth
 * broker. */
void rb_broker_meter_start(const rb_broker *b);

/* CPU time b's metered nodes have used so far, summed, ns (their meters:
 * rb_broker_cpu_ns; /proc/PID/stat, in clock ticks: rb_broker_cpu_ticks_ns).
 * b NULL: every metered broker's, summed. Returns how many brokers were
 * read (>= 1), 0 when no such broker is metered (*ns 0), or RB_EIO when a
 * node cannot be read (it ended: a fault restarted it). */
int rb_broker_cpu_ns(const rb_broker *b, uint64_t *ns);
int rb_broker_cpu_ticks_ns(const rb_broker *b, uint64_t *ns);

/* How b's CPU is metered: the least precise method among its nodes' and
 * the coarsest resolution, ns. Returns 1, or 0 when b is not metered (then
 * *method and *resolution_ns are left as they are). */
int rb_broker_cpu_method(const rb_broker *b, rb_cpu_method *method, uint64_t *resolution_ns);

/* Stop every broker meter. */
void rb_broker_meter_stop(void);

#endif
