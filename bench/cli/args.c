#include "cli/args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long long rb_arg_int(const char *opt, const char *s, long long lo, long long hi)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v < lo || v > hi) {
        fprintf(stderr, "rpcbench: %s wants a whole number in %lld..%lld, got '%s'\n", opt, lo, hi, s);
        exit(2);
    }
    return v;
}

double rb_arg_real(const char *opt, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v) || !(v > lo && v <= hi)) {
        fprintf(stderr, "rpcbench: %s wants a number in (%g, %g], got '%s'\n", opt, lo, hi, s);
        exit(2);
    }
    return v;
}

int rb_arg_split(char *s, char **items, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (*tok && n < max)
            items[n++] = tok;
    return n;
}

int rb_arg_int_list(const char *opt, char *list, long long lo, long long hi, long *v, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (*tok && n < max)
            v[n++] = (long)rb_arg_int(opt, tok, lo, hi);
    return n;
}
