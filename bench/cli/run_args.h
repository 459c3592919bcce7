/* run_args.h - `rpcbench run`'s command line into the run's options
 * (run/run_cfg.h). */
#ifndef RB_RUN_ARGS_H
#define RB_RUN_ARGS_H

#include <stdio.h>

#include "results/model.h"
#include "run/run_cfg.h"

/* Parse run's options (argv[0] is "run") into cfg, which holds the
 * defaults on entry (rb_run_defaults). --help prints run's usage on
 * stdout and sets *help (nothing to run); else *help is 0. Returns RB_OK,
 * RB_EINVAL on a usage error (a bad number, an unknown name, options that
 * do not fit together; message on stderr) or RB_ENOMEM. cfg's strings are
 * copies that live as long as the process (argv is never written: it is
 * the process title `ps` shows). */
int rb_run_parse_args(int argc, char **argv, rb_run_cfg *cfg, int *help);

/* run's usage and exit statuses, on f. */
void rb_run_usage(FILE *f);

#endif
