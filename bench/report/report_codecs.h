/* report_codecs.h - the "What each encoding costs" section of report.md. */
#ifndef RB_REPORT_CODECS_H
#define RB_REPORT_CODECS_H

#include <jansson.h>
#include <stdio.h>

/* Write to o the markdown section "## What each encoding costs" for codecs,
 * the array rb_codecs_measure() returns (results.json "codecs"): one row
 * per method, message and entry count, one column per encoding with the
 * encoded size in bytes and the encode + decode CPU µs per message, then a
 * note on how it was measured. Cells with an error show it; a missing or
 * empty array writes nothing. Does not take ownership of codecs. */
void rb_report_codecs_md(FILE *o, const json_t *codecs);

#endif
