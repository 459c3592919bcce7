/* common.c - what the grpc transport's client and server share: one-time
 * init, the protobuf-c message helpers and the status mapping (rb_grpc.h).
 * The table is in grpc.c. */
#include "rb_grpc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <protobuf-c/protobuf-c.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void do_init(void)
{
    grpc_init();
}

int rb_grpc_global_init(void)
{
    pthread_once(&init_once, do_init);
    return RB_OK;
}

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

/* Read a varint at p[*i..n) into *v; 0 when it is cut or over 10 bytes. */
static int read_varint(const uint8_t *p, size_t n, size_t *i, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70 && *i < n; shift += 7) {
        uint8_t b = p[(*i)++];
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return 0;
}

/* Count the fields of a message of descriptor d (NULL: unknown) in
 * p[0..n), those of its sub-messages included, into *count. */
static int walk_fields(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                       int depth, size_t max, size_t *count)
{
    size_t i = 0;
    while (i < n) {
        uint64_t key, v;
        if (!read_varint(p, n, &i, &key))
            return RB_EINVAL;
        if (++*count > max)
            return RB_ETOOBIG;
        switch (key & 7) {
        case 0:
            if (!read_varint(p, n, &i, &v))
                return RB_EINVAL;
            break;
        case 1:
        case 5: {
            size_t w = (key & 7) == 1 ? 8 : 4;
            if (n - i < w)
                return RB_EINVAL;
            i += w;
            break;
        }
        case 2: {
            if (!read_varint(p, n, &i, &v) || v > n - i)
                return RB_EINVAL;
            const ProtobufCFieldDescriptor *f =
                d && key >> 3 <= UINT32_MAX
                    ? protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3)) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (depth >= RB_MAX_DEPTH)
                    return RB_EINVAL;
                int rc = walk_fields(f->descriptor, p + i, (size_t)v, depth + 1, max, count);
                if (rc)
                    return rc;
            }
            i += (size_t)v;
            break;
        }
        default:  /* groups (3, 4) are not proto3; 6, 7 do not exist */
            return RB_EINVAL;
        }
    }
    return RB_OK;
}

int rb_grpc_count_fields(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                         size_t max, size_t *count)
{
    *count = 0;
    return walk_fields(d, p, n, 0, max, count);
}

ProtobufCMessage *rb_grpc_unpack_lim(const ProtobufCMessageDescriptor *d, grpc_byte_buffer *bb,
                                     size_t max_fields, size_t *len, int *err)
{
    *len = 0;
    *err = RB_EINVAL;
    if (!bb)
        return NULL;
    ProtobufCMessage *m = NULL;
    grpc_slice s;
    int own = 0;
    if (bb->type == GRPC_BB_RAW && bb->data.raw.compression == GRPC_COMPRESS_NONE &&
        bb->data.raw.slice_buffer.count == 1) {
        /* The common case: one contiguous slice, decoded in place. */
        s = bb->data.raw.slice_buffer.slices[0];
    } else {
        grpc_byte_buffer_reader r;
        if (!grpc_byte_buffer_reader_init(&r, bb))
            return NULL;
        s = grpc_byte_buffer_reader_readall(&r);
        grpc_byte_buffer_reader_destroy(&r);
        own = 1;
    }
    *len = GRPC_SLICE_LENGTH(s);
    size_t fields = 0;
    /* protobuf-c allocates per field (and a scan record per field while it
     * unpacks): count them first, so a message of millions of tiny fields
     * costs a linear read instead of gigabytes. */
    int rc = max_fields ? rb_grpc_count_fields(d, GRPC_SLICE_START_PTR(s), *len, max_fields, &fields)
                        : RB_OK;
    if (rc == RB_OK) {
        m = protobuf_c_message_unpack(d, NULL, *len, GRPC_SLICE_START_PTR(s));
        rc = m ? RB_OK : RB_EINVAL;
    }
    if (own)
        grpc_slice_unref(s);
    *err = rc;
    return m;
}

ProtobufCMessage *rb_grpc_unpack(const ProtobufCMessageDescriptor *d,
                                 grpc_byte_buffer *bb, size_t *len)
{
    int err;
    return rb_grpc_unpack_lim(d, bb, 0, len, &err);
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
