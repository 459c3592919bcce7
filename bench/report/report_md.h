/* report_md.h - writing report.md. */
#ifndef RB_REPORT_MD_H
#define RB_REPORT_MD_H

#include "plots/plots.h"
#include "results/model.h"
#include "plots/shape.h"

/* Write dir/report.md (through report.md.tmp and a rename) for run r of
 * shape sh, linking the plots of ps that came out. Returns 0 or RB_EIO
 * (message on stderr). */
int rb_report_md_write(const char *dir, const rb_results *r, const rb_shape *sh,
                       const rb_plots *ps);

#endif
