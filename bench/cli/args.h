/* args.h - command-line argument helpers shared by every command's front end
 * (serve, call, run, codecs).
 *
 * Numbers are parsed whole (strtoll/strtod, the entire string must be the
 * number, no trailing text) and range-checked; a bad value is a usage error:
 * the helpers print the option, the accepted range and the value given, and
 * return RB_EINVAL, which the command maps to exit status 2.
 */
#ifndef RB_ARGS_H
#define RB_ARGS_H

#include "transport.h"

/* A whole number (base 10, optional sign) in lo..hi for option opt (used in
 * the message, e.g. "--rounds") into *out. RB_OK, or RB_EINVAL (*out
 * untouched) with "rpcbench: OPT wants a whole number in LO..HI, got 'S'"
 * on stderr. */
int rb_arg_int(const char *opt, const char *s, long long lo, long long hi, long long *out);

/* A finite real number in (lo, hi] for option opt (strtod syntax) into
 * *out. RB_OK, or RB_EINVAL (*out untouched) with "rpcbench: OPT wants a
 * number in (LO, HI], got 'S'" on stderr. */
int rb_arg_real(const char *opt, const char *s, double lo, double hi, double *out);

/* Split s in place at commas into at most max non-empty items (empty items
 * are skipped). Returns the number of items; items past max are dropped. */
int rb_arg_split(char *s, char **items, int max);

/* A comma-separated list of whole numbers, each in lo..hi for option opt,
 * into v[0..max): split in place as rb_arg_split does (empty items skipped,
 * items past max dropped), each item checked as rb_arg_int does. Returns
 * the number of values stored (0 for an empty list), or RB_EINVAL at the
 * first bad item (message on stderr). */
int rb_arg_int_list(const char *opt, char *list, long long lo, long long hi, long *v, int max);

/* The transport named `name` in this build, or NULL with "rpcbench: no
 * transport 'NAME' in this build; built in: ..." on stderr. */
const rb_transport *rb_arg_transport(const char *name);

#endif
