/* report_cli.c - `rpcbench report DIR` and rb_report_write: read the
 * results, write the plots, then report.md. Everything in report.md is
 * derived from the files, so the report can be rebuilt any time. */
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>

#include "plots/plots.h"
#include "rb_error.h"
#include "report/report_md.h"
#include "results/read.h"
#include "plots/shape.h"

int rb_report_write(const char *dir)
{
    rb_results r;
    rb_shape sh;
    rb_plots *ps = NULL;
    int rc;

    rc = rb_results_read(dir, &r);
    if (rc != 0)
        return rc;
    ps = calloc(1, sizeof *ps);
    if (!ps) {
        rc = RB_ENOMEM;
        goto done;
    }
    rb_shape_of(&r, &sh);
    /* A plot failure is reported in report.md; the tables still get written. */
    (void)rb_plots_make(dir, &r, &sh, ps);
    rc = rb_report_md_write(dir, &r, &sh, ps);
done:
    free(ps);
    rb_results_free(&r);
    return rc;
}

int rb_report_main(int argc, char **argv)
{
    char dir[4096];
    int rc;

    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: rpcbench report DIR\n"
                        "  rebuild DIR/report.md and DIR/plots/ from DIR/results.json\n");
        return 2;
    }
    if (rb_results_dir(argv[1], dir, sizeof dir) != 0) {
        fprintf(stderr, "rpcbench report: path too long\n");
        return 1;
    }
    rc = rb_report_write(dir);
    if (rc != 0) {
        fprintf(stderr, "rpcbench report: no report written for %s (%s)\n", argv[1],
                rb_strerror(rc));
        return 1;
    }
    printf("%s/report.md\n", dir);
    return 0;
}
