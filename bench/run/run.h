/* run.h - `rpcbench run`: start servers, drive scenarios, write results. */
#ifndef RB_RUN_H
#define RB_RUN_H

/* `rpcbench run ...`: argv[0] is "run". Returns a process exit code:
 * 0 when every scenario ran (failures are counted in the results, not
 * fatal), 1 when a server could not be started or results not written,
 * 2 on a usage error. */
int rb_run_main(int argc, char **argv);

#endif
