/* args.c - number and list arguments (args.h). */
#include "cli/args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rb_error.h"

int rb_arg_int(const char *opt, const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno == ERANGE || v < lo || v > hi) {
        fprintf(stderr, "rpcbench: %s wants a whole number in %lld..%lld, got '%s'\n", opt, lo, hi, s);
        return RB_EINVAL;
    }
    *out = v;
    return RB_OK;
}

int rb_arg_real(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(v) || !(v > lo && v <= hi)) {
        fprintf(stderr, "rpcbench: %s wants a number in (%g, %g], got '%s'\n", opt, lo, hi, s);
        return RB_EINVAL;
    }
    *out = v;
    return RB_OK;
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
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        long long x;
        if (!*tok || n >= max)
            continue;
        if (rb_arg_int(opt, tok, lo, hi, &x) != RB_OK)
            return RB_EINVAL;
        v[n++] = (long)x;
    }
    return n;
}

const rb_transport *rb_arg_transport(const char *name)
{
    const rb_transport *t = rb_transport_find(name);
    if (!t) {
        fprintf(stderr, "rpcbench: no transport '%s' in this build; built in:", name);
        for (const rb_transport *const *p = rb_transports; *p; p++)
            fprintf(stderr, " %s", (*p)->name);
        fprintf(stderr, "\n");
    }
    return t;
}
