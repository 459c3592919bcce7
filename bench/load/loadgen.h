/* loadgen.h - the load of one scenario in one round. */
#ifndef RB_LOADGEN_H
#define RB_LOADGEN_H

#include "results/results.h"
#include "cli/run_args.h"
#include "load/schedule.h"
#include "run/servers.h"

/* How one round is driven (rb_loadgen_spec fills it from the run's
 * options; the SLO search changes rate and length per step). */
typedef struct rb_load_spec {
    double rate_cps;           /* offered calls/s over all connections; 0: closed loop */
    rb_arrivals arrivals;      /* open loop: poisson or uniform */
    uint64_t seed;             /* open loop: the schedule's seed */
    long long calls;           /* calls in the round, shared by the threads; 0: duration_s */
    double duration_s;         /* the measured window, seconds (calls == 0) */
    int warmup;                /* untimed calls per thread first */
    uint64_t timeline_ns;      /* timeline interval, > 0 */
} rb_load_spec;

/* The spec of scenario s in round `round` under cfg: s->rate_cps, cfg's
 * arrivals, calls or duration, warm-up and timeline interval, and a seed
 * derived from cfg->seed and the round (same run, same schedule). */
void rb_loadgen_spec(const rb_run_cfg *cfg, const rb_scenario *s, int round, rb_load_spec *ls);

/* Measure scenario s in round `round` (its transport `position`-th in this
 * round's order) against server sp as ls says: s->concurrency client
 * threads, one connection each, cfg's deadline and fib_n. Closed loop:
 * calls back to back; open loop: each connection on its share of the
 * schedule (schedule.h). Fills s->rounds[round] (ran = 1; its timeline
 * tl/ntl is malloc'd, freed by the owner of the scenario) and appends its
 * latency samples to s->all. Failures are counted, never fatal. With
 * s->fault, the fault is injected into the window (which it may lengthen
 * in the closed loop; *sp's pid is updated when the server is started
 * again) and
 * s->rounds[round].fault gets the accounting. */
void rb_loadgen_run(const rb_run_cfg *cfg, const rb_load_spec *ls, rb_scenario *s, int round,
                    int position, const rb_server_proc *sp);

/* Where rb_loadgen_run drives the clients (loadgen_proc.c): a round
 * without a fault runs in a client process forked for it while this
 * process has never run a second thread, so that the client process is
 * single-threaded when the round has one connection (then the one client
 * runs on that process's only thread), as a minimal client is: glibc's
 * malloc and mutexes skip their atomic operations only in a process that
 * never started a thread, and a fork of a threaded process does not count
 * as one. The child sends the round and its samples back through a pipe
 * and exits. A round with a fault, or a run whose process already has
 * threads, runs here (rb_loadgen_run_here): the fault's own thread
 * restarts servers and records every call in this process. */
void rb_loadgen_run_here(const rb_run_cfg *cfg, const rb_load_spec *ls, rb_scenario *s,
                         int round, int position, const rb_server_proc *sp);

/* CPU time, ns, that client processes forked by rb_loadgen_run have used
 * (counted when each one ends): with rb_self_cpu_ns(), the run's own
 * client CPU. */
uint64_t rb_loadgen_child_cpu_ns(void);

/* rb_loadgen_spec, then rb_loadgen_run. */
void rb_loadgen_round(const rb_run_cfg *cfg, rb_scenario *s, int round, int position,
                      const rb_server_proc *sp);

#endif
