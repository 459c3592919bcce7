/* codecs.c (bench) - `rpcbench codecs`: see codecs.h. */
#include "codecs/codecs.h"

#include "rb_codec.h"
#include "rb_error.h"
#include "rb_service.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One cell: a codec, a message, its input and the expected decode. */
typedef struct cell {
    const rb_codec *codec;
    rb_codec_state *st;
    rb_codec_msg msg;
    long entries;          /* object messages; -1 for fib */
    int64_t num;           /* fib messages: the number */
    const rb_obj *in;      /* object messages: the input */
    const char *prefix;    /* its pattern: "server" or "client" */
    rb_obj out;            /* decoded object, reused */
    int failed;            /* the last cell measured has an error */
} cell;

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Decode buf into the cell and check it reproduces the input: the number;
 * for an object its entry count and the sum of its values (the pattern
 * "p:i" -> i sums to E(E-1)/2), and with exact the whole pattern. */
static int decode_check(cell *c, const char *buf, size_t len, int exact)
{
    int64_t num = -1;
    int rc = c->codec->decode(c->st, c->msg, buf, len, &num, &c->out);
    if (rc != RB_OK)
        return rc;
    if (!rb_codec_msg_has_obj(c->msg))
        return num == c->num ? RB_OK : RB_EPROTO;
    if (c->out.count != (size_t)c->entries)
        return RB_EPROTO;
    int64_t sum = 0;
    for (size_t i = 0; i < c->out.count; i++)
        sum += c->out.entries[i].value;
    if (sum != (int64_t)c->entries * (c->entries - 1) / 2)
        return RB_EPROTO;
    return exact && !rb_obj_is_pattern(&c->out, c->prefix, (size_t)c->entries) ? RB_EPROTO : RB_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Time iters encodes, then iters decodes of the encoded bytes; µs each.
 * Returns RB_OK, RB_EINVAL when an encode failed or changed size, or the
 * decode's failure (RB_EPROTO: the value differs from the input). */
static int one_rep(cell *c, long iters, const char *buf, size_t len, double *enc, double *dec)
{
    const char *out;
    size_t olen;
    double t0 = cpu_us();
    for (long i = 0; i < iters; i++)
        if (c->codec->encode(c->st, c->msg, c->num, c->in, &out, &olen) != RB_OK || olen != len)
            return RB_EINVAL;
    double t1 = cpu_us();
    for (long i = 0; i < iters; i++) {
        int rc = decode_check(c, buf, len, 0);
        if (rc != RB_OK)
            return rc;
    }
    double t2 = cpu_us();
    *enc = (t1 - t0) / (double)iters;
    *dec = (t2 - t1) / (double)iters;
    return RB_OK;
}

static const char *failure(int rc)
{
    return rc == RB_EINVAL ? "encoding failed" : rc == RB_ENOMEM ? "out of memory"
                                                 : "decoded value differs from the input";
}

/* Measure one cell into *row. */
static void measure_cell(cell *c, double budget_s, int fib_n, rb_codec_rec *row)
{
    const char *enc_ptr, *why = NULL;
    size_t len = 0;
    char *buf = NULL;
    double enc[RB_CODECS_REPS], dec[RB_CODECS_REPS];
    long iters = 1;
    int rc = c->codec->encode(c->st, c->msg, c->num, c->in, &enc_ptr, &len);
    if (rc != RB_OK) {
        why = "encoding failed";
        goto out;
    }
    buf = malloc(len ? len : 1);   /* the bytes decoded, apart from st */
    if (!buf) {
        why = "out of memory";
        goto out;
    }
    if (len)
        memcpy(buf, enc_ptr, len);
    if (decode_check(c, buf, len, 1) != RB_OK) {
        why = failure(RB_EPROTO);
        goto out;
    }
    /* Calibrate (and warm up): double the iterations until one repetition
     * takes a millisecond, so the clock reads around it do not count. */
    double per_pair = 0;
    for (long it = 1;; it *= 2) {
        if ((rc = one_rep(c, it, buf, len, &enc[0], &dec[0])) != RB_OK) {
            why = failure(rc);
            goto out;
        }
        per_pair = enc[0] + dec[0];
        if (per_pair * (double)it >= 1000 || it >= 10000000)
            break;
    }
    iters = (long)(budget_s * 1e6 / RB_CODECS_REPS / (per_pair > 0.01 ? per_pair : 0.01));
    iters = iters < 1 ? 1 : iters > 10000000 ? 10000000 : iters;
    for (int r = 0; r < RB_CODECS_REPS; r++) {
        if ((rc = one_rep(c, iters, buf, len, &enc[r], &dec[r])) != RB_OK) {
            why = failure(rc);
            goto out;
        }
    }
    qsort(enc, RB_CODECS_REPS, sizeof enc[0], cmp_double);
    qsort(dec, RB_CODECS_REPS, sizeof dec[0], cmp_double);
out:
    free(buf);
    int fib = !rb_codec_msg_has_obj(c->msg);
    c->failed = why != NULL;
    *row = (rb_codec_rec){
        .encoding = c->codec->encoding,
        .library = c->codec->version ? c->codec->version() : c->codec->library,
        .method = rb_codec_msg_method(c->msg), .message = rb_codec_msg_kind(c->msg),
        .has_entries = !fib, .entries = fib ? 0 : c->entries,
        .has_fib_n = fib, .fib_n = fib ? fib_n : 0,
        .bytes = why ? 0 : (long long)len,
        .encode_us = why ? NAN : enc[RB_CODECS_REPS / 2],
        .decode_us = why ? NAN : dec[RB_CODECS_REPS / 2],
        .iterations = iters, .repetitions = RB_CODECS_REPS, .error = why };
}

/* Room for one more cell in *cells (*n used, *cap allocated). RB_OK or
 * RB_ENOMEM. */
static int grow(rb_codec_rec **cells, size_t n, size_t *cap)
{
    if (n < *cap)
        return RB_OK;
    size_t nc = *cap ? *cap * 2 : 64;
    rb_codec_rec *p = realloc(*cells, nc * sizeof *p);
    if (!p)
        return RB_ENOMEM;
    *cells = p;
    *cap = nc;
    return RB_OK;
}

/* The cells of the codecs measured so far. */
typedef struct cells {
    rb_codec_rec *v;
    size_t n, cap;
} cells;

/* Every cell of one codec, appended to out. Returns the cells that failed
 * (>= 0), or RB_EIO when the codec cannot open, RB_ENOMEM when memory runs
 * out. */
static int measure_codec(const rb_codec *codec, const long *entries, size_t n, int fib_n,
                         double budget_s, const rb_obj *srv, const rb_obj *cli, cells *out)
{
    cell c = { .codec = codec };
    int failed = 0;
    int64_t fib_value = 0;
    rb_fib(fib_n, &fib_value);
    rb_obj_init(&c.out);
    if (codec->open(&c.st) != RB_OK)
        return RB_EIO;
    for (int m = 0; m < RB_CM__COUNT; m++) {
        c.msg = (rb_codec_msg)m;
        int has_obj = rb_codec_msg_has_obj(c.msg);
        for (size_t e = 0; e < (has_obj ? n : 1); e++) {
            c.entries = has_obj ? entries[e] : -1;
            c.num = m == RB_CM_FIB_REQUEST ? fib_n : fib_value;
            c.in = has_obj ? (m == RB_CM_GET_OBJ_REPLY ? &srv[e] : &cli[e]) : NULL;
            c.prefix = m == RB_CM_GET_OBJ_REPLY ? "server" : "client";
            if (grow(&out->v, out->n, &out->cap) != RB_OK) {
                failed = RB_ENOMEM;
                break;
            }
            measure_cell(&c, budget_s, fib_n, &out->v[out->n++]);
            failed += c.failed;
        }
    }
    codec->close(c.st);
    rb_obj_free(&c.out);
    return failed;
}

int rb_codecs_measure(const long *entries, size_t n, int fib_n, double budget_s, int verbose,
                      rb_codec_rec **out, size_t *ncells, int *failed)
{
    cells all = { 0 };
    rb_obj *srv = calloc(n ? n : 1, sizeof *srv), *cli = calloc(n ? n : 1, sizeof *cli);
    int bad = 0, rc = RB_OK;
    *out = NULL;
    *ncells = 0;
    if (!srv || !cli)
        goto fail;
    for (size_t e = 0; e < n; e++)
        if (rb_service_get_obj((size_t)entries[e], &srv[e]) != RB_OK ||
            rb_obj_fill(&cli[e], "client", (size_t)entries[e]) != RB_OK)
            goto fail;
    for (const rb_codec *const *p = rb_codecs; *p; p++) {
        if (verbose)
            fprintf(stderr, "codecs: %s (%s)\n", (*p)->encoding,
                    (*p)->version ? (*p)->version() : (*p)->library);
        int f = measure_codec(*p, entries, n, fib_n, budget_s, srv, cli, &all);
        if (f < 0) {
            rc = f;
            goto fail;
        }
        bad += f;
    }
    *out = all.v ? all.v : calloc(1, sizeof **out);
    *ncells = all.n;
    if (!*out)
        goto fail;
    goto done;
fail:
    free(all.v);
    *out = NULL;
    *ncells = 0;
    rc = rc < 0 ? rc : RB_ENOMEM;
done:
    for (size_t e = 0; srv && cli && e < n; e++) {
        rb_obj_free(&srv[e]);
        rb_obj_free(&cli[e]);
    }
    free(srv);
    free(cli);
    if (failed)
        *failed = bad;
    return rc;
}
