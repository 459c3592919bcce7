/* costs.h - what a measured window cost: wire bytes and CPU time per call.
 *
 * The client engine (clients.c) samples the meters just before and just
 * after the measured window; the differences, divided by the verified
 * calls, are the round's per-call costs: TCP payload bytes of the client's
 * connections (and, through a broker, of the server's: both hops), CPU
 * time of the client process (less the pacer's spinning), of the server
 * and of the broker, each by the best meter available (measure/procstat.h)
 * and by /proc ticks for comparison. */
#ifndef RB_COSTS_H
#define RB_COSTS_H

#include <stdint.h>

#include "measure/wire.h"
#include "proc/servers.h"
#include "results/results.h"
#include "transport.h"

/* One sample of every meter. Owns its wire snapshots until
 * rb_costs_per_call frees them. */
typedef struct rb_costs_point {
    rb_wire_snap wc, ws;             /* client's and (broker) server's sockets */
    int wc_ok, ws_ok;
    uint64_t cpu_self, cpu_server, cpu_broker;      /* meters, ns */
    int cpu_server_ok, cpu_broker_ok;
    uint64_t tick_server, tick_broker;              /* /proc/PID/stat, ns */
    int tick_server_ok, tick_broker_ok;
} rb_costs_point;

/* Sample every meter for a round of transport t against server sp into *p
 * (zeroed first by the caller). A meter that cannot be read is marked not
 * ok, never an error. */
void rb_costs_sample(const rb_transport *t, const rb_server_proc *sp, rb_costs_point *p);

/* Wire bytes and CPU time per verified call into r (wire_client,
 * wire_total, cpu_client, cpu_server, cpu_broker and their meters; NAN
 * when no call was verified or a reading failed) from the samples p0 and p1
 * around a window of window_ns, with r->calls and r->spin_cpu_ns already
 * set. Frees both samples' snapshots. */
void rb_costs_per_call(const rb_transport *t, const rb_server_proc *sp, rb_round *r,
                       rb_costs_point *p0, rb_costs_point *p1, uint64_t window_ns);

#endif
