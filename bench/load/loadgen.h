/* loadgen.h - the load generator: one round of one scenario, as its spec
 * (loadgen_spec.h) says, against one server.
 *
 * Where the clients run: a round without a fault runs in a client process
 * forked for it while this process has never run a second thread, so that
 * the client process is single-threaded when the round has one connection
 * (then the one client runs on that process's only thread), as a minimal
 * client is: glibc's malloc and mutexes skip their atomic operations only
 * in a process that never started a thread, and a fork of a threaded
 * process does not count as one. The child sends the round and its
 * samples back through a pipe and exits. A round with a fault, or a run
 * whose process already has threads, runs on this process (clients.h):
 * the fault's own thread restarts servers and records every call in this
 * process. */
#ifndef RB_LOADGEN_H
#define RB_LOADGEN_H

#include "load/loadgen_spec.h"
#include "proc/servers.h"
#include "results/results.h"

/* Measure one round as ls says against server sp (rb_clients_drive's
 * contract, clients.h): *r gets the round's figures (ran = 1 once
 * measured; ran = 0 and the reason on stderr when the client process
 * ended without sending them), *out, zeroed by the caller, the verified
 * calls' samples (the caller frees them; empty when not run). The round's position and validity are the
 * caller's. */
void rb_loadgen_round(const rb_loadgen_spec *ls, const rb_server_proc *sp, rb_round *r,
                      rb_loadgen_samples *out);

/* CPU time, ns, that client processes forked by rb_loadgen_round have used
 * (counted when each one ends): with rb_self_cpu_ns(), the run's own
 * client CPU. */
uint64_t rb_loadgen_child_cpu_ns(void);

#endif
