/* run.h - `rpcbench run`: start servers, drive scenarios, write results. */
#ifndef RB_RUN_H
#define RB_RUN_H

#include <stddef.h>

#include "run/run_cfg.h"

/* Every option's default (as `rpcbench run --help` states them) into cfg. */
void rb_run_defaults(rb_run_cfg *cfg);

/* The run cfg describes: servers started, every scenario measured in every
 * round, results written to cfg->out (a timestamped folder under
 * results/ when NULL). Failed calls are counted in the results, not
 * fatal: *failed gets the number of scenarios with failed calls (0 in a
 * fault run, whose failures are its measurement), named on stderr's last
 * line. Returns
 *   RB_OK        every scenario ran, the results are written
 *   RB_EINTR     interrupted (SIGINT/SIGTERM): what finished is written,
 *                marked "complete": false, or nothing when nothing had
 *   RB_ECONNECT  a server could not be started or did not answer: what
 *                was measured before is written
 *   RB_EINVAL    a transport's broker URL is not set (a usage error)
 *   RB_EIO       the results folder or files could not be written, a
 *                library could not initialise, or nothing was measured
 *   RB_ENOMEM
 * with the reason on stderr. A run that measured nothing leaves no
 * results folder behind. */
int rb_run(const rb_run_cfg *cfg, size_t *failed);

#endif
