/* amqp_int.h - internals shared by the AMQP transports (amqp, amqp-queue,
 * amqp-durable): connection setup, error translation, the bodies (by
 * content type: MessagePack, JSON, plain text) and the server. Nothing
 * outside transports/amqp/ includes this header.
 *
 * Wire conventions (the same for our client, our server and stock clients;
 * README.md has the table):
 *   - requests go through the default exchange to the request queue, with
 *     reply_to, correlation_id, the method name in the `type` property (no
 *     type: fib, as the RabbitMQ tutorial) and the body's content_type;
 *   - application/msgpack (our client): the body is the arguments array
 *     (fib [n], getObj [], sendObj [obj]) and the reply the bare result, as
 *     MessagePack (services/rb_msgpack.h, as tcp and zmq);
 *   - application/json: the argument and the result as JSON values (getObj's
 *     request body ignored); text/plain, or no content type with a decimal
 *     number (the tutorial): fib's number in, the result out as text;
 *   - the reply carries the request's format as its content_type;
 *   - an error reply carries the headers `rpcbench-error` (the message) and
 *     `rpcbench-code` (EINVAL, ETOOBIG, ENOMETHOD, ESERVER), with a body in
 *     the request's format saying the same.
 */
#ifndef RB_AMQP_INT_H
#define RB_AMQP_INT_H

#include <stddef.h>
#include <stdint.h>

#include <amqp.h>

#include "rb_buf.h"
#include "transport.h"

#define RB_AMQP_DEFAULT_QUEUE "rpc_queue"
#define RB_AMQP_URL_ENV "RPCBENCH_AMQP_URL"
#define RB_AMQP_CLUSTER_URL_ENV "RPCBENCH_AMQP_CLUSTER_URL"   /* amqp-quorum: the
                             cluster's URLs, comma-separated, tried in order */
#define RB_AMQP_CHANNEL 1
#define RB_AMQP_ERR_HEADER "rpcbench-error"
#define RB_AMQP_CODE_HEADER "rpcbench-code"

/* The three flavours share all code and differ in these choices. */
typedef enum rb_amqp_kind {
    RB_AMQP_DIRECT = 0,   /* amqp: direct reply-to */
    RB_AMQP_QUEUE,        /* amqp-queue: exclusive auto-named callback queue */
    RB_AMQP_DURABLE,      /* amqp-durable: durable queue, persistent messages,
                             publisher confirms; callback queue for replies */
    RB_AMQP_QUORUM        /* amqp-quorum: a quorum queue on the 3-node
                             cluster, persistent messages, publisher
                             confirms; direct reply-to */
} rb_amqp_kind;

/* The kind's choices. */
#define RB_AMQP_CONFIRMS(k) ((k) == RB_AMQP_DURABLE || (k) == RB_AMQP_QUORUM)
#define RB_AMQP_DIRECT_REPLY(k) ((k) == RB_AMQP_DIRECT || (k) == RB_AMQP_QUORUM)
#define RB_AMQP_URL_ENV_OF(k) ((k) == RB_AMQP_QUORUM ? RB_AMQP_CLUSTER_URL_ENV : RB_AMQP_URL_ENV)

/* Once per process: jansson's hash seed (so it is not raced by threads) and
 * the version string. Returns RB_OK. */
int rb_amqp_init(void);

/* "rabbitmq-c 0.11.0, jansson 2.14" (static). */
const char *rb_amqp_version(void);

/* Open a connection to the broker of $RPCBENCH_AMQP_URL and channel
 * RB_AMQP_CHANNEL on it, every step bounded by timeout_ms (1..3600000).
 * On success *out is the connection (the caller ends it with
 * rb_amqp_conn_close) and RB_OK is returned; otherwise RB_ECONNECT (URL
 * missing or malformed, broker unreachable, login refused) with the reason
 * in errbuf[0..errlen). */
int rb_amqp_conn_open(int timeout_ms, amqp_connection_state_t *out,
                      char *errbuf, size_t errlen);

/* The same with the URL(s) from environment variable env: a comma-separated
 * list is tried in order, the first broker that takes the login wins. */
int rb_amqp_conn_open_env(const char *env, int timeout_ms, amqp_connection_state_t *out,
                          char *errbuf, size_t errlen);

/* What rb_amqp_conn_open reads: RB_AMQP_URL_ENV, or the cluster's in an
 * amqp-quorum server (set once by rb_amqp_serve before its threads). */
extern const char *rb_amqp_server_url_env;

/* Close politely (bounded by the connection's RPC timeout) and free;
 * accepts NULL and sets *conn to NULL. */
void rb_amqp_conn_close(amqp_connection_state_t *conn);

/* Text of a failed synchronous AMQP reply (library error, or the broker's
 * channel/connection close with its code and text) into buf. Returns buf. */
const char *rb_amqp_reply_str(amqp_rpc_reply_t r, char *buf, size_t len);

/* ---- bodies: the JSON codec (jansson), into an rb_buf (rb_buf.h) -------- */

/* Body of an integer: decimal digits, optional '-'. Returns RB_OK or
 * RB_ENOMEM. */
int rb_amqp_json_put_int(rb_buf *b, int64_t v);

/* Body of an object {"key": value, ...} in o's order. Returns RB_OK,
 * RB_EINVAL (a key that is not UTF-8) or RB_ENOMEM. */
int rb_amqp_json_put_obj(rb_buf *b, const rb_obj *o);

/* Body of an error reply {"error": msg, "code": code}; msg and code are
 * UTF-8. Returns RB_OK or RB_ENOMEM (RB_EINVAL: not UTF-8). */
int rb_amqp_json_put_error(rb_buf *b, const char *msg, const char *code);

/* Decode a body that must be exactly one JSON integer. Returns RB_OK,
 * RB_EINVAL (not JSON, or not an integer in int64), with a reason in
 * why[0..whylen). */
int rb_amqp_json_get_int(const void *body, size_t len, int64_t *v,
                         char *why, size_t whylen);

/* Decode a body that must be one JSON object of string -> integer into out
 * (cleared first). Duplicate keys, non-integer values, keys with NUL are
 * rejected. Returns RB_OK, RB_EINVAL with a reason, or RB_ENOMEM. */
int rb_amqp_json_get_obj(const void *body, size_t len, rb_obj *out,
                         char *why, size_t whylen);

/* ---- bodies by content type (amqp_body.c) ------------------------------ */

#define RB_AMQP_CT_MSGPACK "application/msgpack"
#define RB_AMQP_CT_JSON "application/json"
#define RB_AMQP_CT_TEXT "text/plain"

/* The format of a request body, and of its reply. */
typedef enum rb_amqp_fmt {
    RB_AMQP_FMT_MSGPACK = 0,  /* args array in, bare value out (rpcbench's client) */
    RB_AMQP_FMT_JSON,         /* bare value in and out (the JSON convention) */
    RB_AMQP_FMT_TEXT          /* a decimal number in and out (the tutorial) */
} rb_amqp_fmt;

/* Negotiate by the request's content_type (media type before any ';',
 * case-insensitive): application/msgpack (or application/x-msgpack),
 * application/json, text/plain; none: text when the body is a plain decimal
 * integer, else JSON. Returns RB_OK with *fmt set, or RB_EINVAL for another
 * content type (*fmt is then JSON, for the error reply). */
int rb_amqp_fmt_of(const amqp_basic_properties_t *p, const amqp_bytes_t *body,
                   rb_amqp_fmt *fmt);

/* The content_type of format f (static bytes). */
amqp_bytes_t rb_amqp_fmt_ct(rb_amqp_fmt f);

/* Server: the argument of fib (MessagePack [n]; JSON n; text n), of sendObj
 * (MessagePack [obj]; JSON obj; text: refused) into obj (cleared), or check
 * getObj's (MessagePack [] or empty; JSON: ignored; text: refused).
 * Return RB_OK, or RB_EINVAL / RB_ENOMEM with the reason in why. */
int rb_amqp_arg_int(rb_amqp_fmt f, const amqp_bytes_t *body, int64_t *n,
                    char *why, size_t whylen);
int rb_amqp_arg_obj(rb_amqp_fmt f, const amqp_bytes_t *body, rb_obj *obj,
                    char *why, size_t whylen);
int rb_amqp_arg_none(rb_amqp_fmt f, const amqp_bytes_t *body, char *why, size_t whylen);

/* Server: a result (integer or object) or an error reply's body in format f
 * into b (replacing its contents). An error body is the map/object
 * {"error": msg, "code": code}, or "CODE: msg" as text. RB_OK or RB_ENOMEM
 * (RB_EINVAL: a key or message that is not UTF-8, JSON only). */
int rb_amqp_put_int(rb_amqp_fmt f, rb_buf *b, int64_t v);
int rb_amqp_put_obj(rb_amqp_fmt f, rb_buf *b, const rb_obj *o);
int rb_amqp_put_error(rb_amqp_fmt f, rb_buf *b, const char *msg, const char *code);

/* Client: the MessagePack args array of method m (fib [n], getObj [],
 * sendObj [obj]) into b. RB_OK or RB_ENOMEM. */
int rb_amqp_mp_put_args(rb_buf *b, rb_method m, int64_t n, const rb_obj *obj);

/* Client: a MessagePack reply value of method m: *num for fib and sendObj,
 * obj (cleared) for getObj. RB_OK, RB_EPROTO (malformed or wrong type) or
 * RB_ENOMEM. */
int rb_amqp_mp_get_result(const amqp_bytes_t *body, rb_method m, int64_t *num,
                          rb_obj *obj);

/* ---- reading with deadlines (amqp_read.c) --------------------------------- */

/* One frame, or one whole message, read from a connection. Everything points
 * into the connection's frame pool (or the caller's buffer) and stays valid
 * until the next amqp_maybe_release_buffers() on that connection. */
typedef struct rb_amqp_msg {
    amqp_frame_t frame;          /* the frame; for a message its method frame
                                    (basic.deliver or basic.return) */
    const amqp_basic_properties_t *props; /* a message's properties, else NULL */
    amqp_bytes_t body;           /* a message's body (empty when truncated) */
    uint64_t body_size;          /* the body size its header announced, bytes */
    int truncated;               /* body_size was over max_body: read, dropped */
} rb_amqp_msg;

/* Wait up to wait_ms (0: only what has arrived) for a frame on conn. When it
 * is basic.deliver or basic.return, also read the message's header and body
 * frames, all within frame_ms more; a body over max_body bytes is read and
 * dropped (m->truncated), one that spans frames is copied into buf.
 * Returns RB_OK (m filled), RB_ETIMEDOUT (no frame within wait_ms),
 * RB_ENOMEM, or RB_ECLOSED (socket error, or the message's frames late or
 * malformed: the connection is then unusable). */
int rb_amqp_read(amqp_connection_state_t conn, int wait_ms, int frame_ms, size_t max_body,
                 rb_buf *buf, rb_amqp_msg *m);

/* ---- server ------------------------------------------------------------ */

/* The serve function of all three tables: `threads` consumers on the request
 * queue, each with its own connection; see amqp_server.c. */
int rb_amqp_serve(rb_amqp_kind kind, const rb_server_opts *o);

#endif
