/* The contract: fib's bounds and values, the object type, method names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "rb_error.h"
#include "rb_obj.h"
#include "rb_service.h"

static void fib_values(void **state)
{
    (void)state;
    int64_t v = -1;
    assert_int_equal(rb_fib(0, &v), RB_OK);
    assert_int_equal(v, 0);
    assert_int_equal(rb_fib(1, &v), RB_OK);
    assert_int_equal(v, 1);
    assert_int_equal(rb_fib(2, &v), RB_OK);
    assert_int_equal(v, 1);
    assert_int_equal(rb_fib(30, &v), RB_OK);
    assert_int_equal(v, 832040);
    assert_int_equal(rb_fib(92, &v), RB_OK);
    assert_true(v == INT64_C(7540113804746346429));
}

static void fib_bounds(void **state)
{
    (void)state;
    int64_t v = 42;
    assert_int_equal(rb_fib(-1, &v), RB_EINVAL);
    assert_int_equal(rb_fib(93, &v), RB_EINVAL);
    assert_int_equal(rb_fib(INT64_MIN, &v), RB_EINVAL);
    assert_int_equal(rb_fib(INT64_MAX, &v), RB_EINVAL);
    assert_int_equal(v, 42); /* untouched on error */
}

static void obj_fill_and_pattern(void **state)
{
    (void)state;
    rb_obj o = RB_OBJ_INIT;
    assert_int_equal(rb_service_get_obj(3, &o), RB_OK);
    assert_int_equal(o.count, 3);
    assert_string_equal(rb_obj_key(&o, 0), "server:0");
    assert_string_equal(rb_obj_key(&o, 2), "server:2");
    assert_int_equal(o.entries[2].value, 2);
    assert_true(rb_obj_is_pattern(&o, "server", 3));
    assert_false(rb_obj_is_pattern(&o, "server", 4));
    assert_false(rb_obj_is_pattern(&o, "client", 3));
    o.entries[1].value = 2; /* duplicate index */
    assert_false(rb_obj_is_pattern(&o, "server", 3));
    o.entries[1].value = 1;
    /* the key must spell its value exactly: no leading zero, no sign */
    static const char *bad_keys[] = { "server:01", "server:+1", "server:2", "server:1x",
                                      "server:", "server1", "Server:1" };
    for (size_t b = 0; b < sizeof bad_keys / sizeof *bad_keys; b++) {
        rb_obj w = RB_OBJ_INIT;
        assert_int_equal(rb_obj_add(&w, "server:0", 8, 0), RB_OK);
        assert_int_equal(rb_obj_add(&w, bad_keys[b], strlen(bad_keys[b]), 1), RB_OK);
        assert_int_equal(rb_obj_add(&w, "server:2", 8, 2), RB_OK);
        assert_false(rb_obj_is_pattern(&w, "server", 3));
        rb_obj_free(&w);
    }

    int64_t ack = 0;
    assert_int_equal(rb_service_send_obj(&o, &ack), RB_OK);
    assert_int_equal(ack, 3);

    /* refill reuses memory and keys stay valid after growth */
    assert_int_equal(rb_obj_fill(&o, "client", 1000), RB_OK);
    assert_string_equal(rb_obj_key(&o, 0), "client:0");
    assert_string_equal(rb_obj_key(&o, 999), "client:999");
    assert_true(rb_obj_is_pattern(&o, "client", 1000));

    rb_obj_clear(&o);
    assert_int_equal(rb_obj_add(&o, "a\0b", 3, 1), RB_EINVAL); /* NUL in key */
    assert_int_equal(rb_obj_add(&o, "", 0, -5), RB_OK);        /* empty key is fine */
    assert_int_equal(o.count, 1);
    assert_true(rb_obj_is_pattern(&(rb_obj)RB_OBJ_INIT, "server", 0));
    rb_obj_free(&o);
    assert_null(o.entries);
}

static void method_names(void **state)
{
    (void)state;
    assert_int_equal(rb_method_from_name("fib", 3), RB_M_FIB);
    assert_int_equal(rb_method_from_name("getObj", 6), RB_M_GET_OBJ);
    assert_int_equal(rb_method_from_name("sendObj", 7), RB_M_SEND_OBJ);
    assert_int_equal(rb_method_from_name("fi", 2), -1);
    assert_int_equal(rb_method_from_name("getobj", 6), -1);
    assert_string_equal(rb_method_name(RB_M_SEND_OBJ), "sendObj");
}

static void error_codes(void **state)
{
    (void)state;
    assert_string_equal(rb_strerror(RB_ETIMEDOUT), "deadline exceeded");
    assert_string_equal(rb_err_name(RB_EINVAL), "EINVAL");
    assert_string_equal(rb_err_name(-999), "UNKNOWN");
    assert_int_equal(rb_fail_kind_of(RB_ETIMEDOUT), RB_FAIL_TIMEOUT);
    assert_int_equal(rb_fail_kind_of(RB_ECLOSED), RB_FAIL_CONNECT);
    assert_int_equal(rb_fail_kind_of(RB_EPROTO), RB_FAIL_PROTOCOL);
    assert_int_equal(rb_fail_kind_of(RB_EINVAL), RB_FAIL_SERVER_ERROR);
    assert_string_equal(rb_fail_kind_name(RB_FAIL_WRONG_REPLY), "wrong_reply");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fib_values),
        cmocka_unit_test(fib_bounds),
        cmocka_unit_test(obj_fill_and_pattern),
        cmocka_unit_test(method_names),
        cmocka_unit_test(error_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
