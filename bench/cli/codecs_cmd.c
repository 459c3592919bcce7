/* codecs_cmd.c - the command line of `rpcbench codecs` (commands.h). */
#include "cli/args.h"
#include "cli/commands.h"
#include "codecs/codecs.h"
#include "report/report_codecs.h"
#include "results/read.h"
#include "results/results.h"

#include "rb_service.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_ENTRIES_LIST 16

void rb_codecs_usage(FILE *f)
{
    fprintf(f,
"usage: rpcbench codecs [--entries LIST] [--fib-n N] [--budget-ms MS] [--out FILE]\n"
"  --entries LIST   getObj/sendObj entry counts (default 1,10,100,1000,10000)\n"
"  --fib-n N        fib's argument, 0..92 (default 30, as `run`)\n"
"  --budget-ms MS   CPU time per cell, ms (default 50)\n"
"  --out FILE       also write {\"codecs\": [...]} to FILE\n");
}

int rb_codecs_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "entries", required_argument, NULL, 'e' },
        { "fib-n", required_argument, NULL, 'f' },
        { "budget-ms", required_argument, NULL, 'b' },
        { "out", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    long entries[MAX_ENTRIES_LIST] = { 1, 10, 100, 1000, 10000 };
    int n = 5, fib_n = 30, c, failed = 0;
    double budget_s = RB_CODECS_BUDGET_S;
    const char *out = NULL;
    long long v;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            n = rb_arg_int_list("--entries", optarg, 0, 10000000, entries, MAX_ENTRIES_LIST);
            if (n == RB_EINVAL)
                return 2;
            if (n == 0) {
                fprintf(stderr, "rpcbench: --entries wants 1..%d counts\n", MAX_ENTRIES_LIST);
                return 2;
            }
            break;
        case 'f':
            if (rb_arg_int("--fib-n", optarg, 0, RB_FIB_MAX, &v) != RB_OK)
                return 2;
            fib_n = (int)v;
            break;
        case 'b':
            if (rb_arg_int("--budget-ms", optarg, 1, 10000, &v) != RB_OK)
                return 2;
            budget_s = (double)v / 1e3;
            break;
        case 'o': out = optarg; break;
        case 'h': rb_codecs_usage(stdout); return 0;
        default: rb_codecs_usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        rb_codecs_usage(stderr);
        return 2;
    }
    rb_codec_rec *cells;
    size_t ncells;
    if (rb_codecs_measure(entries, (size_t)n, fib_n, budget_s, 1, &cells, &ncells, &failed) != RB_OK) {
        fprintf(stderr, "rpcbench: codecs: out of memory\n");
        return 1;
    }
    rb_results cr;
    if (rb_results_from_codecs(cells, ncells, &cr) == RB_OK)
        rb_report_codecs_md(stdout, &cr);
    rb_results_free(&cr);
    int rc = failed ? 1 : 0;
    if (failed)
        fprintf(stderr, "rpcbench: codecs: %d cells failed their check\n", failed);
    if (out && rb_codecs_write(out, cells, ncells) != RB_OK)
        rc = 1;
    free(cells);
    return rc;
}
