/* The encodings of `rpcbench codecs`: each codec's exact bytes for the
 * contract's messages (the JSON ones identical to what the AMQP transports
 * send), round trips, refusal of garbage, the measurement's check that
 * makes a codec which decodes wrong report an error instead of a time, and
 * the report's table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/codecs.h"
#include "rb_codec.h"
#include "rb_error.h"
#include "rb_service.h"
#include "report/report_codecs.h"
#include "results/read.h"
#include "results/results.h"
#include "transport.h"
#ifdef RB_HAVE_AMQP
#include "amqp_int.h"
#endif
#ifdef RB_HAVE_GRPC
extern const rb_codec rb_codec_protobuf;   /* transports/grpc/pb_codec.c */
#endif
#ifdef RB_HAVE_XMLRPC
extern const rb_codec rb_codec_xmlrpc;     /* transports/xmlrpc/xr_codec.c */
#endif

/* A codec whose decoder loses the last entry of an object: the measurement
 * must not report a time for it. MessagePack otherwise. */
static int lossy_open(rb_codec_state **st)
{
    return rb_codec_msgpack.open(st);
}

static void lossy_close(rb_codec_state *st)
{
    rb_codec_msgpack.close(st);
}

static int lossy_encode(rb_codec_state *st, rb_codec_msg m, int64_t num, const rb_obj *obj,
                        const char **out, size_t *len)
{
    return rb_codec_msgpack.encode(st, m, num, obj, out, len);
}

static int lossy_decode(rb_codec_state *st, rb_codec_msg m, const char *buf, size_t len,
                        int64_t *num, rb_obj *obj)
{
    int rc = rb_codec_msgpack.decode(st, m, buf, len, num, obj);
    if (rc == RB_OK && rb_codec_msg_has_obj(m) && obj->count > 0)
        obj->count--;
    return rc;
}

static const rb_codec lossy = {
    .encoding = "lossy", .library = "test", .used_by = "-", .open = lossy_open,
    .close = lossy_close, .encode = lossy_encode, .decode = lossy_decode,
};

/* The registry bench/codecs/codecs.c measures: the real codecs, then the lossy one. */
const rb_codec *const rb_codecs[] = {
    &rb_codec_msgpack, &rb_codec_json,
#ifdef RB_HAVE_GRPC
    &rb_codec_protobuf,
#endif
#ifdef RB_HAVE_XMLRPC
    &rb_codec_xmlrpc,
#endif
    &lossy, NULL,
};
#define N_REAL (sizeof rb_codecs / sizeof rb_codecs[0] - 2)

/* transport.c's lookup (pulled in by the xmlrpc library) wants a registry. */
const rb_transport *const rb_transports[] = { NULL };

static size_t encoded_size(const rb_codec *c, rb_codec_msg m, int64_t num, size_t entries)
{
    rb_codec_state *st = NULL;
    rb_obj o = RB_OBJ_INIT;
    const char *out;
    size_t len = 0;
    rb_obj_fill(&o, m == RB_CM_GET_OBJ_REPLY ? "server" : "client", entries);
    assert_int_equal(c->open(&st), RB_OK);
    assert_int_equal(c->encode(st, m, num, &o, &out, &len), RB_OK);
    c->close(st);
    rb_obj_free(&o);
    return len;
}

static void exact_sizes(void **state)
{
    (void)state;
    /* MessagePack: [30]; uint32 832040; map16 header + 10 x 10 + 90 x 11. */
    assert_int_equal(encoded_size(&rb_codec_msgpack, RB_CM_FIB_REQUEST, 30, 0), 2);
    assert_int_equal(encoded_size(&rb_codec_msgpack, RB_CM_FIB_REPLY, 832040, 0), 5);
    assert_int_equal(encoded_size(&rb_codec_msgpack, RB_CM_GET_OBJ_REPLY, 0, 100), 1093);
    assert_int_equal(encoded_size(&rb_codec_msgpack, RB_CM_SEND_OBJ_REQUEST, 0, 100), 1094);
    /* JSON, as the AMQP transports send it (1,481 B). */
    assert_int_equal(encoded_size(&rb_codec_json, RB_CM_FIB_REQUEST, 30, 0), 2);
    assert_int_equal(encoded_size(&rb_codec_json, RB_CM_GET_OBJ_REPLY, 0, 100), 1481);
    assert_int_equal(encoded_size(&rb_codec_json, RB_CM_GET_OBJ_REPLY, 0, 0), 2);
#ifdef RB_HAVE_GRPC
    /* protobuf: tag + varint; each map entry 2 + key (2 + len) + value. */
    assert_int_equal(encoded_size(&rb_codec_protobuf, RB_CM_FIB_REQUEST, 30, 0), 2);
    assert_int_equal(encoded_size(&rb_codec_protobuf, RB_CM_FIB_REPLY, 832040, 0), 4);
    assert_int_equal(encoded_size(&rb_codec_protobuf, RB_CM_GET_OBJ_REPLY, 0, 100), 1488);
    assert_int_equal(encoded_size(&rb_codec_protobuf, RB_CM_GET_OBJ_REPLY, 0, 0), 0);
#endif
#ifdef RB_HAVE_XMLRPC
    /* xmlrpc-c 1.33's documents, byte counts of Debian 12's library. */
    assert_int_equal(encoded_size(&rb_codec_xmlrpc, RB_CM_FIB_REQUEST, 30, 0), 163);
    assert_int_equal(encoded_size(&rb_codec_xmlrpc, RB_CM_GET_OBJ_REPLY, 0, 100), 7029);
#endif
}

#ifdef RB_HAVE_AMQP
/* The JSON codec's bytes are the AMQP transports' bytes. */
static void json_is_amqp_body(void **state)
{
    (void)state;
    rb_codec_state *st = NULL;
    rb_buf b = { 0 };
    rb_obj o = RB_OBJ_INIT;
    const char *out;
    size_t len;
    assert_int_equal(rb_codec_json.open(&st), RB_OK);
    rb_obj_fill(&o, "server", 1000);
    assert_int_equal(rb_codec_json.encode(st, RB_CM_GET_OBJ_REPLY, 0, &o, &out, &len), RB_OK);
    assert_int_equal(rb_amqp_json_put_obj(&b, &o), RB_OK);
    assert_int_equal(len, b.len);
    assert_memory_equal(out, b.data, len);
    assert_int_equal(rb_codec_json.encode(st, RB_CM_FIB_REPLY, -7540113804746346429, NULL, &out, &len), RB_OK);
    assert_int_equal(rb_amqp_json_put_int(&b, -7540113804746346429), RB_OK);
    assert_int_equal(len, b.len);
    assert_memory_equal(out, b.data, len);
    rb_buf_free(&b);
    rb_obj_free(&o);
    rb_codec_json.close(st);
}
#endif

/* Every codec: each message at several sizes decodes to its input;
 * garbage and the wrong message type are RB_EPROTO. */
static void round_trips(void **state)
{
    (void)state;
    static const size_t sizes[] = { 0, 1, 100, 10000 };
    for (size_t k = 0; k < N_REAL; k++) {
        const rb_codec *c = rb_codecs[k];
        rb_codec_state *st = NULL;
        rb_obj in = RB_OBJ_INIT, out = RB_OBJ_INIT;
        const char *enc;
        size_t len;
        int64_t num;
        assert_int_equal(c->open(&st), RB_OK);
        for (int m = 0; m < RB_CM__COUNT; m++) {
            for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
                const char *prefix = m == RB_CM_GET_OBJ_REPLY ? "server" : "client";
                int64_t want = m == RB_CM_FIB_REQUEST ? 92 : INT64_MIN + (int64_t)s;
                rb_obj_fill(&in, prefix, sizes[s]);
                assert_int_equal(c->encode(st, (rb_codec_msg)m, want, &in, &enc, &len), RB_OK);
                char *copy = malloc(len + 1);
                if (len)
                    memcpy(copy, enc, len);
                num = 0;
                assert_int_equal(c->decode(st, (rb_codec_msg)m, copy, len, &num, &out), RB_OK);
                if (rb_codec_msg_has_obj((rb_codec_msg)m))
                    assert_true(rb_obj_is_pattern(&out, prefix, sizes[s]));
                else
                    assert_true(num == want);
                free(copy);
            }
            num = 0;
            assert_int_equal(c->decode(st, (rb_codec_msg)m, "\xc1<{!", 5, &num, &out), RB_EPROTO);
        }
        /* an object where an integer is due */
        rb_obj_fill(&in, "server", 3);
        assert_int_equal(c->encode(st, RB_CM_GET_OBJ_REPLY, 0, &in, &enc, &len), RB_OK);
        assert_int_not_equal(c->decode(st, RB_CM_FIB_REPLY, enc, len, &num, &out), RB_OK);
        c->close(st);
        rb_obj_free(&in);
        rb_obj_free(&out);
    }
}

static rb_codec_rec *measured;   /* rb_codecs_measure of {0, 3} entries */
static size_t nmeasured;
static int measured_failed;

static const rb_codec_rec *row_of(const char *encoding, const char *method, long entries)
{
    for (size_t i = 0; i < nmeasured; i++) {
        const rb_codec_rec *r = &measured[i];
        if (!strcmp(r->encoding, encoding) && !strcmp(r->method, method) &&
            (entries < 0 ? !r->has_entries : r->has_entries && r->entries == entries))
            return r;
    }
    return NULL;
}

/* The JSON object of the cell of `encoding`, `method`, `entries` in the
 * array arr (as rb_codecs_write writes it). */
static const json_t *json_row_of(const json_t *arr, const char *encoding, const char *method,
                                 long entries)
{
    size_t i;
    json_t *r;
    json_array_foreach(arr, i, r) {
        const json_t *e = json_object_get(r, "entries");
        if (!strcmp(json_string_value(json_object_get(r, "encoding")), encoding) &&
            !strcmp(json_string_value(json_object_get(r, "method")), method) &&
            (entries < 0 ? json_is_null(e) : json_integer_value(e) == entries))
            return r;
    }
    return NULL;
}

static void measure_checks_decodes(void **state)
{
    (void)state;
    assert_non_null(measured);
    /* every codec: 2 fib cells + 2 object messages x 2 entry counts */
    assert_int_equal(nmeasured, (N_REAL + 1) * 6);
    /* the lossy codec's object cells of 3 entries failed; its fib cells
     * and empty objects (nothing to lose) did not */
    assert_int_equal(measured_failed, 2);
    const rb_codec_rec *bad = row_of("lossy", "getObj", 3);
    assert_non_null(bad);
    assert_string_equal(bad->error, "decoded value differs from the input");
    const rb_codec_rec *ok = row_of("MessagePack", "getObj", 3);
    assert_non_null(ok);
    assert_null(ok->error);
    assert_int_equal(ok->bytes, 1 + 3 * 10);
    assert_true(ok->decode_us > 0);
    assert_int_equal(ok->repetitions, RB_CODECS_REPS);
    assert_true(ok->iterations >= 1);
    const rb_codec_rec *fib = row_of("JSON", "fib", -1);
    assert_non_null(fib);
    assert_true(fib->has_fib_n);
    assert_int_equal(fib->fib_n, 30);
}

/* The cells written as {"codecs": [...]}: a cell with an error has null
 * bytes and times, the others their figures. */
static void written(void **state)
{
    (void)state;
    char path[] = "/tmp/rb-codecs-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(rb_codecs_write(path, measured, nmeasured), RB_OK);
    json_t *doc = json_load_file(path, 0, NULL);
    unlink(path);
    assert_non_null(doc);
    const json_t *arr = json_object_get(doc, "codecs");
    assert_int_equal(json_array_size(arr), nmeasured);
    const json_t *bad = json_row_of(arr, "lossy", "getObj", 3);
    assert_non_null(bad);
    assert_string_equal(json_string_value(json_object_get(bad, "error")),
                        "decoded value differs from the input");
    assert_true(json_is_null(json_object_get(bad, "decode_us")));
    assert_true(json_is_null(json_object_get(bad, "bytes")));
    const json_t *ok = json_row_of(arr, "MessagePack", "getObj", 3);
    assert_non_null(ok);
    assert_true(json_is_null(json_object_get(ok, "error")));
    assert_int_equal(json_integer_value(json_object_get(ok, "bytes")), 1 + 3 * 10);
    assert_true(json_real_value(json_object_get(ok, "decode_us")) > 0);
    const json_t *fib = json_row_of(arr, "JSON", "fib", -1);
    assert_non_null(fib);
    assert_int_equal(json_integer_value(json_object_get(fib, "fib_n")), 30);
    assert_true(json_is_null(json_object_get(fib, "entries")));
    json_decref(doc);
}

static void report_table(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    rb_results r;
    assert_int_equal(rb_results_from_codecs(measured, nmeasured, &r), RB_OK);
    assert_int_equal(r.ncodecs, nmeasured);
    FILE *f = open_memstream(&text, &len);
    rb_report_codecs_md(f, &r);
    fclose(f);
    rb_results_free(&r);
    assert_non_null(strstr(text, "## What each encoding costs"));
    assert_non_null(strstr(text, "| getObj | reply | 3 | 31 B · "));
    assert_non_null(strstr(text, "| fib(30) | request | – | 2 B · "));
    assert_non_null(strstr(text, "error: decoded value differs from the input"));
    free(text);
    /* nothing for a missing section */
    assert_int_equal(rb_results_from_codecs(NULL, 0, &r), RB_OK);
    f = open_memstream(&text, &len);
    rb_report_codecs_md(f, &r);
    rb_results_free(&r);
    fclose(f);
    assert_int_equal(len, 0);
    free(text);
}

int main(void)
{
    long entries[] = { 0, 3 };
    if (rb_codecs_measure(entries, 2, 30, 0.002, 0, &measured, &nmeasured, &measured_failed) != RB_OK)
        return 1;

    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_sizes),
#ifdef RB_HAVE_AMQP
        cmocka_unit_test(json_is_amqp_body),
#endif
        cmocka_unit_test(round_trips),
        cmocka_unit_test(measure_checks_decodes),
        cmocka_unit_test(written),
        cmocka_unit_test(report_table),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(measured);
    return rc;
}
