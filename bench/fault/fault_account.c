/* fault_account.c - classes, recovery times and timeline of a fault run
 * (fault_account.h). */
#include "fault/fault_account.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[RB_CLASS__COUNT] = {
    "ok", "refused", "lost", "ambiguous", "duplicated",
};

const char *rb_call_class_name(rb_call_class c)
{
    return (unsigned)c < RB_CLASS__COUNT ? class_names[c] : "?";
}

rb_call_class rb_call_classify(const rb_call_rec *r, uint32_t executions)
{
    if (executions > 1)
        return RB_CLASS_DUPLICATED;
    if (executions == 1)
        return r->outcome == RB_OUTCOME_OK ? RB_CLASS_OK : RB_CLASS_AMBIGUOUS;
    if (r->outcome == RB_OUTCOME_OK)
        return RB_CLASS_OK;            /* counted in answered_unexecuted too */
    return r->accepted ? RB_CLASS_LOST : RB_CLASS_REFUSED;
}

double rb_fault_ok_rate(const rb_call_rec *recs, size_t n, uint64_t from_ns, uint64_t to_ns)
{
    if (to_ns <= from_ns)
        return NAN;
    uint64_t ok = 0;
    for (size_t i = 0; i < n; i++)
        if (recs[i].outcome == RB_OUTCOME_OK && recs[i].end_ns >= from_ns && recs[i].end_ns < to_ns)
            ok++;
    return (double)ok / ((double)(to_ns - from_ns) / 1e9);
}

#define BUCKET_NS 100000000ull   /* recovery is judged per 100 ms */

static double restored_ms(const rb_call_rec *recs, size_t n, uint64_t fault_ns,
                          double target_cps, uint64_t end_ns)
{
    if (!(target_cps > 0) || end_ns <= fault_ns)
        return NAN;
    size_t nb = (size_t)((end_ns - fault_ns) / BUCKET_NS);
    if (nb < 2)
        return NAN;
    uint64_t *ok = calloc(nb, sizeof *ok);
    if (!ok)
        return NAN;
    for (size_t i = 0; i < n; i++)
        if (recs[i].outcome == RB_OUTCOME_OK && recs[i].end_ns >= fault_ns) {
            uint64_t b = (recs[i].end_ns - fault_ns) / BUCKET_NS;
            if (b < nb)
                ok[b]++;
        }
    double need = 0.9 * target_cps * (double)BUCKET_NS / 1e9;
    double r = NAN;
    for (size_t b = 0; b + 1 < nb; b++)
        if ((double)ok[b] >= need && (double)ok[b + 1] >= need) {
            r = (double)(b * BUCKET_NS) / 1e6;
            break;
        }
    free(ok);
    return r;
}

void rb_fault_account(const rb_call_rec *recs, size_t n, const rb_journal *j,
                      uint64_t fault_ns, double target_cps, uint64_t window_end_ns,
                      rb_fault_counts *out)
{
    memset(out, 0, sizeof *out);
    out->calls = n;
    uint64_t first_ok = 0;
    for (size_t i = 0; i < n; i++) {
        const rb_call_rec *r = &recs[i];
        uint32_t ex = rb_journal_executions(j, r->id);
        out->executions += ex;
        out->cls[rb_call_classify(r, ex)]++;
        if (r->outcome == RB_OUTCOME_OK && ex == 0)
            out->answered_unexecuted++;
        if (r->outcome != RB_OUTCOME_OK) {
            out->failed_by_kind[r->fail_kind < RB_FAIL__COUNT ? r->fail_kind : RB_FAIL_PROTOCOL]++;
            if (r->outcome == RB_OUTCOME_UNANSWERED)
                out->unanswered++;
        } else if (r->start_ns >= fault_ns && (!first_ok || r->end_ns < first_ok)) {
            first_ok = r->end_ns;
        }
    }
    out->first_ok_ms = first_ok ? (double)(first_ok - fault_ns) / 1e6 : NAN;
    out->rate_restored_ms = restored_ms(recs, n, fault_ns, target_cps, window_end_ns);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[0..n), n > 0. */
static double rank(const uint64_t *v, size_t n, double p)
{
    size_t k = (size_t)ceil(p / 100.0 * (double)n);
    return (double)v[k ? k - 1 : 0];
}

int rb_fault_timeline(const rb_call_rec *recs, size_t n, uint64_t t0_ns, uint64_t end_ns,
                      int bucket_ms, rb_fault_bucket **out, size_t *nb)
{
    uint64_t bns = (uint64_t)(bucket_ms > 0 ? bucket_ms : 100) * 1000000ull;
    size_t m = end_ns > t0_ns ? (size_t)((end_ns - t0_ns) / bns) : 0;   /* whole buckets */
    rb_fault_bucket *b = calloc(m ? m : 1, sizeof *b);
    uint64_t *lat = malloc((n ? n : 1) * sizeof *lat);
    size_t *idx = calloc(m + 1, sizeof *idx);
    if (!b || !lat || !idx) {
        free(b);
        free(lat);
        free(idx);
        return RB_ENOMEM;
    }
    /* Counting sort of ok latencies by bucket: idx[k] = first slot of k. */
    for (size_t i = 0; i < n; i++)
        if (recs[i].end_ns >= t0_ns && recs[i].end_ns < t0_ns + m * bns) {
            size_t k = (size_t)((recs[i].end_ns - t0_ns) / bns);
            b[k].calls++;
            if (recs[i].outcome != RB_OUTCOME_OK)
                b[k].failures++;
            else
                idx[k + 1]++;
        }
    for (size_t k = 0; k < m; k++)
        idx[k + 1] += idx[k];
    size_t *fill = calloc(m ? m : 1, sizeof *fill);
    if (!fill) {
        free(b);
        free(lat);
        free(idx);
        return RB_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        if (recs[i].outcome == RB_OUTCOME_OK && recs[i].end_ns >= t0_ns &&
            recs[i].end_ns < t0_ns + m * bns) {
            size_t k = (size_t)((recs[i].end_ns - t0_ns) / bns);
            lat[idx[k] + fill[k]++] = recs[i].end_ns - recs[i].start_ns;
        }
    for (size_t k = 0; k < m; k++) {
        size_t cnt = idx[k + 1] - idx[k];
        b[k].t_ms = (double)(k * bns) / 1e6;
        b[k].p50_us = b[k].p99_us = b[k].max_us = NAN;
        if (cnt) {
            uint64_t *v = lat + idx[k];
            qsort(v, cnt, sizeof *v, cmp_u64);
            b[k].p50_us = rank(v, cnt, 50) / 1e3;
            b[k].p99_us = rank(v, cnt, 99) / 1e3;
            b[k].max_us = (double)v[cnt - 1] / 1e3;
        }
    }
    free(fill);
    free(lat);
    free(idx);
    *out = b;
    *nb = m;
    return RB_OK;
}
