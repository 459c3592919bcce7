/* run_args.h - `rpcbench run`'s command line into the run's options
 * (run/run_cfg.h). */
#ifndef RB_RUN_ARGS_H
#define RB_RUN_ARGS_H

#include <jansson.h>
#include <stdio.h>

#include "run/run_cfg.h"

/* Parse run's options (argv[0] is "run") into cfg, which holds the
 * defaults on entry. Exits 0 after --help, exits 2 on a bad number
 * (args.h). Returns 0, or 2 on any other usage error (message on stderr).
 * cfg's strings are copies (argv is never written: it is the process
 * title `ps` shows). */
int rb_run_parse_args(int argc, char **argv, rb_run_cfg *cfg);

/* Whether fault f applies to transport i of cfg; when not, *why says what
 * it needs. */
int rb_run_fault_applies(const rb_run_cfg *cfg, const rb_fault_spec *f, int i, const char **why);

/* run's usage and exit statuses, on f. */
void rb_run_usage(FILE *f);

/* results.json's environment.parameters for cfg (caller owns). */
json_t *rb_run_params_json(const rb_run_cfg *cfg);

#endif
