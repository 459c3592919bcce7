/* fuzz_msgpack.c - the MessagePack codec of the tcp and zmq transports
 * (services/rb_msgpack.c), on any bytes.
 *
 * Server half: rb_mp_decode(), then rb_mp_dispatch() of each method with the
 * decoded value as its args, as a server does with the args of a request.
 * Client half: rb_mp_get_result() of each method on the decoded value, as a
 * client reads a reply.
 * Invariants:
 *  - rb_mp_validate() accepting the bytes means msgpack-c decodes them,
 *    whole, without error (the validator exists to stand in front of it);
 *  - packing the decoded value and decoding that again gives the same bytes
 *    when packed once more (decode and pack agree). */
#include "fuzz.h"
#include "rb_error.h"
#include "rb_msgpack.h"

#include <string.h>

static rb_obj get_obj = RB_OBJ_INIT;   /* a server's getObj reply */
static rb_obj scratch = RB_OBJ_INIT;   /* a server thread's sendObj scratch */

static void repack_check(const msgpack_object *o)
{
    msgpack_sbuffer a, b;
    msgpack_packer pk;
    msgpack_unpacked u;
    msgpack_sbuffer_init(&a);
    msgpack_sbuffer_init(&b);
    msgpack_unpacked_init(&u);
    msgpack_packer_init(&pk, &a, msgpack_sbuffer_write);
    if (msgpack_pack_object(&pk, *o) != 0)
        goto done;   /* out of memory */
    int rc = rb_mp_decode(a.data, a.size, &u);
    if (rc == RB_ENOMEM)
        goto done;
    if (rc != RB_OK)
        rb_fuzz_fail("a packed decoded value does not decode (%d)", rc);
    msgpack_packer_init(&pk, &b, msgpack_sbuffer_write);
    if (msgpack_pack_object(&pk, u.data) != 0)
        goto done;
    if (a.size != b.size || memcmp(a.data, b.data, a.size) != 0)
        rb_fuzz_fail("pack(decode(pack(x))) != pack(x): %zu vs %zu bytes", b.size, a.size);
done:
    msgpack_unpacked_destroy(&u);
    msgpack_sbuffer_destroy(&a);
    msgpack_sbuffer_destroy(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    if (!get_obj.count && rb_service_get_obj(3, &get_obj) != RB_OK)
        abort();
    int valid = rb_mp_validate(buf, size, RB_MAX_DEPTH);
    msgpack_unpacked u;
    msgpack_unpacked_init(&u);
    int rc = rb_mp_decode(buf, size, &u);
    if (valid == RB_OK && rc == RB_EPROTO)
        rb_fuzz_fail("rb_mp_validate accepted %zu bytes msgpack-c refuses", size);
    if (valid != RB_OK && rc == RB_OK)
        rb_fuzz_fail("rb_mp_decode accepted what rb_mp_validate refused");
    if (rc == RB_OK) {
        msgpack_sbuffer sb;
        msgpack_packer pk;
        msgpack_sbuffer_init(&sb);
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        for (int m = 0; m < RB_M__COUNT; m++) {
            const char *name = rb_method_name((rb_method)m);
            msgpack_object n = { .type = MSGPACK_OBJECT_STR };
            n.via.str.ptr = name;
            n.via.str.size = (uint32_t)strlen(name);
            char err[128];
            msgpack_sbuffer_clear(&sb);
            int d = rb_mp_dispatch(&n, &u.data, &get_obj, &scratch, &pk, err, sizeof err);
            if (d != RB_OK && err[0] == '\0')
                rb_fuzz_fail("dispatch failed (%d) without a message", d);
            if (strlen(err) >= sizeof err)
                rb_fuzz_fail("error message not terminated");
            int64_t num = 0;
            rb_obj obj = RB_OBJ_INIT;
            rb_mp_get_result(&u.data, (rb_method)m, &num, &obj);
            rb_obj_free(&obj);
        }
        /* the value as a method name (any type) */
        char err[128];
        msgpack_object args = { .type = MSGPACK_OBJECT_ARRAY };
        msgpack_sbuffer_clear(&sb);
        rb_mp_dispatch(&u.data, &args, &get_obj, &scratch, &pk, err, sizeof err);
        msgpack_sbuffer_destroy(&sb);
        repack_check(&u.data);
    }
    msgpack_unpacked_destroy(&u);
    return 0;
}
