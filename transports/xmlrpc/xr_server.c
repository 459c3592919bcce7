/* xr_server.c - `rpcbench serve xmlrpc`: xmlrpc-c's Abyss HTTP server with
 * the methods fib, getObj, sendObj (xr_methods.c) and the library's system.*
 * introspection.
 *
 * Abyss (1.33) serves each connection in its own thread, up to XR_MAX_CONN
 * at once, so concurrent clients do not queue behind one connection. We bind
 * the listening socket ourselves (so "--listen 127.0.0.1:0" works and we can
 * print the real port) and build the Abyss server from it. Keep-alive is on
 * with a per-connection request cap far above Abyss's default of 30.
 * rb_server_opts.threads is not used: Abyss runs one thread per connection.
 * Cost notes (the library's, measured, not ours to fix): Abyss sends every
 * response header line with its own send() (9 per answer); xmlrpc-c's
 * struct looks members up linearly, so building a struct of n members is
 * O(n^2) at both ends (getObj/sendObj time grows faster than n).
 *
 * Guards in front of xmlrpc-c, each found by feeding it hostile input:
 *  - rb_xr_screen_lim() (xr_screen.c) looks at every request before
 *    xmlrpc-c parses it: UTF-8 only, no DOCTYPE, valid <i8>, bounded
 *    nesting, at most RB_MAX_ELEMENTS elements and RB_XR_MAX_MEMBERS struct
 *    members (what decoding allocates, and the CPU of xmlrpc-c's quadratic
 *    struct build).
 *  - Decoding is budgeted: requests of XR_GATE_ELEMENTS elements or more
 *    take their element count from a budget of XR_DECODE_BUDGET elements
 *    for the time they are decoded, executed and answered (others wait for
 *    their turn), and after one of XR_TRIM_ELEMENTS or more the heap is
 *    trimmed (malloc_trim): four maximal requests at once cost about two
 *    requests' memory, and it is given back. The requests the harness
 *    sends (up to 10,000 entries, 40,000 elements) never wait for long.
 *  - body_handler() answers a body over the request limit with an
 *    XML-RPC fault after reading it, and reads the body of any request
 *    xmlrpc-c will not read (another path: Abyss's 404) before it is
 *    answered: an answer on a connection closed with the body unread is
 *    lost to a reset (see body_handler).
 *  - xr_conns.c sheds idle and slow connections when the slots run short.
 *
 * Shutdown: a watcher thread polls rb_serve_stop every 20 ms, shuts down
 * the accepted connections and calls ServerTerminate(), which interrupts the
 * accept; ServerRun() then waits for its connection threads, and whenever
 * one is still busy at its look it sleeps 2 s (usleep) before looking again.
 * The watcher cuts those sleeps short with a signal (XR_WAKE_SIG, empty
 * handler) every 10 ms until ServerRun() has returned. The same signal wakes
 * Abyss's accept loop from its 2 s sleep when a sweep has freed slots.
 */
#include "xr_int.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <xmlrpc-c/server.h>
#include <xmlrpc-c/server_abyss.h>

extern const rb_transport rb_transport_xmlrpc;

/* Requests per keep-alive connection: effectively unlimited (Abyss: 30). */
#define XR_KEEPALIVE_MAX 1000000000u
/* Idle keep-alive connection lifetime and request read timeout, seconds
 * (each read; xr_conns.c sheds idle connections sooner when slots run
 * short). */
#define XR_KEEPALIVE_TIMEOUT 30u
#define XR_READ_TIMEOUT 10u
/* A body over the limit is read and dropped up to this size, so the fault
 * reaches the client; beyond it the connection is closed unread. */
#define XR_DRAIN_MAX ((uint64_t)1 << 30)
/* Stack of an Abyss connection thread, bytes: xmlrpc-c parses recursively;
 * the screen bounds the depth, this leaves a wide margin. */
#define XR_STACK (1024u * 1024u)
/* The decoding budget (see above). xmlrpc-c 1.33 costs about 430 bytes
 * and 5-10 us per XML element, so the budget bounds decoding to ~115 MiB. */
#define XR_GATE_ELEMENTS 1024u
#define XR_DECODE_BUDGET (2u * RB_XR_MAX_ELEMENTS)
#define XR_TRIM_ELEMENTS 16384u

/* Wakes the thread in ServerRun() from Abyss's 2 s sleeps. */
#define XR_WAKE_SIG (SIGRTMIN + 8)

typedef struct xr_server {
    rb_obj get_obj;            /* getObj's reply, built once, read-only */
    xmlrpc_registry *reg;
    size_t max_request;        /* request body limit, bytes */
    TServer abyss;
    int have_abyss;
    TChanSwitch *chansw;
    int listen_fd;
    xr_conns *conns;           /* idle/slow connection shedding */
    pthread_mutex_t gate_mu;   /* the decoding budget: */
    pthread_cond_t gate_cv;
    size_t decoding;           /* elements being decoded now, under gate_mu */
    pthread_t runner;          /* the thread in ServerRun() */
    pthread_t watcher;
    int have_watcher;
    atomic_int done;           /* ServerRun returned: watcher may exit */
} xr_server;

/* Answer with the fault (code, why) as the response to a request. */
static void fault_reply(xmlrpc_env *env, int code, const char *why, xmlrpc_mem_block **out)
{
    xmlrpc_env fault;
    xmlrpc_env_init(&fault);
    xmlrpc_env_set_fault(&fault, code, why);
    *out = xmlrpc_mem_block_new(env, 0);
    if (!env->fault_occurred)
        xmlrpc_serialize_fault(env, *out, &fault);
    xmlrpc_env_clean(&fault);
}

/* Take need elements from the decoding budget (0: nothing), waiting while
 * others hold it; a request is never refused for its turn. */
static void gate_enter(xr_server *srv, size_t need)
{
    if (!need)
        return;
    pthread_mutex_lock(&srv->gate_mu);
    while (srv->decoding > 0 && srv->decoding + need > XR_DECODE_BUDGET)
        pthread_cond_wait(&srv->gate_cv, &srv->gate_mu);
    srv->decoding += need;
    pthread_mutex_unlock(&srv->gate_mu);
}

static void gate_leave(xr_server *srv, size_t need)
{
    if (!need)
        return;
    pthread_mutex_lock(&srv->gate_mu);
    srv->decoding -= need;
    pthread_cond_broadcast(&srv->gate_cv);
    pthread_mutex_unlock(&srv->gate_mu);
}

/* xmlrpc-c's Abyss handler calls this with each request body: screen it,
 * then parse, execute and encode the reply (big requests one at a time). */
static void process_xml(xmlrpc_env *env, void *arg, const char *xml, size_t len,
                        TSession *session, xmlrpc_mem_block **out)
{
    xr_server *srv = arg;
    char why[128];
    size_t elements = 0;
    int code = rb_xr_screen_lim(xml, len, &rb_xr_request_limits, &elements, why, sizeof why);
    if (code != 0) {
        fault_reply(env, code, why, out);
        return;
    }
    xr_conns_note(srv->conns, session, XR_NOTE_BUSY);
    size_t need = elements >= XR_GATE_ELEMENTS ? elements : 0;
    gate_enter(srv, need);
    xmlrpc_registry_process_call2(env, srv->reg, xml, len, session, out);
    gate_leave(srv, need);
    /* Give a large request's memory back to the system: glibc keeps what
     * the connection threads' arenas freed otherwise. */
    if (elements >= XR_TRIM_ELEMENTS)
        malloc_trim(0);
    xr_conns_note(srv->conns, session, XR_NOTE_DONE);
}

/* Write the fault as a whole HTTP response (status 200, as XML-RPC wants). */
static void send_fault(TSession *session, int code, const char *why)
{
    xmlrpc_env env;
    xmlrpc_mem_block *out = NULL;
    xmlrpc_env_init(&env);
    fault_reply(&env, code, why, &out);
    if (env.fault_occurred) {
        ResponseStatus(session, 500);
        ResponseError2(session, "cannot build the fault");
    } else {
        ResponseStatus(session, 200);
        ResponseContentType(session, "text/xml; charset=utf-8");
        ResponseContentLength(session, xmlrpc_mem_block_size(out));
        ResponseWriteStart(session);
        ResponseWriteBody(session, xmlrpc_mem_block_contents(out),
                          (xmlrpc_uint32_t)xmlrpc_mem_block_size(out));
        ResponseWriteEnd(session);
    }
    if (out)
        xmlrpc_mem_block_free(out);
    xmlrpc_env_clean(&env);
}

/* Read and drop n bytes of the session's request body (Abyss's read
 * timeout bounds each wait). 1 when all were read, 0 when the connection
 * ended or timed out first. */
static int drain_body(TSession *session, uint64_t n)
{
    uint64_t got = 0;
    while (got < n) {
        const char *p;
        size_t chunk;
        SessionGetReadData(session, (size_t)(n - got), &p, &chunk);
        got += chunk;
        if (got < n && !SessionRefillBuffer(session))
            return 0;
    }
    return 1;
}

/* 1 when xmlrpc-c's handler may read the request's body: a POST to
 * RB_XR_PATH whose Content-Type starts with text/xml (a superset of what
 * it accepts, so a body it would read is never taken from it). */
static int xmlrpc_reads_body(TSession *session, const TRequestInfo *ri)
{
    const char *ct = RequestHeaderValue(session, "content-type");
    return ri->method == m_post && ri->uri && strcmp(ri->uri, RB_XR_PATH) == 0 && ct &&
           strncasecmp(ct, "text/xml", 8) == 0;
}

/* Runs before xmlrpc-c's handler, for every request once its header is in:
 * notes the header for xr_conns.c; a POST whose Content-Length is over the
 * request limit gets an XML-RPC fault RB_XR_FAULT_TOOBIG after its body is
 * read; and the body of a request that xmlrpc-c's handler will not read
 * (another path or method: Abyss's 404, xmlrpc-c's 405) is read and
 * dropped before that handler answers it.
 * Why read what is refused: an answer given with the body unread, on a
 * connection Abyss then closes, reaches the client only when the body had
 * already been read from the socket. When part of it is still in the
 * kernel's receive queue at close(), the kernel aborts the connection with
 * a reset (TcpExtTCPAbortOnClose) and drops what of the answer it had not
 * yet sent; the client reads "connection reset" instead of the answer. A
 * client that sends the header and the body in two writes (Python's
 * http.client) meets that now and then. */
static void body_handler(void *arg, TSession *session, abyss_bool *handled)
{
    const xr_server *srv = arg;
    const TRequestInfo *ri;
    char *end;
    *handled = FALSE;
    xr_conns_note(srv->conns, session, XR_NOTE_HEADER);
    SessionGetRequestInfo(session, &ri);
    const char *cl = RequestHeaderValue(session, "content-length");
    if (!cl)
        return;
    unsigned long long n = strtoull(cl, &end, 10);
    if (end == cl || *end)
        return;
    if (n <= srv->max_request) {
        if (n > 0 && !xmlrpc_reads_body(session, ri))
            drain_body(session, n);   /* then the next handler answers */
        return;
    }
    if (ri->method != m_post)
        return;   /* over the limit and not a call: answered, not read */
    *handled = TRUE;
    if (n > XR_DRAIN_MAX || !drain_body(session, n)) {
        ResponseStatus(session, 413);
        ResponseError2(session, "request body over the limit");
        return;
    }
    char why[128];
    snprintf(why, sizeof why, "request of %llu bytes is over the limit of %zu bytes", n,
             srv->max_request);
    send_fault(session, RB_XR_FAULT_TOOBIG, why);
}

static void on_wake(int sig)
{
    (void)sig;
}

/* The watcher: sweeps the connections every XR_SWEEP_MS (waking Abyss's
 * accept loop when slots were freed) and stops the server on rb_serve_stop. */
static void *watch_stop(void *arg)
{
    xr_server *srv = arg;
    unsigned ms = 0;
    while (!rb_serve_stop && !atomic_load(&srv->done)) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        if ((ms += 20) >= XR_SWEEP_MS) {
            ms = 0;
            if (xr_conns_sweep(srv->conns) > 0)
                pthread_kill(srv->runner, XR_WAKE_SIG);
        }
    }
    if (!atomic_load(&srv->done)) {
        struct timespec settle = { 0, 10 * 1000 * 1000 };
        xr_conns_shutdown_all(srv->conns);
        nanosleep(&settle, NULL);
        xr_conns_shutdown_all(srv->conns);
        ServerTerminate(&srv->abyss);
        while (!atomic_load(&srv->done)) {
            struct timespec tick = { 0, 10 * 1000 * 1000 };
            xr_conns_shutdown_all(srv->conns);
            pthread_kill(srv->runner, XR_WAKE_SIG);
            nanosleep(&tick, NULL);
        }
    }
    return NULL;
}

/* Bind a TCP socket to ep ("HOST:PORT", port 0: ephemeral); returns the fd
 * or -1 (reason on stderr: a bad address, or why it cannot listen). */
static int bind_listen(const char *ep)
{
    char host[256], port[8];
    int p, fd = -1, one = 1;
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *ai = NULL;
    if (rb_parse_hostport(ep, host, sizeof host, &p) != RB_OK || host[0] == '\0') {
        fprintf(stderr, "xmlrpc: bad listen address '%s': want HOST:PORT\n", ep);
        return -1;
    }
    snprintf(port, sizeof port, "%d", p);
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai) {
        fprintf(stderr, "xmlrpc: cannot listen on %s: %s\n", ep, gai_strerror(gai));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, (int)XR_BACKLOG) != 0)
        goto fail;
    freeaddrinfo(ai);
    return fd;
fail:
    fprintf(stderr, "xmlrpc: cannot listen on %s: %s\n", ep, strerror(errno));
    if (fd >= 0)
        close(fd);
    freeaddrinfo(ai);
    return -1;
}

/* The Abyss server on srv->listen_fd with our limits and handlers. */
static int build_abyss(xr_server *srv, xmlrpc_env *env)
{
    const char *aerr = NULL;
    abyss_bool ok = FALSE;
    ChanSwitchUnixCreateFd(srv->listen_fd, &srv->chansw, &aerr);
    if (!aerr)
        ServerCreateSwitch(&srv->abyss, srv->chansw, &aerr);
    if (aerr) {
        fprintf(stderr, "xmlrpc: cannot create the Abyss server: %s\n", aerr);
        free((void *)aerr);
        return RB_EIO;
    }
    srv->have_abyss = 1;
    ServerSetKeepaliveTimeout(&srv->abyss, XR_KEEPALIVE_TIMEOUT);
    ServerSetKeepaliveMaxConn(&srv->abyss, XR_KEEPALIVE_MAX);
    ServerSetTimeout(&srv->abyss, XR_READ_TIMEOUT);
    ServerSetMaxConn(&srv->abyss, XR_MAX_CONN);
    ServerSetMaxConnBacklog(&srv->abyss, XR_BACKLOG);

    xmlrpc_server_abyss_handler_parms hp;
    memset(&hp, 0, sizeof hp);
    hp.xml_processor = process_xml;
    hp.xml_processor_arg = srv;
    hp.xml_processor_max_stack = XR_STACK;
    hp.uri_path = RB_XR_PATH;
    hp.chunk_response = 0;
    xmlrpc_server_abyss_set_handler3(env, &srv->abyss, &hp, XMLRPC_AHPSIZE(chunk_response));
    /* Abyss runs the handler added last first: the size check goes first. */
    const struct ServerReqHandler3 size_check = {
        .term = NULL, .handleReq = body_handler, .userdata = srv,
        .handleReqStackSize = 0,
    };
    if (!env->fault_occurred)
        ServerAddHandler3(&srv->abyss, &size_check, &ok);
    if (env->fault_occurred || !ok) {
        fprintf(stderr, "xmlrpc: cannot install the request handlers\n");
        return RB_ENOMEM;
    }
    /* Anything but POST /RPC2: 404, never Abyss's built-in file server. */
    xmlrpc_server_abyss_set_default_handler(&srv->abyss);
    ServerInit2(&srv->abyss, &aerr);
    if (aerr) {
        fprintf(stderr, "xmlrpc: cannot listen: %s\n", aerr);
        free((void *)aerr);
        return RB_ELISTEN;
    }
    return RB_OK;
}

/* Everything up to a server ready to run: the getObj reply, the socket,
 * the limits, the registry, Abyss, the connection tracker. */
static int setup(xr_server *srv, const rb_server_opts *o, xmlrpc_env *env)
{
    const char *ep = rb_endpoint_or_default(&rb_transport_xmlrpc, o->listen);
    int rc = rb_service_get_obj(o->entries, &srv->get_obj);
    if (rc != RB_OK)
        return rc;
    srv->listen_fd = bind_listen(ep);
    if (srv->listen_fd < 0)
        return RB_ELISTEN;
    /* Process-wide limits of xmlrpc-c: the request size (a larger body
     * never reaches the parser) and the nesting of values. */
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, srv->max_request);
    xmlrpc_limit_set(XMLRPC_NESTING_LIMIT_ID, RB_XR_MAX_NESTING);
    rc = rb_xr_registry_new(env, &srv->get_obj, &srv->reg);
    if (rc == RB_OK)
        rc = build_abyss(srv, env);
    if (rc == RB_OK)
        rc = xr_conns_new(&srv->conns, srv->listen_fd);
    return rc;
}

static void teardown(xr_server *srv)
{
    if (srv->have_watcher) {
        atomic_store(&srv->done, 1);
        pthread_join(srv->watcher, NULL);
    }
    if (srv->have_abyss)
        ServerFree(&srv->abyss);
    if (srv->chansw)
        ChanSwitchDestroy(srv->chansw);
    if (srv->reg)
        xmlrpc_registry_free(srv->reg);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    xr_conns_destroy(&srv->conns);
    pthread_mutex_destroy(&srv->gate_mu);
    pthread_cond_destroy(&srv->gate_cv);
    rb_obj_free(&srv->get_obj);
}

int rb_xr_serve(const rb_server_opts *o)
{
    xr_server srv = { .get_obj = RB_OBJ_INIT, .listen_fd = -1 };
    xmlrpc_env env;
    int rc;
    atomic_init(&srv.done, 0);
    pthread_mutex_init(&srv.gate_mu, NULL);
    pthread_cond_init(&srv.gate_cv, NULL);
    xmlrpc_env_init(&env);
    srv.max_request = o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST;

    /* A client that hangs up while we write must not kill the server. */
    signal(SIGPIPE, SIG_IGN);
    struct sigaction wake;
    memset(&wake, 0, sizeof wake);
    wake.sa_handler = on_wake;  /* no SA_RESTART: the sleep must end */
    sigemptyset(&wake.sa_mask);
    sigaction(XR_WAKE_SIG, &wake, NULL);
    srv.runner = pthread_self();

    xmlrpc_server_abyss_global_init(&env);
    if (env.fault_occurred) {
        fprintf(stderr, "xmlrpc: Abyss global init: %s\n", env.fault_string);
        xmlrpc_env_clean(&env);
        return RB_EIO;
    }
    rc = setup(&srv, o, &env);
    if (rc == RB_OK && pthread_create(&srv.watcher, NULL, watch_stop, &srv) != 0) {
        fprintf(stderr, "xmlrpc: cannot start the stop watcher\n");
        rc = RB_ENOMEM;
    }
    if (rc == RB_OK) {
        srv.have_watcher = 1;
        rb_serve_ready_fd(srv.listen_fd);
        ServerRun(&srv.abyss);
    }
    teardown(&srv);
    xmlrpc_server_abyss_global_term();
    xmlrpc_env_clean(&env);
    return rc;
}
