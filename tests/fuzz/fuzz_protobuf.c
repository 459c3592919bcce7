/* fuzz_protobuf.c - protobuf-c's unpack of every message type of
 * services/rpcbench.proto, on any bytes, as the grpc transport calls it
 * (rb_grpc_unpack: protobuf_c_message_unpack with the default allocator;
 * the server unpacks FibRequest, GetObjRequest and Obj, the client
 * FibReply, Obj and Ack). A decoded Obj goes through rb_grpc_obj_from_msg,
 * as sendObj's server and getObj's client do.
 * Invariant: a message that unpacks packs again to get_packed_size bytes. Note: Debian's libprotobuf-c is not instrumented,
 * so coverage guidance comes from our code and the seeds only. */
#include "fuzz.h"
#include "rb_error.h"
#include "rb_grpc.h"

#include <string.h>

static const ProtobufCMessageDescriptor *const types[] = {
    &rpcbench__fib_request__descriptor, &rpcbench__fib_reply__descriptor,
    &rpcbench__get_obj_request__descriptor, &rpcbench__obj__descriptor,
    &rpcbench__ack__descriptor,
};

static void repack(const ProtobufCMessage *m)
{
    size_t n = protobuf_c_message_get_packed_size(m);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return;
    size_t got = protobuf_c_message_pack(m, buf);
    if (got != n)
        rb_fuzz_fail("%s packs to %zu bytes, get_packed_size said %zu", m->descriptor->name, got, n);
    /* Not checked: that buf unpacks again. Unknown fields are packed back
     * as they were read, and protobuf-c 1.4.1 reads a field number 0 whose
     * tag is padded to two bytes (80 00) but refuses the same tag written
     * in one byte (00), at any depth: found by this target, harmless. */
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        ProtobufCMessage *m = protobuf_c_message_unpack(types[t], NULL, size, data);
        if (!m)
            continue;
        if (types[t] == &rpcbench__obj__descriptor) {
            rb_obj o = RB_OBJ_INIT;
            int rc = rb_grpc_obj_from_msg((const Rpcbench__Obj *)m, &o);
            if (rc == RB_OK && o.count != ((const Rpcbench__Obj *)m)->n_entries)
                rb_fuzz_fail("Obj of %zu entries became %zu", ((const Rpcbench__Obj *)m)->n_entries, o.count);
            rb_obj_free(&o);
        }
        repack(m);
        protobuf_c_message_free_unpacked(m, NULL);
    }
    return 0;
}
