/* round.h - one round of one scenario as the run measures it: the load
 * generator's spec from the run's options (run_cfg.h), the round itself
 * (load/loadgen.h), its validity checks (measure/validity.h) on the
 * round's samples, and the machine's state around it (measure/machine.h). */
#ifndef RB_ROUND_H
#define RB_ROUND_H

#include "load/loadgen_spec.h"
#include "proc/servers.h"
#include "results/results.h"
#include "run/run_cfg.h"

/* The spec of scenario s in round `round` (0-based) under cfg: s's
 * transport, method, entries, concurrency, rate and fault; cfg's fib_n,
 * deadline, arrivals, calls or duration, warm-up and timeline interval,
 * and a seed derived from cfg->seed and the round (same run, same
 * schedule). */
void rb_round_spec(const rb_run_cfg *cfg, const rb_scenario *s, int round, rb_loadgen_spec *ls);

/* Measure s->rounds[round] as ls says against server sp, the transport
 * `position`-th in this round's order: the round's figures, then, when it
 * ran, its validity checks, and its latency samples appended to s->all. */
void rb_round_measure(const rb_loadgen_spec *ls, rb_scenario *s, int round, int position,
                      const rb_server_proc *sp);

/* The run's round of s: rb_round_spec, rb_round_measure, the machine's
 * state read around it and the interference of other processes. A round
 * cut short by an interrupt (rb_run_interrupted) is dropped: not run, its
 * samples gone from s->all. */
void rb_round_in_run(const rb_run_cfg *cfg, rb_scenario *s, int round, int position,
                     const rb_server_proc *sp);

#endif
