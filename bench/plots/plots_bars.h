/* plots_bars.h - bytes and cpu: stacked bars per transport, one panel per
 * method. */
#ifndef RB_PLOTS_BARS_H
#define RB_PLOTS_BARS_H

#include <stdio.h>

#include "plots/chart.h"
#include "results/model.h"

/* Write bytes.dat and cpu.dat into pdir and their blocks on gp (plots.gp),
 * adding the charts to ps. Returns 0 or RB_EIO (data not written). */
int rb_plot_bars(const char *pdir, const rb_results *r, const rb_shape *sh, FILE *gp,
                 rb_plots *ps);

#endif
