/* report_codecs.h - the "What each encoding costs" section of report.md. */
#ifndef RB_REPORT_CODECS_H
#define RB_REPORT_CODECS_H

#include <stdio.h>

#include "results/model.h"

/* Write to o the markdown section "## What each encoding costs" for r's
 * codecs (results.json "codecs", as rb_codecs_measure measured them): one
 * row per method, message and entry count, one column per encoding with
 * the encoded size in bytes and the encode + decode CPU µs per message,
 * then a note on how it was measured. Cells with an error show it; no
 * codecs writes nothing. */
void rb_report_codecs_md(FILE *o, const rb_results *r);

#endif
