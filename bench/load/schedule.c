/* schedule.c - the open-loop arrival schedule (see schedule.h). */
#include "load/schedule.h"
#include "rb_error.h"

#include <math.h>
#include <string.h>

/* splitmix64 (Steele, Lea, Flood 2014): seeds xoshiro from one word, so
 * neighbouring seeds give unrelated streams. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** 1.0 (Blackman, Vigna 2018). */
static uint64_t xoshiro_next(uint64_t s[4])
{
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in (0, 1]: 53 random bits, never 0, so log() stays finite. */
static double unit_open0(uint64_t s[4])
{
    return (double)((xoshiro_next(s) >> 11) + 1) * 0x1.0p-53;
}

int rb_arrivals_parse(const char *s, rb_arrivals *out)
{
    if (s && strcmp(s, "poisson") == 0)
        *out = RB_ARRIVALS_POISSON;
    else if (s && strcmp(s, "uniform") == 0)
        *out = RB_ARRIVALS_UNIFORM;
    else
        return RB_EINVAL;
    return RB_OK;
}

const char *rb_arrivals_name(rb_arrivals a)
{
    return a == RB_ARRIVALS_UNIFORM ? "uniform" : "poisson";
}

uint64_t rb_schedule_total(double rate_cps, double window_s)
{
    double n = rate_cps * window_s;
    return n > 0 && n < 1e10 ? (uint64_t)llround(n) : 0;
}

/* One exponential gap of mean 1. */
static double exp_gap(uint64_t s[4])
{
    return -log(unit_open0(s));
}

int rb_schedule_init(rb_schedule *s, rb_arrivals kind, double rate_cps, double window_s,
                     int conns, int index, uint64_t seed)
{
    if (!s || !(rate_cps > 0) || !(window_s > 0) || !(rate_cps * window_s <= 1e10) ||
        conns < 1 || index < 0 || index >= conns ||
        (kind != RB_ARRIVALS_POISSON && kind != RB_ARRIVALS_UNIFORM))
        return RB_EINVAL;
    memset(s, 0, sizeof *s);
    s->kind = kind;
    uint64_t total = rb_schedule_total(rate_cps, window_s);
    s->n = total / (uint64_t)conns + ((uint64_t)index < total % (uint64_t)conns);
    s->window_ns = window_s * 1e9;
    /* Uniform: connection i starts i/R into the window, so the C streams
     * interleave evenly: together they are calls 0..N-1 at j/R. */
    s->gap_ns = 1e9 * (double)conns / rate_cps;
    s->phase_ns = 1e9 * (double)index / rate_cps;
    uint64_t x = seed ^ ((uint64_t)(unsigned)index * 0xd1b54a32d192ed03ull);
    for (int i = 0; i < 4; i++)
        s->rng[i] = splitmix64(&x);
    if (kind == RB_ARRIVALS_POISSON) {
        /* First pass over a copy of the PRNG: the sum of the n+1 gaps, so
         * the n arrivals can be scaled into [0, D) as they are streamed. */
        uint64_t r[4];
        memcpy(r, s->rng, sizeof r);
        double sum = 0;
        for (uint64_t k = 0; k <= s->n; k++)
            sum += exp_gap(r);
        s->scale = s->window_ns / sum;
    }
    return RB_OK;
}

int rb_schedule_next(rb_schedule *s, uint64_t *t_ns)
{
    if (s->k >= s->n)
        return 0;
    double t;
    if (s->kind == RB_ARRIVALS_UNIFORM) {
        /* From k, not by summing gaps: no drift over millions of calls. */
        t = s->phase_ns + (double)s->k * s->gap_ns;
    } else {
        s->sum += exp_gap(s->rng);
        t = s->sum * s->scale;
    }
    s->k++;
    /* Rounding must not carry a call onto the window's end. */
    double last = s->window_ns - 1;
    *t_ns = (uint64_t)llround(t < last ? t : last);
    return 1;
}

int rb_schedule_rate_short(double target_cps, double achieved_cps)
{
    if (!(target_cps > 0))
        return 0;
    return !(achieved_cps >= RB_SCHEDULE_ACHIEVED_MIN * target_cps);
}
