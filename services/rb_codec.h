/* rb_codec.h - the encodings of the stacks, on their own, without transport.
 *
 * The interface every codec fills. `rpcbench codecs` (bench/codecs/)
 * measures what encoding and decoding each message of the contract costs in
 * each stack's own library, so a reader can split a stack's cost per call
 * into encoding and transport. Each encoding fills one `const rb_codec`
 * table in the folder of the stack that uses it (services/ for MessagePack
 * and JSON, transports/xmlrpc, transports/grpc), which registers it in
 * its CMakeLists.txt; the registry rb_codecs[] (codec_registry.c, generated
 * in the build tree by transports/registry.cmake) lists those this build
 * has. The interface lives in services/, below the transports, because
 * services/ implements two of the codecs. bench/ knows an encoding only
 * through its table, never a library header.
 *
 * Messages: the contract's bodies as each stack puts them on the wire, the
 * transport's envelope excluded (tcp's [id, method, ...] and zerorpc's
 * header around MessagePack; HTTP and AMQP headers). Each codec documents
 * its exact bytes. Values come from and decode into the project's own types
 * (an int64, an rb_obj), as the transports hold them: encode starts from an
 * rb_obj, decode ends in one (rb_obj_clear'ed first, then filled).
 *
 * Threads: an rb_codec_state is used by one thread at a time.
 */
#ifndef RB_CODEC_H
#define RB_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "rb_obj.h"

/* The messages of the contract whose encoding differs between stacks
 * (getObj's request carries nothing, sendObj's reply is an integer as
 * fib's). */
typedef enum rb_codec_msg {
    RB_CM_FIB_REQUEST = 0,  /* fib(n): the argument n */
    RB_CM_FIB_REPLY,        /* fib's result F(n) */
    RB_CM_GET_OBJ_REPLY,    /* getObj's result, an object */
    RB_CM_SEND_OBJ_REQUEST, /* sendObj(obj): the argument obj */
    RB_CM__COUNT
} rb_codec_msg;

/* "fib", "getObj", "sendObj". */
static inline const char *rb_codec_msg_method(rb_codec_msg m)
{
    return m <= RB_CM_FIB_REPLY ? "fib" : m == RB_CM_GET_OBJ_REPLY ? "getObj" : "sendObj";
}

/* 1 for a request (client to server), 0 for a reply. */
static inline int rb_codec_msg_is_request(rb_codec_msg m)
{
    return m == RB_CM_FIB_REQUEST || m == RB_CM_SEND_OBJ_REQUEST;
}

/* "request" or "reply". */
static inline const char *rb_codec_msg_kind(rb_codec_msg m)
{
    return rb_codec_msg_is_request(m) ? "request" : "reply";
}

/* 1 when the message carries an object (the entry count applies), else 0. */
static inline int rb_codec_msg_has_obj(rb_codec_msg m)
{
    return m == RB_CM_GET_OBJ_REPLY || m == RB_CM_SEND_OBJ_REQUEST;
}

/* A codec's per-thread state (buffers reused between calls); opaque. */
typedef struct rb_codec_state rb_codec_state;

typedef struct rb_codec {
    const char *encoding;   /* "MessagePack", "JSON", "XML-RPC", "protobuf" */
    const char *library;    /* the library that does the work: "msgpack-c" */
    const char *used_by;    /* transports that send it: "tcp, zmq" */

    /* Library version text ("msgpack-c 4.0.0"); a static string. */
    const char *(*version)(void);

    /* New state in *out. RB_OK or RB_ENOMEM. */
    int (*open)(rb_codec_state **out);

    /* Free the state; accepts NULL. */
    void (*close)(rb_codec_state *st);

    /* Encode message m: num is the integer of the fib messages (n, F(n)),
     * obj the object of the others (the unused one may be 0 / NULL). On
     * RB_OK *out and *len are the encoded bytes, owned by st and valid
     * until the next call on st. RB_EINVAL (a value the encoding cannot
     * carry), RB_ENOMEM. */
    int (*encode)(rb_codec_state *st, rb_codec_msg m, int64_t num, const rb_obj *obj,
                  const char **out, size_t *len);

    /* Decode buf[0..len) as message m into *num (fib messages) or obj
     * (cleared first; the other messages). RB_OK, RB_EPROTO (not a valid
     * message m), RB_ENOMEM. */
    int (*decode)(rb_codec_state *st, rb_codec_msg m, const char *buf, size_t len,
                  int64_t *num, rb_obj *obj);
} rb_codec;

/* The core's codecs, always built: MessagePack (services/mp_codec.c) and
 * JSON (services/json_codec.c). A stack's codec (rb_codec_xmlrpc in
 * transports/xmlrpc/xr_codec.c, rb_codec_protobuf in
 * transports/grpc/pb_codec.c) is declared in its stack's own header
 * (xr_codec.h, rb_grpc.h) and by the generated registry. */
extern const rb_codec rb_codec_msgpack;
extern const rb_codec rb_codec_json;

/* The codecs of this build, NULL-terminated (codec_registry.c, generated;
 * a test may define its own list instead). */
extern const rb_codec *const rb_codecs[];

#endif
