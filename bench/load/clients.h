/* clients.h - the client engine: one round's clients on this process. */
#ifndef RB_CLIENTS_H
#define RB_CLIENTS_H

#include "load/loadgen_spec.h"
#include "proc/servers.h"
#include "results/results.h"

/* Drive the round ls describes against server sp on this process:
 * ls->connections client threads, one connection each (one connection
 * without a fault runs on the calling thread). Closed loop: calls back to
 * back; open loop: each connection on its share of the schedule
 * (schedule.h). Fills *r (ran = 1; position and the validity checks are
 * the caller's; its timeline tl/ntl is malloc'd, freed by r's owner) and
 * *out, zeroed by the caller (the verified calls' samples; the caller
 * frees them with rb_loadgen_samples_free). Failures are counted, never fatal; when out
 * of memory before the round starts, *r is left not run (ran = 0). With
 * ls->fault the fault is injected into the window (which it may lengthen
 * in the closed loop; *sp's pid is updated when the server is started
 * again) and r->fault gets the accounting. Stops early when
 * rb_run_interrupted is set. */
void rb_clients_drive(const rb_loadgen_spec *ls, const rb_server_proc *sp, rb_round *r,
                      rb_loadgen_samples *out);

#endif
