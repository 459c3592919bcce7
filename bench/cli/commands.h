/* commands.h - the commands of cli/ beside main.c's own, each the edge
 * of its command: argv[0] is the command's name, the return value its
 * process exit status, the usage text its own (stdout for --help, stderr
 * on a usage error). */
#ifndef RB_COMMANDS_H
#define RB_COMMANDS_H

#include <stdio.h>

/* `rpcbench call TRANSPORT METHOD [ARG] [options]`: one call, the reply (or
 * the error) as one JSON line on stdout. 0 a reply; 1 the call failed or
 * the library could not initialise; 2 usage. */
int rb_call_main(int argc, char **argv);
void rb_call_usage(FILE *f);

/* `rpcbench codecs [--entries LIST] [--fib-n N] [--budget-ms MS] [--out FILE]`:
 * measure every encoding (codecs/codecs.h), print the table
 * (rb_report_codecs_md) to stdout, and write {"codecs": [...]} to FILE
 * when given. 0; 1 when a cell failed its check or FILE could not be
 * written; 2 usage. */
int rb_codecs_main(int argc, char **argv);
void rb_codecs_usage(FILE *f);

#endif
