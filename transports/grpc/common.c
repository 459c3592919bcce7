/* common.c - the grpc transport's table, one-time init, protobuf-c codec
 * helpers and status mapping. */
#include "rb_grpc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <protobuf-c/protobuf-c.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_str[128];

static void do_init(void)
{
    grpc_init();
}

int rb_grpc_global_init(void)
{
    pthread_once(&init_once, do_init);
    return RB_OK;
}

static void do_version(void)
{
    snprintf(version_str, sizeof version_str, "grpc-core %s, protobuf-c %s",
             grpc_version_string(), protobuf_c_version());
}

static const char *grpc_tr_version(void)
{
    pthread_once(&version_once, do_version);
    return version_str;
}

const rb_transport rb_transport_grpc = {
    .name = "grpc",
    .description = "gRPC C core (HTTP/2) + protobuf-c, services/rpcbench.proto",
    .default_endpoint = RB_GRPC_DEFAULT_ENDPOINT,
    .uses_broker = 0,
    .broker = RB_BROKER_NONE,
    .order = 50,
    .wire = "HTTP/2 + protobuf",
    .props = {
        .human_readable = "no (HTTP/2 + protobuf)",
        .schema = "yes (.proto)",
        .streaming = "yes: client, server, bidirectional",
        .stdlib = "no: generated code + gRPC library (official for ~11 languages)",
        .restart = "the call in flight fails (UNAVAILABLE); the channel reconnects",
    },
    .packages = {
        { "grpc", "libgrpc29" },
        { "protobuf-c", "libprotobuf-c1" },
    },
    .init = rb_grpc_global_init,
    .version = grpc_tr_version,
    .connect = rb_grpc_connect,
    .fib = rb_grpc_fib,
    .get_obj = rb_grpc_get_obj,
    .send_obj = rb_grpc_send_obj,
    .close = rb_grpc_close,
    .serve = rb_grpc_serve,
};

/* ---- codec -------------------------------------------------------------- */

int rb_grpc_objview_set(rb_grpc_objview *v, const rb_obj *o, Rpcbench__Obj *msg)
{
    rpcbench__obj__init(msg);
    if (o->count > v->cap) {
        size_t cap = v->cap ? v->cap : 16;
        while (cap < o->count)
            cap *= 2;
        Rpcbench__Obj__EntriesEntry *ents = realloc(v->ents, cap * sizeof *ents);
        if (!ents)
            return RB_ENOMEM;
        v->ents = ents;
        Rpcbench__Obj__EntriesEntry **ptrs = realloc(v->ptrs, cap * sizeof *ptrs);
        if (!ptrs)
            return RB_ENOMEM;
        v->ptrs = ptrs;
        for (size_t i = 0; i < cap; i++) {
            rpcbench__obj__entries_entry__init(&v->ents[i]);
            v->ptrs[i] = &v->ents[i];
        }
        v->cap = cap;
    }
    for (size_t i = 0; i < o->count; i++) {
        /* protobuf-c only reads the key when packing; rb_obj keys are
         * NUL-terminated in its arena. */
        v->ents[i].key = (char *)rb_obj_key(o, i);
        v->ents[i].value = o->entries[i].value;
    }
    msg->n_entries = o->count;
    msg->entries = o->count ? v->ptrs : NULL;
    return RB_OK;
}

void rb_grpc_objview_free(rb_grpc_objview *v)
{
    free(v->ents);
    free(v->ptrs);
    v->ents = NULL;
    v->ptrs = NULL;
    v->cap = 0;
}

int rb_grpc_obj_from_msg(const Rpcbench__Obj *msg, rb_obj *out)
{
    rb_obj_clear(out);
    size_t keys = 0;
    for (size_t i = 0; i < msg->n_entries; i++)
        keys += strlen(msg->entries[i]->key);
    int rc = rb_obj_reserve(out, msg->n_entries, keys);
    if (rc)
        return rc;
    for (size_t i = 0; i < msg->n_entries; i++) {
        const Rpcbench__Obj__EntriesEntry *e = msg->entries[i];
        rc = rb_obj_add(out, e->key, strlen(e->key), e->value);
        if (rc)
            return rc;
    }
    return RB_OK;
}

grpc_byte_buffer *rb_grpc_pack(const ProtobufCMessage *m, size_t *len)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    grpc_slice s = grpc_slice_malloc(n);
    size_t got = protobuf_c_message_pack(m, GRPC_SLICE_START_PTR(s));
    (void)got; /* == n: protobuf-c packs exactly get_packed_size bytes */
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    *len = n;
    return bb;
}

ProtobufCMessage *rb_grpc_unpack(const ProtobufCMessageDescriptor *d,
                                 grpc_byte_buffer *bb, size_t *len)
{
    *len = 0;
    if (!bb)
        return NULL;
    ProtobufCMessage *m = NULL;
    if (bb->type == GRPC_BB_RAW && bb->data.raw.compression == GRPC_COMPRESS_NONE &&
        bb->data.raw.slice_buffer.count == 1) {
        /* The common case: one contiguous slice, decoded in place. */
        grpc_slice s = bb->data.raw.slice_buffer.slices[0];
        *len = GRPC_SLICE_LENGTH(s);
        m = protobuf_c_message_unpack(d, NULL, *len, GRPC_SLICE_START_PTR(s));
    } else {
        grpc_byte_buffer_reader r;
        if (!grpc_byte_buffer_reader_init(&r, bb))
            return NULL;
        grpc_slice s = grpc_byte_buffer_reader_readall(&r);
        grpc_byte_buffer_reader_destroy(&r);
        *len = GRPC_SLICE_LENGTH(s);
        m = protobuf_c_message_unpack(d, NULL, *len, GRPC_SLICE_START_PTR(s));
        grpc_slice_unref(s);
    }
    return m;
}

/* ---- status ------------------------------------------------------------- */

const char *rb_grpc_status_name(grpc_status_code s)
{
    switch (s) {
    case GRPC_STATUS_OK: return "OK";
    case GRPC_STATUS_CANCELLED: return "CANCELLED";
    case GRPC_STATUS_UNKNOWN: return "UNKNOWN";
    case GRPC_STATUS_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case GRPC_STATUS_DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case GRPC_STATUS_NOT_FOUND: return "NOT_FOUND";
    case GRPC_STATUS_ALREADY_EXISTS: return "ALREADY_EXISTS";
    case GRPC_STATUS_PERMISSION_DENIED: return "PERMISSION_DENIED";
    case GRPC_STATUS_RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case GRPC_STATUS_FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case GRPC_STATUS_ABORTED: return "ABORTED";
    case GRPC_STATUS_OUT_OF_RANGE: return "OUT_OF_RANGE";
    case GRPC_STATUS_UNIMPLEMENTED: return "UNIMPLEMENTED";
    case GRPC_STATUS_INTERNAL: return "INTERNAL";
    case GRPC_STATUS_UNAVAILABLE: return "UNAVAILABLE";
    case GRPC_STATUS_DATA_LOSS: return "DATA_LOSS";
    case GRPC_STATUS_UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "?";
    }
}

int rb_grpc_status_to_rb(grpc_status_code s)
{
    switch (s) {
    case GRPC_STATUS_OK: return RB_OK;
    case GRPC_STATUS_DEADLINE_EXCEEDED: return RB_ETIMEDOUT;
    case GRPC_STATUS_UNAVAILABLE: return RB_ECONNECT;
    case GRPC_STATUS_INVALID_ARGUMENT: return RB_EINVAL;
    case GRPC_STATUS_RESOURCE_EXHAUSTED: return RB_ETOOBIG;
    case GRPC_STATUS_UNIMPLEMENTED: return RB_ENOMETHOD;
    default: return RB_ESERVER;
    }
}
