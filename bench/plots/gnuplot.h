/* gnuplot.h - finding and running gnuplot for the plots. */
#ifndef RB_GNUPLOT_H
#define RB_GNUPLOT_H

#include <stddef.h>

/* gnuplot's path into buf (cap bytes): $RPCBENCH_GNUPLOT when set (empty:
 * none), else the first gnuplot on PATH. Returns 0, or -1 when none. */
int rb_gnuplot_find(char *buf, size_t cap);

/* Run `gnuplot plots.gp` in pdir, its output to pdir/gnuplot.log. Returns
 * the exit status, or -1 when it could not be started. */
int rb_gnuplot_run(const char *gnuplot, const char *pdir);

/* Run `gnuplot SCRIPT` in pdir, its output to pdir/LOG_NAME. Returns the
 * exit status, or -1 when it could not be started. */
int rb_gnuplot_run_script(const char *gnuplot, const char *pdir, const char *script,
                          const char *log_name);

/* 1 when pdir/name.ext is a regular file of at least one byte, else 0. */
int rb_file_nonempty(const char *pdir, const char *name, const char *ext);

#endif
