/* zerorpc.h - zerorpc's event layer (protocol v3), encoding and parsing.
 *
 * zerorpc (github.com/0rpc/zerorpc-python, doc/protocol.md) sends every
 * message as one MessagePack array, an *event*:
 *
 *     [ header, name, args ]
 *     header = { "message_id": <unique id>, "v": 3 [, "response_to": <id>] }
 *
 * A request opens a channel whose id is its message_id; every later event
 * of that channel (the reply "OK" [result] or "ERR" [name, message,
 * traceback], heartbeats "_zpc_hb", flow control "_zpc_more") carries
 * "response_to" = that id and a fresh message_id of its own.
 *
 * On ZeroMQ the event is the last frame of a message; zerorpc's DEALER
 * clients put an empty delimiter frame before it, and a ROUTER prepends the
 * peer's identity. This module knows nothing of sockets: it only packs and
 * parses the MessagePack event. Nothing here allocates except through the
 * caller's msgpack packer.
 */
#ifndef RB_ZERORPC_H
#define RB_ZERORPC_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

#define RB_ZR_VERSION 3          /* the protocol version we speak */
#define RB_ZR_ID_LEN 36          /* our message ids: UUID-shaped text, bytes */
#define RB_ZR_HEARTBEAT_MS 5000  /* zerorpc's default heartbeat interval, ms */

/* Event names of the protocol. */
#define RB_ZR_OK "OK"
#define RB_ZR_ERR "ERR"
#define RB_ZR_HEARTBEAT "_zpc_hb"
#define RB_ZR_MORE "_zpc_more"

/* Error names we put in (and recognize in) ERR events. The first three are
 * the Python exception names a zerorpc-python server raises for the same
 * faults, so stock clients see familiar names. */
#define RB_ZR_E_NOMETHOD "NameError"      /* unknown method */
#define RB_ZR_E_INVALID "ValueError"      /* invalid argument */
#define RB_ZR_E_TYPE "TypeError"          /* invalid argument (Python's) */
#define RB_ZR_E_NOMEM "MemoryError"       /* server out of memory */
#define RB_ZR_E_TOOBIG "RequestTooLarge"  /* over the request size limit */
#define RB_ZR_E_PROTO "ProtocolError"     /* not a valid zerorpc v3 event */

/* A parsed event: views into the msgpack object tree it came from (valid as
 * long as that msgpack_unpacked lives). */
typedef struct rb_zr_event {
    const msgpack_object *message_id;  /* header "message_id" (any type) */
    const msgpack_object *response_to; /* header "response_to", or NULL */
    int64_t version;                   /* header "v"; -1 when absent or not an int */
    const msgpack_object *name;        /* the event name object */
    const char *name_ptr;              /* its bytes (str or bin), not NUL-terminated */
    size_t name_len;                   /* bytes */
    const msgpack_object *args;        /* the args value (any type) */
} rb_zr_event;

/* Message ids: zerorpc-python's own scheme, an 8-hex-digit counter followed
 * by the last 28 characters of a random UUID4, so every id looks like
 * "0000002a-9b1f-4c3d-8e7f-0123456789ab" and is unique per generator. */
typedef struct rb_zr_idgen {
    char base[RB_ZR_ID_LEN - 8];  /* "-xxxx-4xxx-yxxx-xxxxxxxxxxxx" */
    uint32_t counter;             /* next id's counter */
} rb_zr_idgen;

/* Seed g from the kernel's random source (getrandom; falls back to time and
 * address bits when it fails). Never fails. */
void rb_zr_idgen_init(rb_zr_idgen *g);

/* Write the next id to out[0..RB_ZR_ID_LEN) (no NUL). */
void rb_zr_next_id(rb_zr_idgen *g, char out[RB_ZR_ID_LEN]);

/* Parse an event from its decoded MessagePack root. Checks the shape:
 * an array of exactly 3 elements, a map header whose keys are strings, a
 * "message_id" present, a name that is a str (or bin). Does not check the
 * version (see ev->version) nor the args. On failure *why is a static
 * message; ev->message_id is set when the header got that far (so an error
 * reply can still name the channel), NULL otherwise.
 * Returns 0 or -1. */
int rb_zr_parse(const msgpack_object *root, rb_zr_event *ev, const char **why);

/* 1 when o is a str or bin whose bytes are id[0..len), else 0. */
int rb_zr_id_equals(const msgpack_object *o, const char *id, size_t len);

/* 1 when the event's name is exactly the C string s, else 0. */
int rb_zr_name_is(const rb_zr_event *ev, const char *s);

/* Pack the beginning of an event: the 3-array, the header
 * {"message_id": id (str), "v": 3, ["response_to": response_to]} and the
 * name (str). response_to may be NULL (a request) and is packed as the
 * object it is (an id comes back with the type it was sent with). The
 * caller packs the args value next. Returns 0, or nonzero when the packer
 * fails (out of memory). */
int rb_zr_pack_head(msgpack_packer *pk, const char *id, size_t id_len,
                    const msgpack_object *response_to, const char *name);

/* Pack a whole ERR event: head, then args [err_name, message, traceback]
 * where the traceback text is "<err_name>: <message>" (zerorpc clients
 * print it). Returns 0 or nonzero (out of memory). */
int rb_zr_pack_err(msgpack_packer *pk, const char *id, size_t id_len,
                   const msgpack_object *response_to, const char *err_name,
                   const char *message);

#endif
