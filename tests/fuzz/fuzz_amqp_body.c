/* fuzz_amqp_body.c - the body decoders of the AMQP transports
 * (transports/amqp/amqp_json.c), as the server and the client call them.
 *
 * The first input byte selects the decoder, the rest is the body; a
 * decoder stands for one content type and shape of the wire:
 *   0  application/json, an integer (fib's request n, fib/sendObj replies)
 *   1  application/json, an object string -> integer (sendObj's request,
 *      getObj's reply)
 *   2  application/msgpack, an integer       rb_mp_decode + rb_mp_get_int
 *   3  application/msgpack, an object        rb_mp_decode + rb_mp_get_obj
 * 2 and 3 are the services/rb_msgpack.h functions the MessagePack bodies
 * by content type are expected to use; when amqp_json.c (or a
 * new amqp file) gains its own decoder per content type, point these
 * entries at it. Invariants: an error always comes with a reason; a decoded
 * object re-encodes (rb_amqp_json_put_obj) and decodes to the same entries. */
#include "fuzz.h"
#include "amqp_int.h"
#include "rb_error.h"
#include "rb_msgpack.h"

#include <string.h>

static void json_obj(const char *body, size_t len)
{
    char why[160] = "";
    rb_obj o = RB_OBJ_INIT, back = RB_OBJ_INIT;
    rb_buf b = { 0 };
    int rc = rb_amqp_json_get_obj(body, len, &o, why, sizeof why);
    if (rc != RB_OK && why[0] == '\0')
        rb_fuzz_fail("get_obj failed (%d) without a reason", rc);
    if (rc == RB_OK && rb_amqp_json_put_obj(&b, &o) == RB_OK) {
        if (rb_amqp_json_get_obj(b.data, b.len, &back, why, sizeof why) != RB_OK)
            rb_fuzz_fail("a re-encoded object does not decode: %s", why);
        if (back.count != o.count)
            rb_fuzz_fail("re-decoded object has %zu entries, not %zu", back.count, o.count);
        for (size_t i = 0; i < o.count; i++)
            if (back.entries[i].value != o.entries[i].value ||
                back.entries[i].key_len != o.entries[i].key_len ||
                memcmp(rb_obj_key(&back, i), rb_obj_key(&o, i), o.entries[i].key_len) != 0)
                rb_fuzz_fail("re-decoded entry %zu differs", i);
    }
    rb_buf_free(&b);
    rb_obj_free(&o);
    rb_obj_free(&back);
}

static void json_int(const char *body, size_t len)
{
    char why[160] = "";
    int64_t v = 0, back = 0;
    rb_buf b = { 0 };
    int rc = rb_amqp_json_get_int(body, len, &v, why, sizeof why);
    if (rc != RB_OK && why[0] == '\0')
        rb_fuzz_fail("get_int failed (%d) without a reason", rc);
    if (rc == RB_OK && rb_amqp_json_put_int(&b, v) == RB_OK) {
        if (rb_amqp_json_get_int(b.data, b.len, &back, why, sizeof why) != RB_OK || back != v)
            rb_fuzz_fail("integer %lld does not round-trip", (long long)v);
    }
    rb_buf_free(&b);
}

static void mp_body(const char *body, size_t len, int obj)
{
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    if (rb_mp_decode(body, len, &u) == RB_OK) {
        int64_t v;
        rb_obj o = RB_OBJ_INIT;
        if (obj)
            rb_mp_get_obj(&u.data, &o);
        else
            rb_mp_get_int(&u.data, &v);
        rb_obj_free(&o);
    }
    msgpack_unpacked_destroy(&u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* An exact copy of the body, so ASan sees reads past its end. */
    size_t len = size - 1;
    char *body = malloc(len ? len : 1);
    if (!body)
        return 0;
    memcpy(body, data + 1, len);
    switch (data[0] & 3) {
    case 0: json_int(body, len); break;
    case 1: json_obj(body, len); break;
    case 2: mp_body(body, len, 0); break;
    case 3: mp_body(body, len, 1); break;
    }
    free(body);
    return 0;
}
