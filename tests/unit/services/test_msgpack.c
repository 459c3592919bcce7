/* The shared MessagePack codec: round trips, and every malformed input is
 * an error (never a crash, never an allocation sized by a lying header). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "rb_error.h"
#include "rb_msgpack.h"

static msgpack_sbuffer sb;
static msgpack_packer pk;

static void reset(void)
{
    msgpack_sbuffer_clear(&sb);
}

static int decode(const void *buf, size_t len, msgpack_unpacked *u)
{
    msgpack_unpacked_destroy(u);
    msgpack_unpacked_init(u);
    return rb_mp_decode(buf, len, u);
}

static void obj_round_trip(void **state)
{
    (void)state;
    rb_obj in = RB_OBJ_INIT, out = RB_OBJ_INIT;
    rb_obj_fill(&in, "client", 100);
    rb_obj_add(&in, "neg", 3, INT64_MIN);
    rb_obj_add(&in, "big", 3, INT64_MAX);
    reset();
    assert_int_equal(rb_mp_pack_obj(&pk, &in), 0);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    assert_int_equal(decode(sb.data, sb.size, &u), RB_OK);
    assert_int_equal(rb_mp_get_obj(&u.data, &out), RB_OK);
    assert_int_equal(out.count, 102);
    assert_string_equal(rb_obj_key(&out, 99), "client:99");
    assert_true(out.entries[100].value == INT64_MIN);
    assert_true(out.entries[101].value == INT64_MAX);
    msgpack_unpacked_destroy(&u);
    rb_obj_free(&in);
    rb_obj_free(&out);
}

static void dispatch_calls(void **state)
{
    (void)state;
    rb_obj get = RB_OBJ_INIT, scratch = RB_OBJ_INIT, send = RB_OBJ_INIT, res = RB_OBJ_INIT;
    rb_service_get_obj(5, &get);
    rb_obj_fill(&send, "client", 7);
    char err[128];
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int64_t num;

    /* fib(30) */
    reset();
    msgpack_pack_array(&pk, 2);
    rb_mp_pack_cstr(&pk, "fib");
    rb_mp_pack_args(&pk, RB_M_FIB, 30, NULL);
    assert_int_equal(decode(sb.data, sb.size, &u), RB_OK);
    msgpack_sbuffer out;
    msgpack_sbuffer_init(&out);
    msgpack_packer opk;
    msgpack_packer_init(&opk, &out, msgpack_sbuffer_write);
    assert_int_equal(rb_mp_dispatch(&u.data.via.array.ptr[0], &u.data.via.array.ptr[1], &get,
                                     &scratch, &opk, err, sizeof err), RB_OK);
    msgpack_unpacked r;
    msgpack_unpacked_init(&r);
    assert_int_equal(decode(out.data, out.size, &r), RB_OK);
    assert_int_equal(rb_mp_get_result(&r.data, RB_M_FIB, &num, NULL), RB_OK);
    assert_int_equal(num, 832040);

    /* fib(93): invalid argument, nothing packed */
    reset();
    msgpack_sbuffer_clear(&out);
    msgpack_pack_array(&pk, 2);
    rb_mp_pack_cstr(&pk, "fib");
    rb_mp_pack_args(&pk, RB_M_FIB, 93, NULL);
    decode(sb.data, sb.size, &u);
    assert_int_equal(rb_mp_dispatch(&u.data.via.array.ptr[0], &u.data.via.array.ptr[1], &get,
                                     &scratch, &opk, err, sizeof err), RB_EINVAL);
    assert_int_equal(out.size, 0);
    assert_non_null(strstr(err, "0..92"));

    /* getObj */
    reset();
    msgpack_sbuffer_clear(&out);
    msgpack_pack_array(&pk, 2);
    rb_mp_pack_cstr(&pk, "getObj");
    rb_mp_pack_args(&pk, RB_M_GET_OBJ, 0, NULL);
    decode(sb.data, sb.size, &u);
    assert_int_equal(rb_mp_dispatch(&u.data.via.array.ptr[0], &u.data.via.array.ptr[1], &get,
                                     &scratch, &opk, err, sizeof err), RB_OK);
    decode(out.data, out.size, &r);
    assert_int_equal(rb_mp_get_result(&r.data, RB_M_GET_OBJ, NULL, &res), RB_OK);
    assert_true(rb_obj_is_pattern(&res, "server", 5));

    /* sendObj */
    reset();
    msgpack_sbuffer_clear(&out);
    msgpack_pack_array(&pk, 2);
    rb_mp_pack_cstr(&pk, "sendObj");
    rb_mp_pack_args(&pk, RB_M_SEND_OBJ, 0, &send);
    decode(sb.data, sb.size, &u);
    assert_int_equal(rb_mp_dispatch(&u.data.via.array.ptr[0], &u.data.via.array.ptr[1], &get,
                                     &scratch, &opk, err, sizeof err), RB_OK);
    decode(out.data, out.size, &r);
    assert_int_equal(rb_mp_get_result(&r.data, RB_M_SEND_OBJ, &num, NULL), RB_OK);
    assert_int_equal(num, 7);

    /* unknown method, wrong argument types */
    const struct { const char *name; int nargs; int kind; int want; } bad[] = {
        { "nope", 0, 0, RB_ENOMETHOD },
        { "fib", 1, 1, RB_EINVAL },     /* fib("x") */
        { "fib", 0, 0, RB_EINVAL },     /* fib() */
        { "getObj", 1, 2, RB_EINVAL },  /* getObj(1) */
        { "sendObj", 1, 2, RB_EINVAL }, /* sendObj(1) */
        { "sendObj", 1, 3, RB_EINVAL }, /* sendObj({"a": "b"}) */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        reset();
        msgpack_sbuffer_clear(&out);
        msgpack_pack_array(&pk, 2);
        rb_mp_pack_cstr(&pk, bad[i].name);
        msgpack_pack_array(&pk, (size_t)bad[i].nargs);
        if (bad[i].nargs) {
            if (bad[i].kind == 1) rb_mp_pack_cstr(&pk, "x");
            if (bad[i].kind == 2) msgpack_pack_int(&pk, 1);
            if (bad[i].kind == 3) { msgpack_pack_map(&pk, 1); rb_mp_pack_cstr(&pk, "a"); rb_mp_pack_cstr(&pk, "b"); }
        }
        assert_int_equal(decode(sb.data, sb.size, &u), RB_OK);
        assert_int_equal(rb_mp_dispatch(&u.data.via.array.ptr[0], &u.data.via.array.ptr[1], &get,
                                         &scratch, &opk, err, sizeof err), bad[i].want);
        assert_true(err[0] != '\0');
    }
    msgpack_unpacked_destroy(&u);
    msgpack_unpacked_destroy(&r);
    msgpack_sbuffer_destroy(&out);
    rb_obj_free(&get);
    rb_obj_free(&scratch);
    rb_obj_free(&send);
    rb_obj_free(&res);
}

static void malformed_inputs(void **state)
{
    (void)state;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    /* map32 claiming 2^32-1 entries in 5 bytes: refused before allocation */
    const uint8_t map32[] = { 0xdf, 0xff, 0xff, 0xff, 0xff };
    assert_int_equal(decode(map32, sizeof map32, &u), RB_EPROTO);
    /* array32 claiming 1e9 elements, 3 present */
    const uint8_t arr32[] = { 0xdd, 0x3b, 0x9a, 0xca, 0x00, 0x01, 0x02, 0x03 };
    assert_int_equal(decode(arr32, sizeof arr32, &u), RB_EPROTO);
    /* str32 claiming 4 GiB */
    const uint8_t str32[] = { 0xdb, 0xff, 0xff, 0xff, 0xff, 'a' };
    assert_int_equal(decode(str32, sizeof str32, &u), RB_EPROTO);
    /* truncated: int64 missing bytes; fixarray of 3 with 2 */
    const uint8_t trunc1[] = { 0xd3, 0x00, 0x01 };
    const uint8_t trunc2[] = { 0x93, 0x01, 0x02 };
    assert_int_equal(decode(trunc1, sizeof trunc1, &u), RB_EPROTO);
    assert_int_equal(decode(trunc2, sizeof trunc2, &u), RB_EPROTO);
    /* empty input */
    assert_int_equal(decode("", 0, &u), RB_EPROTO);
    /* trailing bytes after one complete value */
    const uint8_t trail[] = { 0x01, 0x02 };
    assert_int_equal(decode(trail, sizeof trail, &u), RB_EPROTO);
    /* the reserved byte 0xc1 */
    const uint8_t res[] = { 0x91, 0xc1 };
    assert_int_equal(decode(res, sizeof res, &u), RB_EPROTO);
    /* nesting: 40 nested arrays refused, 20 accepted */
    uint8_t deep[64];
    memset(deep, 0x91, sizeof deep);
    deep[40] = 0x00;
    assert_int_equal(decode(deep, 41, &u), RB_EPROTO);
    deep[20] = 0x00;
    assert_int_equal(decode(deep, 21, &u), RB_OK);
    /* wrong types for an object */
    rb_obj o = RB_OBJ_INIT;
    const uint8_t notmap[] = { 0x90 };
    decode(notmap, sizeof notmap, &u);
    assert_int_equal(rb_mp_get_obj(&u.data, &o), RB_EINVAL);
    const uint8_t intkey[] = { 0x81, 0x01, 0x02 };             /* {1: 2} */
    decode(intkey, sizeof intkey, &u);
    assert_int_equal(rb_mp_get_obj(&u.data, &o), RB_EINVAL);
    const uint8_t floatval[] = { 0x81, 0xa1, 'a', 0xca, 0, 0, 0, 0 }; /* {"a": 0.0} */
    decode(floatval, sizeof floatval, &u);
    assert_int_equal(rb_mp_get_obj(&u.data, &o), RB_EINVAL);
    const uint8_t u64max[] = { 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    int64_t v;
    decode(u64max, sizeof u64max, &u);
    assert_int_equal(rb_mp_get_int(&u.data, &v), RB_EINVAL); /* above INT64_MAX */
    rb_obj_free(&o);

    /* random garbage never crashes, and anything accepted is one value */
    srand(7);
    uint8_t buf[64];
    for (int i = 0; i < 200000; i++) {
        size_t n = 1 + (size_t)(rand() % (int)sizeof buf);
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)rand();
        int rc = decode(buf, n, &u);
        assert_true(rc == RB_OK || rc == RB_EPROTO);
    }
    msgpack_unpacked_destroy(&u);
}

static int setup(void **state)
{
    (void)state;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    msgpack_sbuffer_destroy(&sb);
    return 0;
}

/* The budget of decoded values (memory amplification): counted before
 * msgpack-c allocates, containers and map keys and values each count one. */
static void value_budget(void **state)
{
    (void)state;
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    /* [nil, {}, []]: 4 values */
    const char three[] = "\x93\xc0\x80\x90";
    assert_int_equal(rb_mp_validate_max(three, 4, RB_MAX_DEPTH, 4), RB_OK);
    assert_int_equal(rb_mp_validate_max(three, 4, RB_MAX_DEPTH, 3), RB_ETOOBIG);
    /* {nil: {}}: map + key + value = 3 */
    const char kv[] = "\x81\xc0\x80";
    assert_int_equal(rb_mp_validate_max(kv, 3, RB_MAX_DEPTH, 3), RB_OK);
    assert_int_equal(rb_mp_validate_max(kv, 3, RB_MAX_DEPTH, 2), RB_ETOOBIG);
    /* a malformed value stays a protocol error, whatever the budget */
    assert_int_equal(rb_mp_validate_max("\x93\xc0", 2, RB_MAX_DEPTH, 1000), RB_EPROTO);

    /* RB_MAX_ELEMENTS + 1 nils in an array32: refused, nothing decoded */
    size_t n = (size_t)RB_MAX_ELEMENTS, len = 5 + n;
    char *big = malloc(len);
    assert_non_null(big);
    big[0] = (char)0xdd;
    big[1] = (char)(n >> 24);
    big[2] = (char)(n >> 16);
    big[3] = (char)(n >> 8);
    big[4] = (char)n;
    memset(big + 5, 0xc0, n);
    assert_int_equal(rb_mp_decode_max(big, len, RB_MAX_ELEMENTS, &u), RB_ETOOBIG);
    msgpack_unpacked_destroy(&u);
    msgpack_unpacked_init(&u);
    assert_int_equal(rb_mp_decode_max(big, len, RB_MAX_ELEMENTS + 1, &u), RB_OK);
    assert_int_equal(u.data.via.array.size, n);
    assert_int_equal(decode(big, len, &u), RB_OK);   /* no budget: replies */
    free(big);

    /* the first value of a request refused whole: its id */
    const char req[] = "\x93\x07\xa3" "fib" "\xdd\xff\xff\xff\xff";
    assert_int_equal(rb_mp_decode_first(req + 1, sizeof req - 2, 16, &u), RB_OK);
    assert_int_equal(u.data.type, MSGPACK_OBJECT_POSITIVE_INTEGER);
    assert_int_equal(u.data.via.u64, 7);
    msgpack_unpacked_destroy(&u);
    msgpack_unpacked_init(&u);
    char twenty[3 + 20];
    memcpy(twenty, "\xdc\x00\x14", 3);   /* array16 of 20 nils */
    memset(twenty + 3, 0xc0, 20);
    assert_int_equal(rb_mp_decode_first(twenty, sizeof twenty, 16, &u), RB_ETOOBIG);
    msgpack_unpacked_destroy(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(obj_round_trip),
        cmocka_unit_test(dispatch_calls),
        cmocka_unit_test(malformed_inputs),
        cmocka_unit_test(value_budget),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
