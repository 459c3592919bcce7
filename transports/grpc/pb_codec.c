/* pb_codec.c - protobuf through protobuf-c, the messages of
 * services/rpcbench.proto the grpc transport sends; see
 * services/rb_codec.h.
 *
 * Bytes: the serialized message alone (FibRequest{n}, FibReply{value},
 * Obj{map entries} for getObj's reply and sendObj's request); gRPC frames
 * each with 5 bytes (flag, length) and HTTP/2 headers: not counted. Encoding
 * presents the rb_obj as an Obj without copying keys (rb_grpc_objview_set)
 * and packs it into a reused buffer (the transport packs into a gRPC slice
 * instead); decoding is protobuf_c_message_unpack with the default
 * allocator, then rb_grpc_obj_from_msg, as the server and client do. */
#include "rb_codec.h"
#include "rb_grpc.h"

#include <stdio.h>
#include <stdlib.h>

struct rb_codec_state {
    rb_grpc_objview view;   /* an rb_obj as an Obj message */
    uint8_t *buf;           /* the encoded message */
    size_t cap;             /* bytes allocated */
};

static const char *pc_version(void)
{
    static char v[32];
    snprintf(v, sizeof v, "protobuf-c %s", protobuf_c_version());
    return v;
}

static int pc_open(rb_codec_state **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? RB_OK : RB_ENOMEM;
}

static void pc_close(rb_codec_state *st)
{
    if (!st)
        return;
    rb_grpc_objview_free(&st->view);
    free(st->buf);
    free(st);
}

static int pc_encode(rb_codec_state *st, rb_codec_msg m, int64_t num, const rb_obj *obj,
                     const char **out, size_t *len)
{
    Rpcbench__FibRequest req = RPCBENCH__FIB_REQUEST__INIT;
    Rpcbench__FibReply rep = RPCBENCH__FIB_REPLY__INIT;
    Rpcbench__Obj o;
    const ProtobufCMessage *msg;
    switch (m) {
    case RB_CM_FIB_REQUEST:
        if (num < INT32_MIN || num > INT32_MAX)
            return RB_EINVAL;   /* FibRequest.n is int32 */
        req.n = (int32_t)num;
        msg = &req.base;
        break;
    case RB_CM_FIB_REPLY:
        rep.value = num;
        msg = &rep.base;
        break;
    case RB_CM_GET_OBJ_REPLY:
    case RB_CM_SEND_OBJ_REQUEST:
        if (rb_grpc_objview_set(&st->view, obj, &o) != RB_OK)
            return RB_ENOMEM;
        msg = &o.base;
        break;
    default:
        return RB_EINVAL;
    }
    size_t n = protobuf_c_message_get_packed_size(msg);
    if (n > st->cap) {
        uint8_t *p = realloc(st->buf, n * 2);
        if (!p)
            return RB_ENOMEM;
        st->buf = p;
        st->cap = n * 2;
    }
    *len = protobuf_c_message_pack(msg, st->buf);
    *out = (const char *)st->buf;
    return RB_OK;
}

static const ProtobufCMessageDescriptor *descriptor_of(rb_codec_msg m)
{
    switch (m) {
    case RB_CM_FIB_REQUEST: return &rpcbench__fib_request__descriptor;
    case RB_CM_FIB_REPLY: return &rpcbench__fib_reply__descriptor;
    default: return &rpcbench__obj__descriptor;
    }
}

static int pc_decode(rb_codec_state *st, rb_codec_msg m, const char *buf, size_t len,
                     int64_t *num, rb_obj *obj)
{
    (void)st;
    ProtobufCMessage *msg = protobuf_c_message_unpack(descriptor_of(m), NULL, len,
                                                      (const uint8_t *)buf);
    if (!msg)
        return RB_EPROTO;
    int rc = RB_OK;
    if (m == RB_CM_FIB_REQUEST)
        *num = ((Rpcbench__FibRequest *)msg)->n;
    else if (m == RB_CM_FIB_REPLY)
        *num = ((Rpcbench__FibReply *)msg)->value;
    else
        rc = rb_grpc_obj_from_msg((Rpcbench__Obj *)msg, obj);
    protobuf_c_message_free_unpacked(msg, NULL);
    return rc == RB_EINVAL ? RB_EPROTO : rc;
}

const rb_codec rb_codec_protobuf = {
    .encoding = "protobuf",
    .library = "protobuf-c",
    .used_by = "grpc",
    .version = pc_version,
    .open = pc_open,
    .close = pc_close,
    .encode = pc_encode,
    .decode = pc_decode,
};
