/* loadgen.h - the load of one scenario in one round. */
#ifndef RB_LOADGEN_H
#define RB_LOADGEN_H

#include "results.h"
#include "run_args.h"
#include "servers.h"

/* Measure scenario s in round `round` (its transport `position`-th in this
 * round's order) against server sp: s->concurrency client threads, one
 * connection each, cfg's warm-up, calls or duration, deadline and fib_n.
 * Fills s->rounds[round] (ran = 1) and appends its samples to s->all.
 * Failures are counted, never fatal. */
void rb_loadgen_round(const rb_run_cfg *cfg, rb_scenario *s, int round, int position,
                      const rb_server_proc *sp);

#endif
