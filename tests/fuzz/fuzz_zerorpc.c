/* fuzz_zerorpc.c - the zerorpc event codec of the zmq transport
 * (transports/zmq/zerorpc.h) on any event frame.
 *
 * Server: the steps of zs_process() in zmq_transport.c (static there):
 * rb_mp_decode, rb_zr_parse, the version and channel checks, then an OK
 * event with rb_mp_dispatch's result or an ERR event through rb_zr_pack_err
 * answering the request's message_id (any MessagePack type, packed back as
 * it came). zerorpc's built-ins (_zerorpc_*) pack constant replies and are
 * not repeated here. Client: the same frame as the reply to our call whose
 * id is RB_ZR_ID_LEN bytes of 'a': rb_zr_id_equals, rb_zr_name_is, the
 * OK [result] and ERR [name, message, ...] shapes, rb_mp_get_result.
 * Invariant: every reply the server packs is one valid event. */
#include "fuzz.h"
#include "rb_error.h"
#include "rb_msgpack.h"
#include "zerorpc.h"

#include <string.h>

static rb_obj get_obj = RB_OBJ_INIT;
static rb_obj scratch = RB_OBJ_INIT;

static void check_reply(const msgpack_sbuffer *sb)
{
    msgpack_unpacked u;
    rb_zr_event ev;
    const char *why;
    msgpack_unpacked_init(&u);
    if (rb_mp_decode(sb->data, sb->size, &u) != RB_OK || rb_zr_parse(&u.data, &ev, &why) != 0)
        rb_fuzz_fail("the server's reply is not a valid event");
    msgpack_unpacked_destroy(&u);
}

static void server(const rb_zr_event *ev, int parsed, const char *why, msgpack_packer *pk,
                   msgpack_sbuffer *sb)
{
    static const char id[RB_ZR_ID_LEN] = "0000002a-9b1f-4c3d-8e7f-0123456789ab";
    const msgpack_object *resp_to = ev->message_id;
    const char *err_name = RB_ZR_E_PROTO;
    char errbuf[256];
    sb->size = 0;
    if (!parsed)
        goto error;
    if (ev->version != RB_ZR_VERSION) {
        why = "unsupported protocol version";
        goto error;
    }
    if (rb_zr_name_is(ev, RB_ZR_HEARTBEAT) || rb_zr_name_is(ev, RB_ZR_MORE))
        return;
    if (ev->response_to) {
        resp_to = ev->response_to;
        why = "event on a channel that is not open";
        goto error;
    }
    if (rb_zr_pack_head(pk, id, sizeof id, resp_to, RB_ZR_OK) || msgpack_pack_array(pk, 1))
        return;
    int rc = rb_mp_dispatch(ev->name, ev->args, &get_obj, &scratch, pk, errbuf, sizeof errbuf);
    if (rc == RB_OK) {
        check_reply(sb);
        return;
    }
    err_name = rc == RB_ENOMETHOD ? RB_ZR_E_NOMETHOD : RB_ZR_E_INVALID;
    why = errbuf;
error:
    sb->size = 0;
    if (rb_zr_pack_err(pk, id, sizeof id, resp_to, err_name, why) == 0)
        check_reply(sb);
}

static void client(const rb_zr_event *ev, rb_method m)
{
    char cur[RB_ZR_ID_LEN];
    memset(cur, 'a', sizeof cur);
    if (!rb_zr_id_equals(ev->response_to, cur, sizeof cur) &&
        !rb_zr_id_equals(ev->message_id, cur, sizeof cur))
        return;   /* stale or foreign: the client skips it */
    const msgpack_object *a = ev->args;
    if (rb_zr_name_is(ev, RB_ZR_OK) && a->type == MSGPACK_OBJECT_ARRAY && a->via.array.size == 1) {
        int64_t num;
        rb_obj obj = RB_OBJ_INIT;
        rb_mp_get_result(&a->via.array.ptr[0], m, &num, &obj);
        rb_obj_free(&obj);
    } else if (rb_zr_name_is(ev, RB_ZR_ERR) && a->type == MSGPACK_OBJECT_ARRAY &&
               a->via.array.size >= 2) {
        char out[512];
        const msgpack_object *n = &a->via.array.ptr[0], *s = &a->via.array.ptr[1];
        if (n->type == MSGPACK_OBJECT_STR && s->type == MSGPACK_OBJECT_STR)
            snprintf(out, sizeof out, "%.*s: %.*s", (int)(n->via.str.size > 200 ? 200 : n->via.str.size),
                     n->via.str.ptr, (int)(s->via.str.size > 200 ? 200 : s->via.str.size), s->via.str.ptr);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!get_obj.count && rb_service_get_obj(3, &get_obj) != RB_OK)
        abort();
    msgpack_unpacked u;
    msgpack_sbuffer sb;
    msgpack_packer pk;
    rb_zr_event ev;
    const char *why = "malformed MessagePack";
    msgpack_unpacked_init(&u);
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    memset(&ev, 0, sizeof ev);
    int parsed = 0;
    if (rb_mp_decode((const char *)data, size, &u) == RB_OK) {
        parsed = rb_zr_parse(&u.data, &ev, &why) == 0;
        if (parsed && (!ev.message_id || !ev.name || !ev.args))
            rb_fuzz_fail("rb_zr_parse succeeded with a field missing");
    }
    server(&ev, parsed, why, &pk, &sb);
    if (parsed)
        client(&ev, (rb_method)(size % RB_M__COUNT));
    msgpack_sbuffer_destroy(&sb);
    msgpack_unpacked_destroy(&u);
    return 0;
}
