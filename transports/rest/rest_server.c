/* rest_server.c - the rest transport's server on libmicrohttpd.
 *
 * Design: one MHD daemon with its own polling thread on epoll
 * (MHD_USE_EPOLL_INTERNAL_THREAD); --threads N > 1 makes it a pool of N
 * such threads (MHD_OPTION_THREAD_POOL_SIZE), each with its own epoll set.
 * Requests are small and handled inline, so one event loop serves every
 * connection without a thread per connection: 1,000 idle or slowloris
 * connections cost 1,000 sockets and a little memory, not 1,000 threads,
 * and cannot stall a good client. Connections are bounded
 * (REST_MAX_CONNECTIONS, or what RLIMIT_NOFILE allows) and each is closed
 * after REST_IDLE_TIMEOUT_S seconds without traffic. Headers are bounded
 * by MHD's per-connection memory pool (32 KiB: larger ones get 431).
 *
 * A request: the first call of the access handler (headers in) checks the
 * HTTP method, the path and Content-Length; a declared body over
 * max_request is answered 413 at once (MHD then closes the connection,
 * as the body is left unread). Body bytes are gathered up to max_request;
 * a chunked body that grows past it is read on and thrown away, then
 * answered 413 on the same keep-alive connection. The last call decodes,
 * executes (rb_service_work once) and queues the reply.
 *
 * The listen socket is ours (getaddrinfo + bind), handed to MHD, so a bind
 * failure is reported with its errno and port 0 gives an ephemeral port.
 */
#include "rest.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#define REST_MAX_CONNECTIONS 4096  /* open connections at most */
#define REST_IDLE_TIMEOUT_S 30     /* a connection idle this long is closed, s */

typedef struct rest_server {
    const rb_server_opts *opts;
    struct MHD_Response *get_obj;  /* getObj's reply, built once, reused */
} rest_server;

/* One request's state, from its headers to its reply. */
typedef struct rest_req {
    int method;             /* rb_method, or -1 */
    int status;             /* an error already decided (HTTP status), or 0 */
    const char *code;       /* its error code name */
    char why[256];          /* its message */
    rb_buf body;       /* the request body so far */
} rest_req;

/* Queue a reply of body[0..len) with our content type; copies the body. */
static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status,
                             const char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body,
                                                             MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, RB_REST_CONTENT_TYPE);
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "POST");
    enum MHD_Result ok = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result reply_error(struct MHD_Connection *conn, unsigned status,
                                   const char *code, const char *msg)
{
    rb_buf b = { 0 };
    enum MHD_Result ok = MHD_NO;
    if (rb_rest_error_json(code, msg, &b) == RB_OK)
        ok = reply(conn, status, b.data, b.len);
    rb_buf_free(&b);
    return ok;
}

/* {"result": v} */
static enum MHD_Result reply_int(struct MHD_Connection *conn, int64_t v)
{
    char buf[48];
    int n = snprintf(buf, sizeof buf, "{\"result\":%lld}", (long long)v);
    return reply(conn, MHD_HTTP_OK, buf, (size_t)n);
}

/* The HTTP status of an error code of the service. */
static unsigned status_of(int rc)
{
    switch (rc) {
    case RB_EINVAL: return MHD_HTTP_BAD_REQUEST;
    case RB_ENOMETHOD: return MHD_HTTP_NOT_FOUND;
    case RB_ETOOBIG: return MHD_HTTP_CONTENT_TOO_LARGE;
    default: return MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
}

/* fib: the body is {"n": INTEGER} and nothing else. */
static int do_fib(rest_req *q, int64_t *result)
{
    json_t *j = NULL;
    int rc = rb_rest_parse_object(q->body.data, q->body.len, &j, q->why, sizeof q->why);
    if (rc)
        return rc;
    json_t *n = json_object_get(j, "n");
    rc = RB_EINVAL;
    if (!json_is_object(j) || json_object_size(j) != 1 || !json_is_integer(n))
        snprintf(q->why, sizeof q->why, "fib wants {\"n\": INTEGER}");
    else if ((rc = rb_fib(json_integer_value(n), result)) != RB_OK)
        snprintf(q->why, sizeof q->why, "fib: n=%lld is outside 0..%d",
                 (long long)json_integer_value(n), RB_FIB_MAX);
    json_decref(j);
    return rc;
}

/* getObj: an empty body (or only whitespace), or {}. */
static int check_get_obj(rest_req *q)
{
    size_t i = 0;
    while (i < q->body.len && strchr(" \t\r\n", q->body.data[i]))
        i++;
    if (i == q->body.len)
        return RB_OK;
    json_t *j = NULL;
    int rc = rb_rest_parse_object(q->body.data, q->body.len, &j, q->why, sizeof q->why);
    if (rc == RB_OK && (!json_is_object(j) || json_object_size(j) != 0)) {
        snprintf(q->why, sizeof q->why, "getObj takes no arguments: want an empty body or {}");
        rc = RB_EINVAL;
    }
    json_decref(j);
    return rc;
}

/* sendObj: the body is the object, string -> integer. */
static int do_send_obj(rest_req *q, int64_t *ack)
{
    json_t *j = NULL;
    rb_obj obj = RB_OBJ_INIT;
    int rc = rb_rest_parse_object(q->body.data, q->body.len, &j, q->why, sizeof q->why);
    if (rc == RB_OK)
        rc = rb_json_to_obj(j, &obj, q->why, sizeof q->why);
    json_decref(j);
    if (rc == RB_OK) {
        rb_service_work();
        rc = rb_service_send_obj(&obj, ack);
    }
    rb_obj_free(&obj);
    return rc;
}

/* The whole request is in: decode, execute, reply. */
static enum MHD_Result execute(rest_server *srv, struct MHD_Connection *conn, rest_req *q)
{
    int64_t v = 0;
    int rc;
    switch (q->method) {
    case RB_M_FIB:
        rc = do_fib(q, &v);
        if (rc == RB_OK) {
            rb_service_work();
            return reply_int(conn, v);
        }
        break;
    case RB_M_GET_OBJ:
        rc = check_get_obj(q);
        if (rc == RB_OK) {
            rb_service_work();
            return MHD_queue_response(conn, MHD_HTTP_OK, srv->get_obj);
        }
        break;
    default:
        rc = do_send_obj(q, &v);
        if (rc == RB_OK)
            return reply_int(conn, v);
        break;
    }
    if (!q->why[0])
        snprintf(q->why, sizeof q->why, "%s", rb_strerror(rc));
    return reply_error(conn, status_of(rc), rb_err_name(rc), q->why);
}

/* Headers are in: allocate the request's state and decide what can be
 * decided before the body (method, path, declared length). */
static enum MHD_Result begin(rest_server *srv, struct MHD_Connection *conn,
                             const char *url, const char *method, void **con_cls)
{
    rest_req *q = calloc(1, sizeof *q);
    if (!q)
        return MHD_NO;
    *con_cls = q;
    q->method = url[0] == '/' ? rb_method_from_name(url + 1, strlen(url + 1)) : -1;
    if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
        q->status = MHD_HTTP_METHOD_NOT_ALLOWED;
        q->code = "EPROTO";
        snprintf(q->why, sizeof q->why, "%.16s is not allowed: every method is a POST", method);
    } else if (q->method < 0) {
        q->status = MHD_HTTP_NOT_FOUND;
        q->code = rb_err_name(RB_ENOMETHOD);
        snprintf(q->why, sizeof q->why, "unknown method: no POST %.100s (want /fib, /getObj, /sendObj)", url);
    }
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        unsigned long long declared = strtoull(cl, NULL, 10);
        if (declared > srv->opts->max_request) {
            snprintf(q->why, sizeof q->why, "request body of %llu bytes is over the limit of %zu bytes",
                     declared, srv->opts->max_request);
            return reply_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, rb_err_name(RB_ETOOBIG), q->why);
        }
    }
    return MHD_YES;
}

/* Body bytes: keep them while under the limit; past it, drop them. */
static void take(rest_server *srv, rest_req *q, const char *data, size_t n)
{
    if (q->status)
        return;
    size_t limit = srv->opts->max_request;
    if (n > limit - q->body.len) {      /* body.len <= limit always */
        q->status = MHD_HTTP_CONTENT_TOO_LARGE;
        q->code = rb_err_name(RB_ETOOBIG);
        snprintf(q->why, sizeof q->why, "request body is over the limit of %zu bytes", limit);
        rb_buf_free(&q->body);
        return;
    }
    if (rb_buf_append(&q->body, data, n) != RB_OK) {
        q->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
        q->code = rb_err_name(RB_ENOMEM);
        snprintf(q->why, sizeof q->why, "out of memory for a body of %zu bytes", q->body.len + n);
        rb_buf_free(&q->body);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    rest_server *srv = cls;
    rest_req *q = *con_cls;
    if (!q)
        return begin(srv, conn, url, method, con_cls);
    if (*upload_data_size) {
        take(srv, q, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (q->status)
        return reply_error(conn, (unsigned)q->status, q->code, q->why);
    return execute(srv, conn, q);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    rest_req *q = *con_cls;
    if (q) {
        rb_buf_free(&q->body);
        free(q);
        *con_cls = NULL;
    }
}

/* Bind and listen on host:port; returns the socket or -1 (reason printed). */
static int listen_on(const char *ep)
{
    char host[256], portstr[8];
    int port;
    if (rb_parse_hostport(ep, host, sizeof host, &port) != RB_OK) {
        fprintf(stderr, "rest: bad listen address '%s': want HOST:PORT\n", ep);
        return -1;
    }
    snprintf(portstr, sizeof portstr, "%d", port);
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE }, *ai = NULL;
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai) {
        fprintf(stderr, "rest: %s: %s\n", host, gai_strerror(gai));
        return -1;
    }
    int one = 1, fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1024)) {
        fprintf(stderr, "rest: cannot listen on %s: %s\n", ep, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

/* Connections MHD may hold: REST_MAX_CONNECTIONS, fewer when the process's
 * file limit is lower (64 descriptors kept for everything else). */
static unsigned max_connections(void)
{
    struct rlimit rl;
    unsigned n = REST_MAX_CONNECTIONS;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)n + 64)
        n = rl.rlim_cur > 128 ? (unsigned)(rl.rlim_cur - 64) : 64;
    return n;
}

static struct MHD_Response *build_get_obj(size_t entries)
{
    rb_obj obj = RB_OBJ_INIT;
    rb_buf b = { 0 };
    struct MHD_Response *r = NULL;
    if (rb_service_get_obj(entries, &obj) == RB_OK && rb_rest_obj_to_json(&obj, 1, &b) == RB_OK)
        r = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_FREE);
    if (r) {
        b.data = NULL;                  /* MHD owns it now */
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, RB_REST_CONTENT_TYPE);
    }
    rb_buf_free(&b);
    rb_obj_free(&obj);
    return r;
}

int rb_rest_serve(const rb_server_opts *o)
{
    rest_server srv = { .opts = o };
    struct MHD_Daemon *d = NULL;
    int rc = RB_OK;
    const char *ep = rb_endpoint_or_default(&rb_transport_rest, o->listen);
    int fd = listen_on(ep);
    if (fd < 0)
        return RB_ELISTEN;
    srv.get_obj = build_get_obj(o->entries);
    if (!srv.get_obj) {
        fprintf(stderr, "rest: no memory for getObj's reply of %zu entries\n", o->entries);
        rc = RB_ENOMEM;
        goto done;
    }
    unsigned threads = o->threads > 1 ? (unsigned)o->threads : 1;
    d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, 0, NULL, NULL, on_request, &srv,
                         MHD_OPTION_LISTEN_SOCKET, fd,
                         MHD_OPTION_THREAD_POOL_SIZE, threads,
                         MHD_OPTION_CONNECTION_LIMIT, max_connections(),
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)REST_IDLE_TIMEOUT_S,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                         MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "rest: libmicrohttpd could not start on %s\n", ep);
        rc = RB_EIO;
        goto done;
    }
    fd = -1;                            /* MHD closes it on stop */
    rb_serve_ready_fd(MHD_get_daemon_info(d, MHD_DAEMON_INFO_LISTEN_FD)->listen_fd);
    const struct timespec tick = { .tv_nsec = 20 * 1000000L };
    while (!rb_serve_stop)
        nanosleep(&tick, NULL);
done:
    if (d)
        MHD_stop_daemon(d);
    if (fd >= 0)
        close(fd);
    if (srv.get_obj)
        MHD_destroy_response(srv.get_obj);
    return rc;
}
