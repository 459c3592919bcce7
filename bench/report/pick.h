/* pick.h - report.md's "How to pick". */
#ifndef RB_PICK_H
#define RB_PICK_H

#include <stdio.h>

#include "results/model.h"
#include "plots/shape.h"

/* Write the "How to pick" section for run r of shape sh on o: per method,
 * the fastest (p50), smallest on the wire, cheapest in CPU and best under
 * concurrency, leaving out the floor and transports with failed calls. */
void rb_md_pick(FILE *o, const rb_results *r, const rb_shape *sh);

#endif
