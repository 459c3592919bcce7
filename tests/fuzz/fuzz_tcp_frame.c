/* fuzz_tcp_frame.c - the tcp transport's frame reader, on any byte stream.
 *
 * transports/tcp/tcp.c has no function that takes a received frame: its
 * server loop (conn_main) reads a 4-byte big-endian length and the body
 * from the socket and decodes them inline, and the client does the same in
 * tcp_call. This target runs that same decode path over the input as a
 * stream of frames, step for step:
 *   server: length over the limit -> error reply, stop (the connection is
 *           closed); else rb_mp_decode, want [id, method, args], reply
 *           [id, 0, result] through rb_mp_dispatch, or [id|nil, code, msg];
 *   client: each frame as a reply [id, status, value] to call id 1 of
 *           method (frame number mod 3): status, id match, rb_mp_get_result.
 * Keep it in step with tcp.c when the server loop changes. */
#include "fuzz.h"
#include "rb_error.h"
#include "rb_msgpack.h"

#include <string.h>

#define MAX_REQUEST RB_DEFAULT_MAX_REQUEST   /* the server's default limit */

static rb_obj get_obj = RB_OBJ_INIT;
static rb_obj scratch = RB_OBJ_INIT;

static void pack_error(msgpack_packer *pk, msgpack_sbuffer *sb, const msgpack_object *id,
                       int code, const char *msg)
{
    msgpack_sbuffer_clear(sb);
    msgpack_sbuffer_write(sb, "\0\0\0\0", 4);
    msgpack_pack_array(pk, 3);
    if (id)
        msgpack_pack_object(pk, *id);
    else
        msgpack_pack_nil(pk);
    msgpack_pack_int(pk, code);
    rb_mp_pack_cstr(pk, msg);
}

/* The server's handling of one frame body; the reply is left in sb. */
static void server_frame(const char *body, uint32_t len, msgpack_sbuffer *sb, msgpack_packer *pk)
{
    char errmsg[200];
    msgpack_unpacked req;
    msgpack_unpacked_init(&req);
    int rc = rb_mp_decode(body, len, &req);
    const msgpack_object *r = &req.data;
    if (rc || r->type != MSGPACK_OBJECT_ARRAY || r->via.array.size != 3) {
        pack_error(pk, sb, NULL, RB_EPROTO, rc ? "malformed" : "want [id, method, args]");
    } else {
        const msgpack_object *f = r->via.array.ptr;
        msgpack_sbuffer_clear(sb);
        msgpack_sbuffer_write(sb, "\0\0\0\0", 4);
        msgpack_pack_array(pk, 3);
        msgpack_pack_object(pk, f[0]);
        msgpack_pack_int(pk, 0);
        rc = rb_mp_dispatch(&f[1], &f[2], &get_obj, &scratch, pk, errmsg, sizeof errmsg);
        if (rc)
            pack_error(pk, sb, &f[0], rc, errmsg);
    }
    /* The reply must itself be one valid frame body. */
    if (rb_mp_validate(sb->data + 4, sb->size - 4, RB_MAX_DEPTH + 1) != RB_OK)
        rb_fuzz_fail("the server's reply is not valid MessagePack");
    msgpack_unpacked_destroy(&req);
}

/* The client's reading of a reply frame to call id 1 of method m. */
static void client_frame(const char *body, uint32_t len, rb_method m)
{
    msgpack_unpacked rep;
    msgpack_unpacked_init(&rep);
    if (rb_mp_decode(body, len, &rep) == RB_OK && rep.data.type == MSGPACK_OBJECT_ARRAY &&
        rep.data.via.array.size == 3) {
        const msgpack_object *f = rep.data.via.array.ptr;
        int64_t status, num;
        rb_obj obj = RB_OBJ_INIT;
        if (rb_mp_get_int(&f[1], &status) == RB_OK && status == 0 &&
            f[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER && f[0].via.u64 == 1)
            rb_mp_get_result(&f[2], m, &num, &obj);
        rb_obj_free(&obj);
    }
    msgpack_unpacked_destroy(&rep);
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!get_obj.count && rb_service_get_obj(3, &get_obj) != RB_OK)
        abort();
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t pos = 0;
    for (int k = 0; size - pos >= 4; k++) {
        uint32_t len = get_be32(data + pos);
        pos += 4;
        if (len > MAX_REQUEST) {
            pack_error(&pk, &sb, NULL, RB_ETOOBIG, "over the limit");
            break;   /* the server closes the connection */
        }
        if (len > size - pos)
            break;   /* the peer hangs up mid-frame: read_full sees EOF */
        /* A copy of exactly len bytes, as the server's body buffer, so
         * ASan sees any read past the frame. */
        char *body = malloc(len ? len : 1);
        if (!body)
            break;
        memcpy(body, data + pos, len);
        server_frame(body, len, &sb, &pk);
        client_frame(body, len, (rb_method)(k % RB_M__COUNT));
        free(body);
        pos += len;
    }
    msgpack_sbuffer_destroy(&sb);
    return 0;
}
