/* rb_grpc.h - internals shared by the grpc transport's client and server.
 *
 * The transport drives the gRPC C core API (grpc/grpc.h) directly: there is
 * no C code generator for gRPC services, so the method paths, the batches and
 * the message encoding (protobuf-c, generated at build time from
 * services/rpcbench.proto) are ours. Nothing here is visible outside
 * transports/grpc/.
 */
#ifndef RB_GRPC_H
#define RB_GRPC_H

#include <stddef.h>
#include <stdint.h>

#include <grpc/byte_buffer.h>
#include <grpc/grpc.h>
#include <grpc/status.h>

#include "rb_codec.h"
#include "rpcbench.pb-c.h"
#include "transport.h"

/* Method paths on the wire, as protoc's stubs in any language spell them. */
#define RB_GRPC_PATH_FIB "/rpcbench.Bench/Fib"
#define RB_GRPC_PATH_GET_OBJ "/rpcbench.Bench/GetObj"
#define RB_GRPC_PATH_SEND_OBJ "/rpcbench.Bench/SendObj"

#define RB_GRPC_DEFAULT_ENDPOINT "127.0.0.1:7306"

/* grpc_init() once per process (thread-safe; later calls do nothing). The
 * library stays initialised until the process exits. Returns RB_OK. */
int rb_grpc_global_init(void);

/* Growable scratch space to present an rb_obj as a protobuf-c Obj message
 * without copying keys. Owned by one thread; rb_grpc_objview_free releases. */
typedef struct rb_grpc_objview {
    Rpcbench__Obj__EntriesEntry *ents;   /* cap entries */
    Rpcbench__Obj__EntriesEntry **ptrs;  /* cap pointers into ents */
    size_t cap;                          /* entries allocated */
} rb_grpc_objview;

/* Fill *msg (initialised here) so that it refers to o's keys and values.
 * msg is valid until o or v change. Returns RB_OK or RB_ENOMEM. */
int rb_grpc_objview_set(rb_grpc_objview *v, const rb_obj *o, Rpcbench__Obj *msg);
void rb_grpc_objview_free(rb_grpc_objview *v);

/* Copy a decoded Obj message into out (cleared first). Returns RB_OK,
 * RB_ENOMEM, or RB_EINVAL (a key rb_obj cannot hold). */
int rb_grpc_obj_from_msg(const Rpcbench__Obj *msg, rb_obj *out);

/* Encode m into a new byte buffer (one slice) the caller destroys with
 * grpc_byte_buffer_destroy (or hands to a SEND_MESSAGE op and destroys after
 * the batch). *len = encoded size, bytes. Never NULL: gRPC's allocator
 * aborts the process when memory runs out. */
grpc_byte_buffer *rb_grpc_pack(const ProtobufCMessage *m, size_t *len);

/* Decode bb (not consumed) as a message of descriptor d with protobuf-c's
 * default allocator; free the result with protobuf_c_message_free_unpacked.
 * *len = the message's size, bytes. NULL when bb is NULL or not a valid
 * message of that type (or out of memory). */
ProtobufCMessage *rb_grpc_unpack(const ProtobufCMessageDescriptor *d,
                                 grpc_byte_buffer *bb, size_t *len);

/* rb_grpc_unpack with a budget: before protobuf-c sees the message, its
 * fields are counted by walking the wire format (fields of sub-messages
 * included: a map entry with key and value is 3); more than max_fields
 * (0: no limit) refuses it. *err = RB_OK, RB_ETOOBIG (over the budget) or
 * RB_EINVAL (not a valid message, or bb NULL). */
ProtobufCMessage *rb_grpc_unpack_lim(const ProtobufCMessageDescriptor *d, grpc_byte_buffer *bb,
                                     size_t max_fields, size_t *len, int *err);

/* The fields of a message of descriptor d in p[0..n), sub-messages'
 * included, into *count (stops counting past max). Returns RB_OK,
 * RB_ETOOBIG (more than max) or RB_EINVAL (malformed wire format). */
int rb_grpc_count_fields(const ProtobufCMessageDescriptor *d, const uint8_t *p, size_t n,
                         size_t max, size_t *count);

/* "INVALID_ARGUMENT" etc. for a status code; a static string. */
const char *rb_grpc_status_name(grpc_status_code s);

/* The project's error code for a status a client received (not OK). */
int rb_grpc_status_to_rb(grpc_status_code s);

/* The protobuf codec of `rpcbench codecs` (services/rb_codec.h, pb_codec.c),
 * registered in this folder's CMakeLists.txt. */
extern const rb_codec rb_codec_protobuf;

/* Transport table entries (client.c, server.c). */
int rb_grpc_connect(const rb_client_opts *o, rb_client **out, char *errbuf, size_t errlen);
int rb_grpc_fib(rb_client *c, int64_t n, int64_t *result);
int rb_grpc_get_obj(rb_client *c, rb_obj *out);
int rb_grpc_send_obj(rb_client *c, const rb_obj *obj, int64_t *count);
void rb_grpc_close(rb_client *c);
int rb_grpc_serve(const rb_server_opts *o);

#endif
