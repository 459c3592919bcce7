/* transport.h - the one interface every RPC stack fills.
 *
 * Each stack lives in transports/<name>/ and defines one `const rb_transport`
 * table with designated initializers (curl's vtls backends). Callers never use
 * a table's pointers directly: they call the rb_* wrappers below, which also
 * reset the per-call detail. The registry (rb_transport_find, rb_transports)
 * lists the tables that were built (one CMake option per stack).
 *
 * A client is one connection (or channel) to one server, used by one thread.
 * Every transport's client state embeds rb_client as its first member, so an
 * rb_client * works for all (libuv handles, SQLite's sqlite3_file).
 *
 * Calls are synchronous unary calls with a deadline: each returns RB_OK with
 * the reply decoded, or a negative RB_E* code with c->errstr explaining it.
 * No call waits longer than the client's timeout_ms (plus connection setup on
 * a transport that reconnects). After RB_ETIMEDOUT a client stays usable: a
 * late reply to the old call is discarded (and counted in c->stale_replies),
 * never taken as the answer to the next call.
 */
#ifndef RB_TRANSPORT_H
#define RB_TRANSPORT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "rb_error.h"
#include "rb_obj.h"
#include "rb_service.h"

/* How a client reaches its server. */
typedef struct rb_client_opts {
    const char *endpoint;  /* "HOST:PORT"; NULL: the transport's default.
                              Broker transports ignore it (the broker's
                              URL comes from its url_env variable). */
    const char *queue;     /* broker transports: request queue; NULL: default */
    int timeout_ms;        /* deadline of every call, ms, 1..3600000 */
} rb_client_opts;

/* How a server serves. */
typedef struct rb_server_opts {
    const char *listen;    /* "HOST:PORT"; NULL: the transport's default */
    const char *queue;     /* broker transports: request queue; NULL: default */
    size_t entries;        /* getObj's entry count, 0..10,000,000 */
    int threads;           /* worker threads (or consumers), >= 1 */
    int prefetch;          /* broker transports: basic.qos prefetch, >= 0 */
    size_t max_request;    /* request size limit, bytes */
} rb_server_opts;

typedef struct rb_transport rb_transport;

/* The broker requests go through, if any: one of brokers/broker.h's
 * tables (that header says what bench/ asks of it). A transport whose
 * client talks to its server directly has RB_BROKER_NONE. */
struct rb_broker;
#define RB_BROKER_NONE ((const struct rb_broker *)NULL)

/* What users weigh and the numbers do not show: short phrases for report.md's
 * "What the numbers do not show" table, from the stack's documentation and
 * how the transport uses it. Every field a static string, never NULL. */
typedef struct rb_transport_props {
    const char *human_readable; /* "yes (HTTP/1.1 + XML)", "bodies yes (JSON), framing no" */
    const char *schema;         /* "none", "yes (.proto)" */
    const char *streaming;      /* "no", "yes: client, server, bidirectional" */
    const char *stdlib;         /* in most languages' standard library? */
    const char *restart;        /* what a server restart does to the client, as built */
} rb_transport_props;

/* A library a stack runs on and the Debian package that ships it: the
 * manifest records each package's version (dpkg-query) under `library`. */
typedef struct rb_package {
    const char *library;        /* results.json name: "rabbitmq-c" */
    const char *debian_package; /* "librabbitmq4" */
} rb_package;

/* Most packages a transport lists (the array ends with a {NULL, NULL} entry
 * or at this count). */
#define RB_MAX_PACKAGES 6

/* The common head of every transport's client. */
typedef struct rb_client {
    const rb_transport *t;
    int timeout_ms;            /* per-call deadline, ms */
    int err;                   /* last error code, RB_OK after success */
    char errstr[256];          /* last error's detail, "" after success */
    uint64_t req_body_bytes;   /* last call: encoded request message, bytes */
    uint64_t rep_body_bytes;   /* last call: encoded reply message, bytes */
    uint64_t stale_replies;    /* replies discarded as late or unknown, total */
    int accepted;              /* last call: 1 the transport took the request
                                  (written in full; on a transport with
                                  publisher confirms: confirmed), 0 it did not
                                  (a write that failed, a nack, no confirm),
                                  -1 (the wrappers' default) not reported.
                                  Fault runs count a failed call that was
                                  not accepted as refused, not lost. */
} rb_client;

struct rb_transport {
    const char *name;          /* as on the command line: "tcp", "amqp", ... */
    const char *description;   /* one line for `rpcbench list` */
    const char *default_endpoint; /* "127.0.0.1:7301", or NULL for broker ones;
                                  rb_endpoint_or_default() applies it */
    const struct rb_broker *broker; /* the broker requests go through (the
                                  server then takes a queue, not a listen
                                  address), RB_BROKER_NONE for direct */
    int order;                 /* display order in tables and plots, ascending
                                  (10 tcp ... 80 rest); ties by name */
    int is_floor;              /* 1: the baseline every other transport's
                                  ratio is taken to (exactly one per build) */
    const char *wire;          /* what is on the wire, one phrase:
                                  "HTTP/1.1 + JSON" */
    rb_transport_props props;  /* the properties the numbers do not show */
    rb_package packages[RB_MAX_PACKAGES]; /* libraries for the manifest,
                                  ended by {NULL, NULL} or the array's end */

    /* Optional. Once per process, before any other call of this table.
     * Returns RB_OK or an error. */
    int (*init)(void);

    /* Runtime version of the stack's libraries, e.g. "rabbitmq-c 0.11.0";
     * a static or internal string. */
    const char *(*version)(void);

    /* Connect. On success *out is a new client the caller releases with
     * rb_close(). On failure returns RB_ECONNECT (or another code), sets
     * *out = NULL and writes the reason to errbuf[0..errlen). */
    int (*connect)(const rb_client_opts *o, rb_client **out, char *errbuf, size_t errlen);

    /* fib(n): *result = F(n). n is sent as given (even outside 0..92), so a
     * server's "invalid argument" can be tested. */
    int (*fib)(rb_client *c, int64_t n, int64_t *result);

    /* getObj(): out is cleared and filled with the reply. */
    int (*get_obj)(rb_client *c, rb_obj *out);

    /* sendObj(obj): *count = the server's acknowledged entry count. */
    int (*send_obj)(rb_client *c, const rb_obj *obj, int64_t *count);

    /* Close the connection and free the client. */
    void (*close)(rb_client *c);

    /* Run a server in this process until rb_serve_stop is set (SIGINT or
     * SIGTERM), then release everything and return RB_OK; or return an error
     * at once when it cannot start, with the reason printed to stderr:
     * RB_EINVAL (bad address), RB_ELISTEN (cannot bind or listen: address
     * in use, not local), RB_ECONNECT (broker unreachable), RB_ENOMEM. Prints "ready <endpoint>" on stdout
     * when it accepts calls. */
    int (*serve)(const rb_server_opts *o);
};

/* Set by the serve command's SIGINT/SIGTERM handler. Servers check it at
 * least every 100 ms and then shut down cleanly. */
extern volatile sig_atomic_t rb_serve_stop;

/* The registry: every transport built in, NULL-terminated. */
extern const rb_transport *const rb_transports[];

/* The transport named `name`, or NULL. */
const rb_transport *rb_transport_find(const char *name);

/* Wrappers: call these, not the table. Each clears c->err/errstr and the body
 * byte counts before the call and stores the result code in c->err. A reply
 * that arrives later than c->timeout_ms after the call began is turned into
 * RB_ETIMEDOUT (and counted in c->stale_replies): a late reply is never a
 * success, whatever the stack's own deadline did. rb_connect runs the
 * table's init first (once per process): a failed init is its error. */
int rb_connect(const rb_transport *t, const rb_client_opts *o, rb_client **out,
               char *errbuf, size_t errlen);
int rb_call_fib(rb_client *c, int64_t n, int64_t *result);
int rb_call_get_obj(rb_client *c, rb_obj *out);
int rb_call_send_obj(rb_client *c, const rb_obj *obj, int64_t *count);
/* Close and free; accepts NULL and sets *c to NULL. */
void rb_close(rb_client **c);

/* For transports: record an error on c with a printf-style detail; returns
 * err, so `return rb_client_fail(c, RB_EPROTO, "bad reply: %s", why);`. */
int rb_client_fail(rb_client *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Split "HOST:PORT" (or "[V6]:PORT") into host (brackets removed) and port.
 * Port 0 is accepted: for a server it means "an ephemeral port". Returns
 * RB_OK or RB_EINVAL when there is no port or it is outside 0..65535. */
int rb_parse_hostport(const char *s, char *host, size_t hostlen, int *port);

/* o->endpoint, or t->default_endpoint when o->endpoint is NULL or "". */
const char *rb_endpoint_or_default(const rb_transport *t, const char *endpoint);

/* The ready line every server prints once it accepts calls:
 * "ready HOST:PORT\n" on stdout (IPv6 hosts in brackets: "ready [::1]:7301"),
 * flushed. host without brackets; port the bound port (1..65535). */
void rb_serve_ready(const char *host, int port);

/* The same for a server bound to socket fd: reads the address with
 * getsockname(). Returns RB_OK or RB_EIO (fd not a bound inet socket). */
int rb_serve_ready_fd(int fd);

/* The same for a broker transport: "ready QUEUE\n". */
void rb_serve_ready_queue(const char *queue);

/* Milliseconds left until deadline_ns (CLOCK_MONOTONIC); 0 when passed. */
int rb_ms_left(uint64_t deadline_ns);

/* CLOCK_MONOTONIC now, ns. */
uint64_t rb_now_ns(void);

#endif
