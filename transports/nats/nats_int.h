/* nats_int.h - internals shared by the NATS transports (nats, nats-js):
 * the connection to the broker, the bodies, one request's handling and
 * the JetStream stream. Nothing outside transports/nats/ includes this
 * header; README.md beside it is the wire description for callers with
 * their own clients.
 *
 * Wire conventions (our client, our server and stock clients alike):
 *   - a call of method M on queue Q is a message on subject "Q.M" (M is
 *     fib, getObj or sendObj); the servers of Q form queue group Q (nats)
 *     or share the durable pull consumer of the stream holding "Q.*"
 *     (nats-js);
 *   - the reply goes to the message's reply subject (nats) or to the
 *     subject in the request's Rpcbench-Reply-To header (nats-js: the
 *     message's own reply subject receives JetStream's PubAck);
 *   - bodies by the Content-Type header: application/msgpack (our client:
 *     the arguments array in, the bare result out, as tcp, zmq and amqp:
 *     services/rb_msgpack.h), application/json (the argument and the
 *     result as JSON values), none: a MessagePack arguments array (first
 *     byte 0x90..0x9f, 0xdc, 0xdd: what our client sends, headers and all
 *     left out) is MessagePack, a decimal number is fib's argument as text
 *     (`nats request Q.fib 30`), anything else JSON; the reply has the
 *     request's Content-Type, except a MessagePack result to a request
 *     that had none, which goes without headers;
 *   - an error reply carries the headers Rpcbench-Code (EINVAL, ETOOBIG,
 *     ENOMETHOD, ESERVER) and Rpcbench-Error (the message), and a body in
 *     the request's format saying the same: {"error": msg, "code": code}
 *     as a map, or "CODE: msg" as text.
 */
#ifndef RB_NATS_INT_H
#define RB_NATS_INT_H

#include <stddef.h>
#include <stdint.h>

#include <nats/nats.h>

#include "rb_buf.h"
#include "transport.h"

#define RB_NATS_URL_ENV "RPCBENCH_NATS_URL"
#define RB_NATS_DEFAULT_QUEUE "rpc"        /* nats */
#define RB_NATS_JS_DEFAULT_QUEUE "rpc-js"  /* nats-js: apart from nats's, or the
                                              stream would take its requests too */
#define RB_NATS_DEFAULT_QUEUE_OF(k) ((k) == RB_NATS_JS ? RB_NATS_JS_DEFAULT_QUEUE : RB_NATS_DEFAULT_QUEUE)
#define RB_NATS_CODE_HEADER "Rpcbench-Code"
#define RB_NATS_ERR_HEADER "Rpcbench-Error"
#define RB_NATS_REPLY_HEADER "Rpcbench-Reply-To"   /* nats-js: where the reply goes */
#define RB_NATS_CT_HEADER "Content-Type"
#define RB_NATS_CT_MSGPACK "application/msgpack"
#define RB_NATS_CT_JSON "application/json"
#define RB_NATS_CT_TEXT "text/plain"
#define RB_NATS_MAX_QUEUE 200   /* bytes of a queue name (subject prefix) */

/* The two flavours share all code and differ in the request's path. */
typedef enum rb_nats_kind {
    RB_NATS_CORE = 0,   /* nats: core request-reply, at most once */
    RB_NATS_JS          /* nats-js: the request kept in a JetStream
                           work-queue stream until the server acks it */
} rb_nats_kind;

/* ---- the library and the connection (nats_conn.c) ------------------------- */

/* Once per process: nats_Open. RB_OK or RB_EIO. */
int rb_nats_init(void);

/* "cnats 3.4.1, jansson 2.14" (static). */
const char *rb_nats_version(void);

/* Connect to the broker of $RPCBENCH_NATS_URL (nats://user:pass@host:port)
 * within timeout_ms (1..3600000), reconnecting by itself afterwards
 * (every 100 ms, forever; publishes made meanwhile are buffered) and
 * sending every publish at once. `name` is the connection's name on the
 * broker. *out is the connection (natsConnection_Destroy frees it);
 * RB_OK, or RB_ECONNECT (URL unset or malformed, broker unreachable, login
 * refused) or RB_ENOMEM with the reason in errbuf[0..errlen). */
int rb_nats_connect(const char *name, int timeout_ms, natsConnection **out,
                    char *errbuf, size_t errlen);

/* A cnats status as an RB_E* code: NATS_TIMEOUT -> RB_ETIMEDOUT,
 * NATS_NO_RESPONDERS -> RB_ENOSERVER, NATS_MAX_PAYLOAD -> RB_ETOOBIG,
 * NATS_NO_MEMORY -> RB_ENOMEM, a closed or lost connection -> RB_ECLOSED,
 * others RB_EIO. */
int rb_nats_err(natsStatus s);

/* Is q usable as a queue name: 1..RB_NATS_MAX_QUEUE bytes of printable
 * ASCII without blanks, '*', '>' or a leading '$', no empty token? 1 or 0. */
int rb_nats_queue_ok(const char *q);

/* May a server publish its reply to subject s (len bytes, not
 * NUL-terminated): 1..255 printable ASCII bytes without blanks, no
 * wildcard token, no empty token, not a system subject ('$JS.API...',
 * '$SYS...': any leading '$') and not under "prefix." (the requests of
 * its own queue)? 1 or 0. */
int rb_nats_reply_ok(const char *s, size_t len, const char *prefix);

/* ---- bodies (nats_body.c) ------------------------------------------------ */

/* The format of a request body, and of its reply. */
typedef enum rb_nats_fmt {
    RB_NATS_FMT_MSGPACK = 0,  /* args array in, bare value out (our client) */
    RB_NATS_FMT_JSON,         /* bare value in and out */
    RB_NATS_FMT_TEXT          /* a decimal number in and out */
} rb_nats_fmt;

/* The format of a request by its Content-Type (ct: the header's value, or
 * NULL when absent; the media type before any ';', case-insensitive): see
 * the wire conventions above. RB_OK, or RB_EINVAL for an unknown type
 * (*fmt is then JSON, for the error reply). */
int rb_nats_fmt_of(const char *ct, const char *body, size_t len, rb_nats_fmt *fmt);

/* The Content-Type value of format f (static). */
const char *rb_nats_fmt_ct(rb_nats_fmt f);

/* Server: the argument of fib into *n, of sendObj into obj (cleared), or
 * check getObj's (MessagePack [] or empty; JSON: ignored), from body
 * [0..len) in format f. RB_OK, or RB_EINVAL / RB_ETOOBIG / RB_ENOMEM with
 * the reason in why[0..whylen). */
int rb_nats_arg_int(rb_nats_fmt f, const char *body, size_t len, int64_t *n,
                    char *why, size_t whylen);
int rb_nats_arg_obj(rb_nats_fmt f, const char *body, size_t len, rb_obj *obj,
                    char *why, size_t whylen);
int rb_nats_arg_none(rb_nats_fmt f, const char *body, size_t len, char *why, size_t whylen);

/* Server: a result or an error reply's body in format f into b (its
 * contents replaced). RB_OK or RB_ENOMEM (RB_EINVAL: a key that is not
 * UTF-8, JSON only). */
int rb_nats_put_int(rb_nats_fmt f, rb_buf *b, int64_t v);
int rb_nats_put_obj(rb_nats_fmt f, rb_buf *b, const rb_obj *o);
int rb_nats_put_error(rb_nats_fmt f, rb_buf *b, const char *msg, const char *code);

/* Client: the MessagePack args array of method m into b. RB_OK or
 * RB_ENOMEM. */
int rb_nats_put_args(rb_buf *b, rb_method m, int64_t n, const rb_obj *obj);

/* Client: a reply body of method m in format f (MessagePack, or JSON from
 * a server that answers JSON): *num for fib and sendObj, obj (cleared) for
 * getObj. RB_OK, RB_EPROTO (malformed, wrong type) or RB_ENOMEM. */
int rb_nats_get_result(rb_nats_fmt f, const char *body, size_t len, rb_method m,
                       int64_t *num, rb_obj *obj);

/* ---- one request (nats_handle.c) ----------------------------------------- */

/* What a server worker keeps across requests. */
typedef struct rb_nats_worker {
    natsConnection *nc;
    const char *prefix;        /* the queue: requests are "prefix.<method>" */
    size_t max_request;        /* bytes */
    const rb_obj *get_obj;     /* getObj's reply, built once */
    rb_obj obj;                /* sendObj's argument, reused */
    rb_buf out;                /* the reply body, reused */
    uint64_t calls, errors, dropped;   /* requests seen, answered with an
                                          error, dropped (nowhere to answer) */
} rb_nats_worker;

/* Answer request msg, whose reply goes to subject `reply` (NULL or one
 * rb_nats_reply_ok refuses: the request is counted in w->dropped and not
 * answered): the method from the subject's last token, the body in the
 * format of its Content-Type, the result or an error reply published with
 * the request's Content-Type. RB_OK (answered or dropped), or the publish's
 * error (RB_ECLOSED: the connection is gone). */
int rb_nats_handle(rb_nats_worker *w, natsMsg *msg, const char *reply);

/* ---- JetStream (nats_js.c) ----------------------------------------------- */

/* The stream of queue q: q with '.', blanks, '/', '\\' replaced by '_',
 * into out[0..outlen). RB_OK or RB_ETOOBIG. */
int rb_nats_js_stream_name(const char *q, char *out, size_t outlen);

/* Server: make sure queue q's work-queue stream (subjects "q.*", file
 * storage, messages up to max_request + 4 KiB, kept at most an hour) and
 * its durable pull consumer (explicit acks, redelivered 2 s after a
 * worker took it without an ack, at most 5 deliveries) exist on js.
 * RB_OK, or RB_ECONNECT with the reason in errbuf (JetStream off,
 * a stream of the name with other subjects). */
int rb_nats_js_setup(jsCtx *js, const char *q, size_t max_request, char *errbuf, size_t errlen);

/* The durable consumer's name of queue q's stream (static "workers"). */
const char *rb_nats_js_consumer(void);

/* Client: JetStream's answer to a publish (its PubAck, body[0..len)).
 * RB_OK (stored), RB_ETOOBIG (over the stream's message size), RB_ESERVER
 * (another refusal) with the broker's words in why. */
int rb_nats_js_puback(const char *body, size_t len, char *why, size_t whylen);

/* ---- server (nats_server.c) ---------------------------------------------- */

/* The serve function of both tables: o->threads workers, each with its own
 * connection. */
int rb_nats_serve(rb_nats_kind kind, const rb_server_opts *o);

#endif
