/* loadgen_spec.h - what the load generator is asked to do in one round,
 * and the samples it hands back: the generator's whole input and output
 * besides the server it drives (proc/servers.h) and the round's figures
 * (results/results.h's rb_round). run/round.h fills a spec from the
 * run's options and a scenario. */
#ifndef RB_LOADGEN_SPEC_H
#define RB_LOADGEN_SPEC_H

#include <stdint.h>

#include "fault/fault.h"
#include "load/schedule.h"
#include "measure/stats.h"
#include "rb_service.h"
#include "transport.h"

typedef struct rb_loadgen_spec {
    /* what is called */
    const rb_transport *t;
    rb_method method;
    long entries;              /* getObj's expected count / sendObj's size; < 0: fib */
    int fib_n;                 /* fib's argument, 0..RB_FIB_MAX */
    int connections;           /* client threads, one connection each, >= 1 */
    int timeout_ms;            /* deadline of every call, ms, >= 1 */
    /* how */
    double rate_cps;           /* offered calls/s over all connections; 0: closed loop */
    rb_arrivals arrivals;      /* open loop: poisson or uniform */
    uint64_t seed;             /* open loop: the schedule's seed */
    uint64_t spin_ns;          /* open loop: the pacer's spin margin, ns
                                  (load/pacer.h); 0: sleep only */
    long long calls;           /* calls in the round, shared by the threads; 0: duration_s */
    double duration_s;         /* the measured window, seconds (calls == 0) */
    int warmup;                /* untimed calls per thread first, >= 0 */
    uint64_t timeline_ns;      /* timeline interval, ns, > 0 */
    const rb_fault_spec *fault; /* injected into the window; NULL: none */
} rb_loadgen_spec;

/* The verified calls of one round (each connection's in the order they
 * completed, connection after connection; lat.ns[i] and done.ns[i] are
 * one call) and its measured window: what the validity checks
 * (measure/validity.h) read.
 * Owned by the caller of the generator: rb_loadgen_samples_free. */
typedef struct rb_loadgen_samples {
    rb_samples lat;            /* latency, ns (open loop: from the intended send time) */
    rb_samples done;           /* completion of the same call, CLOCK_MONOTONIC ns */
    uint64_t start_ns, end_ns; /* the measured window, CLOCK_MONOTONIC ns */
} rb_loadgen_samples;

/* Free both sample arrays and zero *s. */
static inline void rb_loadgen_samples_free(rb_loadgen_samples *s)
{
    rb_samples_free(&s->lat);
    rb_samples_free(&s->done);
    s->start_ns = s->end_ns = 0;
}

#endif
