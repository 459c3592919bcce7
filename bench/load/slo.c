/* slo.c - the SLO search (see slo.h). */
#include "load/slo.h"
#include "rb_error.h"
#include "load/schedule.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A plain decimal number at *s: digits, optionally '.' and more digits.
 * No sign, exponent, inf or nan, which strtod alone would accept. */
static int parse_decimal(const char **s, double *out)
{
    const char *p = *s;
    if (!isdigit((unsigned char)*p))
        return RB_EINVAL;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p == '.') {
        if (!isdigit((unsigned char)p[1]))
            return RB_EINVAL;
        for (p++; isdigit((unsigned char)*p);)
            p++;
    }
    *out = strtod(*s, NULL);
    *s = p;
    return RB_OK;
}

int rb_slo_parse(const char *s, rb_slo_spec *out)
{
    if (!s || (s[0] != 'p' && s[0] != 'P'))
        return RB_EINVAL;
    const char *p = s + 1, *pct_text = p;
    double pct, bound;
    if (parse_decimal(&p, &pct) || *p != '=' || !(pct > 0) || pct > 100)
        return RB_EINVAL;
    size_t pct_len = (size_t)(p - pct_text);
    p++;
    if (parse_decimal(&p, &bound) || !(bound > 0))
        return RB_EINVAL;
    double scale;
    if (strcmp(p, "us") == 0 || strcmp(p, "\xc2\xb5s") == 0)
        scale = 1;
    else if (strcmp(p, "ms") == 0)
        scale = 1e3;
    else if (strcmp(p, "s") == 0)
        scale = 1e6;
    else
        return RB_EINVAL;
    if (pct_len + 2 > sizeof out->label || !isfinite(bound * scale))
        return RB_EINVAL;
    out->percentile = pct;
    out->bound_us = bound * scale;
    snprintf(out->label, sizeof out->label, "p%.*s", (int)pct_len, pct_text);
    return RB_OK;
}

int rb_slo_passes(const rb_slo_point *pt, double bound_us)
{
    return pt->failures == 0 && isfinite(pt->value_us) && pt->value_us <= bound_us &&
           !rb_schedule_rate_short(pt->rate_cps, pt->achieved_cps);
}

static int fill_defaults(const rb_slo_params *in, rb_slo_params *p)
{
    *p = *in;
    if (p->growth == 0)
        p->growth = 2;
    if (p->precision == 0)
        p->precision = 0.05;
    if (p->max_steps == 0)
        p->max_steps = 12;
    if (p->min_cps == 0)
        p->min_cps = 1;
    if (p->max_cps == 0)
        p->max_cps = 1e7;
    if (p->repeats == 0)
        p->repeats = 3;
    if (!(p->bound_us > 0) || !(p->growth > 1) || !(p->precision > 0) ||
        p->max_steps < 1 || p->max_steps > RB_SLO_MAX_STEPS ||
        p->repeats < 1 || p->repeats > RB_SLO_MAX_REPEATS ||
        !(p->min_cps > 0) || !(p->max_cps >= p->min_cps) ||
        !(p->start_cps > 0) || !isfinite(p->start_cps) || !isfinite(p->max_cps))
        return RB_EINVAL;
    if (p->start_cps < p->min_cps)
        p->start_cps = p->min_cps;
    if (p->start_cps > p->max_cps)
        p->start_cps = p->max_cps;
    return RB_OK;
}

static int measure_once(const rb_slo_params *p, rb_slo_measure_fn fn, void *ctx,
                        double rate, rb_slo_point *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->value_us = NAN;
    pt->gen_lag_p99_us = NAN;
    pt->rate_cps = rate;
    int rc = fn(ctx, rate, pt);
    pt->rate_cps = rate;
    pt->pass = rc == RB_OK && rb_slo_passes(pt, p->bound_us);
    pt->tries = 1;
    pt->held = pt->pass;
    return rc;
}

/* One step of the search at rate: measured once, and again while it fails
 * and the majority of p->repeats is still open. *pt is the measurement
 * whose percentile is the median of those made (of two: the better), with
 * pass = the majority, tries and held counted over all. */
static int step(const rb_slo_params *p, rb_slo_measure_fn fn, void *ctx,
                double rate, rb_slo_point *pt)
{
    rb_slo_point m[RB_SLO_MAX_REPEATS];
    int n = 0, held = 0, need = p->repeats / 2 + 1, rc;
    do {
        rc = measure_once(p, fn, ctx, rate, &m[n]);
        held += m[n++].pass;
    } while (rc == RB_OK && held < need && n - held < need && !(n == 1 && held == 1));
    /* sort the n measurements by value (NAN last), take the median */
    for (int i = 1; i < n; i++)
        for (int k = i; k > 0 && !(m[k - 1].value_us <= m[k].value_us) && !isnan(m[k].value_us); k--) {
            rb_slo_point t = m[k];
            m[k] = m[k - 1];
            m[k - 1] = t;
        }
    *pt = m[(n - 1) / 2];
    pt->tries = n;
    pt->held = held;
    pt->pass = rc == RB_OK && held >= (n == 1 ? 1 : need);
    return rc;
}

double rb_slo_step_s(double min_s, double percentile, double rate_cps)
{
    double beyond = 1 - percentile / 100;
    double want = beyond > 0 && rate_cps > 0 ? RB_SLO_TAIL_SAMPLES / beyond / rate_cps : min_s;
    double cap = fmax(min_s, RB_SLO_STEP_MAX_S);
    return fmin(fmax(want, min_s), cap);
}

int rb_slo_generator_limited(const rb_slo_point *pt, double bound_us)
{
    return isfinite(pt->gen_lag_p99_us) && pt->gen_lag_p99_us > RB_SLO_GEN_LAG_FRAC * bound_us;
}

/* The next rate to try, or 0 when the search is over (flags set in out). */
static double next_rate(const rb_slo_params *p, double lo, double hi, double r,
                        rb_slo_result *out)
{
    if (hi == 0) {                       /* nothing failed yet: grow */
        if (r >= p->max_cps) {
            out->ceiling = 1;
            return 0;
        }
        return fmin(r * p->growth, p->max_cps);
    }
    if (lo == 0) {                       /* nothing passed yet: shrink */
        if (r <= p->min_cps) {
            out->floor = 1;
            return 0;
        }
        return fmax(r / p->growth, p->min_cps);
    }
    if (hi / lo <= 1 + p->precision)
        return 0;
    return sqrt(lo * hi);
}

int rb_slo_search(const rb_slo_params *params, rb_slo_measure_fn measure,
                  rb_slo_measure_fn confirm, void *ctx, rb_slo_result *out)
{
    rb_slo_params p;
    memset(out, 0, sizeof *out);
    if (!params || !measure || fill_defaults(params, &p))
        return RB_EINVAL;
    double lo = 0, hi = 0, r = p.start_cps;
    while (r > 0) {
        if (out->nsteps == p.max_steps) {
            out->capped = 1;
            break;
        }
        rb_slo_point *pt = &out->steps[out->nsteps++];
        int rc = step(&p, measure, ctx, r, pt);
        if (rc)
            return rc;
        if (pt->pass && r > lo)
            lo = r;
        else if (!pt->pass && (hi == 0 || r < hi))
            hi = r;
        r = next_rate(&p, lo, hi, r, out);
    }
    out->max_rate_cps = lo;
    out->searched_cps = lo;
    out->fail_rate_cps = hi;
    double rate = lo;
    while (lo > 0 && confirm && out->confirm_runs < RB_SLO_CONFIRM_TRIES && rate >= p.min_cps) {
        int rc = step(&p, confirm, ctx, rate, &out->confirm);
        out->has_confirm = 1;
        out->confirm_runs++;
        if (rc)
            return rc;
        if (out->confirm.pass) {
            out->max_rate_cps = rate;
            break;
        }
        rate *= RB_SLO_CONFIRM_BACKOFF;
    }
    return RB_OK;
}
