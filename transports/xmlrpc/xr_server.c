/* xr_server.c - `rpcbench serve xmlrpc`: xmlrpc-c's Abyss HTTP server with
 * the methods fib, getObj, sendObj and the library's system.* introspection.
 *
 * Abyss (1.33) serves each connection in its own thread, up to max_conn at
 * once, so concurrent clients do not queue behind one connection. We bind
 * the listening socket ourselves (so "--listen 127.0.0.1:0" works and we can
 * print the real port) and build the Abyss server from it. Keep-alive is on
 * with a per-connection request cap far above Abyss's default of 30.
 * rb_server_opts.threads is not used: Abyss runs one thread per connection
 * (up to XR_MAX_CONN), which is what makes concurrent clients scale.
 * Cost notes (the library's, measured, not ours to fix): Abyss sends every
 * response header line with its own send() (9 per answer); xmlrpc-c's
 * struct looks members up linearly, so building a struct of n members is
 * O(n^2) at both ends (getObj/sendObj time grows faster than n).
 *
 * Two guards in front of xmlrpc-c, both found by feeding it bad input:
 *  - rb_xr_screen() looks at every request before xmlrpc-c parses it.
 *    xmlrpc-c 1.33 crashes (SIGSEGV in the fault message of its <i8>
 *    parser) on any <i8> that is not a valid 64-bit integer ("abc",
 *    "1 2", 9223372036854775808), and overflows its thread stack on XML
 *    nested ~100,000 elements deep; the screen answers those with a fault.
 *    It also refuses DOCTYPE (entity expansion).
 *  - oversize_handler() answers a body over the request limit with an
 *    XML-RPC fault after reading it, so the client gets the answer; Abyss's
 *    own answer closes the connection with the body unread, and the
 *    client's kernel then reports a reset instead of the answer.
 *
 * Shutdown: a watcher thread polls rb_serve_stop every 20 ms, shuts down
 * the accepted connections and calls ServerTerminate(), which interrupts the
 * accept; ServerRun() then waits for its connection threads, and whenever
 * one is still busy at its look it sleeps 2 s (usleep) before looking again.
 * The watcher cuts those sleeps short with a signal (XR_WAKE_SIG, empty
 * handler) every 10 ms until ServerRun() has returned.
 */
#include "xr.h"

#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xmlrpc-c/abyss.h>
#include <xmlrpc-c/server.h>
#include <xmlrpc-c/server_abyss.h>

/* Connections served at once (one Abyss thread each) and the listen backlog:
 * far above any concurrency the harness uses. */
#define XR_MAX_CONN 512u
#define XR_BACKLOG 512u
/* Requests per keep-alive connection: effectively unlimited (Abyss: 30). */
#define XR_KEEPALIVE_MAX 1000000000u
/* Idle keep-alive connection lifetime and request read timeout, seconds. */
#define XR_KEEPALIVE_TIMEOUT 60u
#define XR_READ_TIMEOUT 15u
/* A body over the limit is read and dropped up to this size, so the fault
 * reaches the client; beyond it the connection is closed unread. */
#define XR_DRAIN_MAX ((uint64_t)1 << 30)
/* Stack of an Abyss connection thread, bytes: xmlrpc-c parses recursively;
 * the screen bounds the depth, this leaves a wide margin. */
#define XR_STACK (1024u * 1024u)

/* Wakes the thread in ServerRun() from Abyss's 2 s sleeps at shutdown. */
#define XR_WAKE_SIG (SIGRTMIN + 8)

typedef struct xr_server {
    rb_obj get_obj;            /* getObj's reply, built once, read-only */
    xmlrpc_registry *reg;
    size_t max_request;        /* request body limit, bytes */
    TServer abyss;
    int have_abyss;
    int listen_fd;
    pthread_t runner;          /* the thread in ServerRun() */
    atomic_int done;           /* ServerRun returned: watcher may exit */
} xr_server;

int rb_xr_read_int(xmlrpc_value *v, int64_t *out)
{
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    int ok = 0;
    switch (xmlrpc_value_type(v)) {
    case XMLRPC_TYPE_INT: {
        int i;
        xmlrpc_read_int(&env, v, &i);
        *out = i;
        ok = !env.fault_occurred;
        break;
    }
    case XMLRPC_TYPE_I8: {
        xmlrpc_int64 i;
        xmlrpc_read_i8(&env, v, &i);
        *out = i;
        ok = !env.fault_occurred;
        break;
    }
    default:
        break;
    }
    xmlrpc_env_clean(&env);
    return ok;
}

xmlrpc_value *rb_xr_int_new(xmlrpc_env *env, int64_t x)
{
    if (x >= INT32_MIN && x <= INT32_MAX)
        return xmlrpc_int_new(env, (int)x);
    return xmlrpc_i8_new(env, x);
}

/* The params array must hold exactly `want` items. */
static int check_arity(xmlrpc_env *env, xmlrpc_value *params, int want, const char *usage)
{
    int n = xmlrpc_array_size(env, params);
    if (env->fault_occurred)
        return 0;
    if (n != want) {
        xmlrpc_env_set_fault_formatted(env, RB_XR_FAULT_INVALID,
                                       "%s (got %d parameters)", usage, n);
        return 0;
    }
    return 1;
}

static xmlrpc_value *m_fib(xmlrpc_env *env, xmlrpc_value *params, void *srvinfo, void *callinfo)
{
    (void)srvinfo;
    (void)callinfo;
    xmlrpc_value *arg = NULL;
    int64_t n = 0, r = 0;
    if (!check_arity(env, params, 1, "fib(n) takes one integer n, 0..92"))
        return NULL;
    xmlrpc_array_read_item(env, params, 0, &arg);
    if (env->fault_occurred)
        return NULL;
    int ok = rb_xr_read_int(arg, &n);
    xmlrpc_DECREF(arg);
    if (!ok) {
        xmlrpc_env_set_fault(env, RB_XR_FAULT_INVALID,
                             "fib(n): n must be an integer (<int> or <i8>)");
        return NULL;
    }
    if (rb_fib(n, &r) != RB_OK) {
        xmlrpc_env_set_fault_formatted(env, RB_XR_FAULT_INVALID,
                                       "fib(n): n = %lld is outside 0..%d",
                                       (long long)n, RB_FIB_MAX);
        return NULL;
    }
    return xmlrpc_i8_new(env, r);
}

static xmlrpc_value *m_get_obj(xmlrpc_env *env, xmlrpc_value *params, void *srvinfo, void *callinfo)
{
    (void)callinfo;
    const xr_server *srv = srvinfo;
    if (!check_arity(env, params, 0, "getObj() takes no parameters"))
        return NULL;
    xmlrpc_value *s = xmlrpc_struct_new(env);
    for (size_t i = 0; i < srv->get_obj.count && !env->fault_occurred; i++) {
        xmlrpc_value *v = rb_xr_int_new(env, srv->get_obj.entries[i].value);
        if (env->fault_occurred)
            break;
        xmlrpc_struct_set_value_n(env, s, rb_obj_key(&srv->get_obj, i),
                                  srv->get_obj.entries[i].key_len, v);
        xmlrpc_DECREF(v);
    }
    if (env->fault_occurred && s) {
        xmlrpc_DECREF(s);
        s = NULL;
    }
    return s;
}

static xmlrpc_value *m_send_obj(xmlrpc_env *env, xmlrpc_value *params, void *srvinfo, void *callinfo)
{
    (void)srvinfo;
    (void)callinfo;
    xmlrpc_value *s = NULL, *ret = NULL;
    rb_obj obj = RB_OBJ_INIT;
    int64_t ack = 0;
    if (!check_arity(env, params, 1, "sendObj(obj) takes one struct of name -> integer"))
        goto done;
    xmlrpc_array_read_item(env, params, 0, &s);
    if (env->fault_occurred)
        goto done;
    if (xmlrpc_value_type(s) != XMLRPC_TYPE_STRUCT) {
        xmlrpc_env_set_fault(env, RB_XR_FAULT_INVALID,
                             "sendObj(obj): obj must be a struct of name -> integer");
        goto done;
    }
    int n = xmlrpc_struct_size(env, s);
    for (int i = 0; i < n && !env->fault_occurred; i++) {
        xmlrpc_value *k = NULL, *v = NULL;
        const char *key = NULL;
        size_t klen = 0;
        int64_t x = 0;
        xmlrpc_struct_read_member(env, s, (unsigned)i, &k, &v);
        if (!env->fault_occurred)
            xmlrpc_read_string_lp(env, k, &klen, &key);
        if (!env->fault_occurred && !rb_xr_read_int(v, &x))
            xmlrpc_env_set_fault_formatted(env, RB_XR_FAULT_INVALID,
                                           "sendObj(obj): member %d is not an integer", i);
        if (!env->fault_occurred && rb_obj_add(&obj, key, klen, x) != RB_OK)
            xmlrpc_env_set_fault_formatted(env, RB_XR_FAULT_INVALID,
                                           "sendObj(obj): member %d has an invalid name", i);
        free((void *)key);
        if (k)
            xmlrpc_DECREF(k);
        if (v)
            xmlrpc_DECREF(v);
    }
    if (env->fault_occurred)
        goto done;
    rb_service_send_obj(&obj, &ack);
    ret = rb_xr_int_new(env, ack);
done:
    if (s)
        xmlrpc_DECREF(s);
    rb_obj_free(&obj);
    return ret;
}

/* Is s[0..n) a decimal integer that fits int64 ("+"/"-" sign, leading
 * zeros allowed)? */
static int valid_i8(const char *s, size_t n)
{
    size_t k = 0;
    int neg = 0;
    if (k < n && (s[k] == '+' || s[k] == '-'))
        neg = s[k++] == '-';
    if (k == n)
        return 0;
    for (size_t m = k; m < n; m++)
        if (s[m] < '0' || s[m] > '9')
            return 0;
    while (k < n - 1 && s[k] == '0')
        k++;
    if (n - k < 19)
        return 1;
    if (n - k > 19)
        return 0;
    return memcmp(s + k, neg ? "9223372036854775808" : "9223372036854775807", 19) <= 0;
}

/* Skip to just past the terminator `end` (of length elen) at or after i;
 * len when there is none (the parser reports the unterminated construct). */
static size_t skip_past(const char *x, size_t len, size_t i, const char *end, size_t elen)
{
    const char *p = memmem(x + i, len - i, end, elen);
    return p ? (size_t)(p - x) + elen : len;
}

int rb_xr_screen(const char *x, size_t len, char *why, size_t whylen)
{
    size_t i = 0;
    int depth = 0;
    while (i < len) {
        const char *lt = memchr(x + i, '<', len - i);
        if (!lt)
            break;
        i = (size_t)(lt - x);
        size_t rest = len - i;
        if (rest >= 4 && memcmp(lt, "<!--", 4) == 0) {
            i = skip_past(x, len, i + 4, "-->", 3);
            continue;
        }
        if (rest >= 9 && memcmp(lt, "<![CDATA[", 9) == 0) {
            i = skip_past(x, len, i + 9, "]]>", 3);
            continue;
        }
        if (rest >= 2 && lt[1] == '?') {
            i = skip_past(x, len, i + 2, "?>", 2);
            continue;
        }
        if (rest >= 2 && lt[1] == '!') {
            snprintf(why, whylen, "DOCTYPE and entity declarations are not accepted");
            return RB_XR_FAULT_INVALID;
        }
        if (rest >= 2 && lt[1] == '/') {
            depth--;
            i = skip_past(x, len, i + 2, ">", 1);
            continue;
        }
        /* A start tag: its name, then on to its '>' (quotes may hold '>'). */
        size_t j = i + 1, name = j;
        while (j < len && x[j] != '>' && x[j] != '/' && x[j] != ' ' && x[j] != '\t' &&
               x[j] != '\r' && x[j] != '\n')
            j++;
        size_t name_end = j;
        char q = 0;
        for (; j < len; j++) {
            if (q) {
                if (x[j] == q)
                    q = 0;
            } else if (x[j] == '"' || x[j] == '\'') {
                q = x[j];
            } else if (x[j] == '>') {
                break;
            }
        }
        if (j >= len)
            break;
        int empty = x[j - 1] == '/';
        if (!empty && ++depth > RB_XR_MAX_XML_DEPTH) {
            snprintf(why, whylen, "XML nested deeper than %d elements", RB_XR_MAX_XML_DEPTH);
            return RB_XR_FAULT_TOOBIG;
        }
        /* The local name (after any prefix): "i8" or "ex:i8". */
        const char *colon = memrchr(x + name, ':', name_end - name);
        size_t local = colon ? (size_t)(colon - x) + 1 : name;
        if (name_end - local == 2 && memcmp(x + local, "i8", 2) == 0) {
            const char *end = memchr(x + j + 1, '<', len - j - 1);
            size_t clen = end ? (size_t)(end - (x + j + 1)) : 0;
            if (empty || !end || (size_t)(end - x) + 1 >= len || end[1] != '/' ||
                !valid_i8(x + j + 1, clen)) {
                snprintf(why, whylen, "<i8> must hold a decimal 64-bit integer");
                return RB_XR_FAULT_INVALID;
            }
        }
        i = j + 1;
    }
    return 0;
}

/* xmlrpc-c's Abyss handler calls this with each request body. */
static void process_xml(xmlrpc_env *env, void *arg, const char *xml, size_t len,
                        TSession *session, xmlrpc_mem_block **out)
{
    const xr_server *srv = arg;
    char why[128];
    int code = rb_xr_screen(xml, len, why, sizeof why);
    if (code == 0) {
        xmlrpc_registry_process_call2(env, srv->reg, xml, len, session, out);
        return;
    }
    xmlrpc_env fault;
    xmlrpc_env_init(&fault);
    xmlrpc_env_set_fault(&fault, code, why);
    *out = xmlrpc_mem_block_new(env, 0);
    if (!env->fault_occurred)
        xmlrpc_serialize_fault(env, *out, &fault);
    xmlrpc_env_clean(&fault);
}

/* Runs before xmlrpc-c's handler: a POST whose Content-Length is over the
 * request limit gets an XML-RPC fault RB_XR_FAULT_TOOBIG. */
static void oversize_handler(void *arg, TSession *session, abyss_bool *handled)
{
    const xr_server *srv = arg;
    const TRequestInfo *ri;
    char *end;
    *handled = FALSE;
    SessionGetRequestInfo(session, &ri);
    if (ri->method != m_post)
        return;
    const char *cl = RequestHeaderValue(session, "content-length");
    if (!cl)
        return;
    unsigned long long n = strtoull(cl, &end, 10);
    if (end == cl || *end || n <= srv->max_request)
        return;

    /* Read and drop the body (Abyss's read timeout bounds each wait). */
    uint64_t got = 0;
    int drained = n <= XR_DRAIN_MAX;
    while (drained && got < n) {
        const char *p;
        size_t chunk;
        SessionGetReadData(session, (size_t)(n - got), &p, &chunk);
        got += chunk;
        if (got < n && !SessionRefillBuffer(session))
            drained = 0;
    }
    if (!drained) {
        ResponseStatus(session, 413);
        ResponseError2(session, "request body over the limit");
        *handled = TRUE;
        return;
    }

    xmlrpc_env env, fault;
    xmlrpc_mem_block *out = NULL;
    xmlrpc_env_init(&env);
    xmlrpc_env_init(&fault);
    xmlrpc_env_set_fault_formatted(&fault, RB_XR_FAULT_TOOBIG,
                                   "request of %llu bytes is over the limit of %zu bytes",
                                   n, srv->max_request);
    out = xmlrpc_mem_block_new(&env, 0);
    if (!env.fault_occurred)
        xmlrpc_serialize_fault(&env, out, &fault);
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
    xmlrpc_env_clean(&fault);
    xmlrpc_env_clean(&env);
    *handled = TRUE;
}

/* The port of a socket's local address, or -1. */
static int local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

/* Shut down every connection accepted from our listening socket (sockets of
 * this process with our local port, other than the listening one), so the
 * Abyss connection threads waiting on idle keep-alive connections end now.
 * Why: after a terminate, Abyss 1.33 waits for its connection threads and,
 * when one has not finished at its first look, sleeps 2 s before looking
 * again; ending the connections first keeps shutdown within milliseconds. */
static void shutdown_conns(int listen_fd)
{
    int port = local_port(listen_fd);
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    if (port <= 0 || !d) {
        if (d)
            closedir(d);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        struct stat st;
        if (*end || end == e->d_name || fd == listen_fd || fd == dirfd(d))
            continue;
        if (fstat((int)fd, &st) == 0 && S_ISSOCK(st.st_mode) && local_port((int)fd) == port)
            shutdown((int)fd, SHUT_RDWR);
    }
    closedir(d);
}

static void on_wake(int sig)
{
    (void)sig;
}

static void *watch_stop(void *arg)
{
    xr_server *srv = arg;
    while (!rb_serve_stop && !atomic_load(&srv->done)) {
        struct timespec ts = { 0, 20 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    if (!atomic_load(&srv->done)) {
        struct timespec settle = { 0, 10 * 1000 * 1000 };
        shutdown_conns(srv->listen_fd);
        nanosleep(&settle, NULL);
        shutdown_conns(srv->listen_fd);
        ServerTerminate(&srv->abyss);
        while (!atomic_load(&srv->done)) {
            struct timespec tick = { 0, 10 * 1000 * 1000 };
            shutdown_conns(srv->listen_fd);
            pthread_kill(srv->runner, XR_WAKE_SIG);
            nanosleep(&tick, NULL);
        }
    }
    return NULL;
}

/* "HOST:PORT" or "[V6]:PORT" with PORT 0..65535 (0: ephemeral), host not
 * empty; the port as a string for getaddrinfo. */
static int parse_listen(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
    int p;
    if (rb_parse_hostport(s, host, hostlen, &p) != RB_OK || host[0] == '\0')
        return RB_EINVAL;
    snprintf(port, portlen, "%d", p);
    return RB_OK;
}

/* Bind a TCP socket to ep; returns the fd or -1 (reason on stderr). */
static int bind_listen(const char *ep)
{
    char host[256], port[8];
    struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *ai = NULL;
    int fd = -1, one = 1;
    if (parse_listen(ep, host, sizeof host, port, sizeof port) != RB_OK) {
        fprintf(stderr, "xmlrpc: bad listen address '%s': want HOST:PORT\n", ep);
        return -1;
    }
    int gai = getaddrinfo(host, port, &hints, &ai);
    if (gai) {
        fprintf(stderr, "xmlrpc: %s: %s\n", host, gai_strerror(gai));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
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

static void print_ready(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char abuf[INET6_ADDRSTRLEN] = "?";
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, abuf, sizeof abuf);
        printf("ready [%s]:%d\n", abuf, ntohs(a->sin6_port));
    } else {
        const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, abuf, sizeof abuf);
        printf("ready %s:%d\n", abuf, ntohs(a->sin_port));
    }
    fflush(stdout);
}

int rb_xr_serve(const rb_server_opts *o)
{
    const char *ep = o->listen ? o->listen : RB_XR_DEFAULT_ENDPOINT;
    xr_server srv = { .get_obj = RB_OBJ_INIT, .reg = NULL, .have_abyss = 0, .listen_fd = -1 };
    TChanSwitch *chansw = NULL;
    const char *aerr = NULL;
    abyss_bool ok = FALSE;
    xmlrpc_env env;
    pthread_t watcher;
    int rc = RB_OK, fd = -1, have_watcher = 0, have_global = 0;
    atomic_init(&srv.done, 0);
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

    if (rb_service_get_obj(o->entries, &srv.get_obj) != RB_OK) {
        rc = RB_ENOMEM;
        goto done;
    }
    xmlrpc_server_abyss_global_init(&env);
    if (env.fault_occurred) {
        fprintf(stderr, "xmlrpc: Abyss global init: %s\n", env.fault_string);
        rc = RB_EIO;
        goto done;
    }
    have_global = 1;
    fd = bind_listen(ep);
    if (fd < 0) {
        rc = RB_ECONNECT;
        goto done;
    }
    srv.listen_fd = fd;

    /* Process-wide limits of xmlrpc-c: the request size (a larger body
     * never reaches the parser) and the nesting of values. */
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, srv.max_request);
    xmlrpc_limit_set(XMLRPC_NESTING_LIMIT_ID, RB_XR_MAX_NESTING);

    srv.reg = xmlrpc_registry_new(&env);
    const struct xmlrpc_method_info3 methods[] = {
        { .methodName = RB_METHOD_FIB, .methodFunction = m_fib, .serverInfo = &srv,
          .signatureString = "I:i,I:I",
          .help = "fib(n): the n-th Fibonacci number F(n) as <i8>, 0 <= n <= 92" },
        { .methodName = RB_METHOD_GET_OBJ, .methodFunction = m_get_obj, .serverInfo = &srv,
          .signatureString = "S:",
          .help = "getObj(): struct of the server's entries \"server:i\" -> i" },
        { .methodName = RB_METHOD_SEND_OBJ, .methodFunction = m_send_obj, .serverInfo = &srv,
          .signatureString = "i:S",
          .help = "sendObj(obj): store a struct of name -> integer; returns its entry count" },
    };
    for (size_t i = 0; i < sizeof methods / sizeof methods[0] && !env.fault_occurred; i++)
        xmlrpc_registry_add_method3(&env, srv.reg, &methods[i]);
    if (env.fault_occurred) {
        fprintf(stderr, "xmlrpc: registry: %s\n", env.fault_string);
        rc = RB_ENOMEM;
        goto done;
    }

    ChanSwitchUnixCreateFd(fd, &chansw, &aerr);
    if (!aerr)
        ServerCreateSwitch(&srv.abyss, chansw, &aerr);
    if (aerr) {
        fprintf(stderr, "xmlrpc: cannot create the Abyss server: %s\n", aerr);
        rc = RB_ECONNECT;
        goto done;
    }
    srv.have_abyss = 1;
    ServerSetKeepaliveTimeout(&srv.abyss, XR_KEEPALIVE_TIMEOUT);
    ServerSetKeepaliveMaxConn(&srv.abyss, XR_KEEPALIVE_MAX);
    ServerSetTimeout(&srv.abyss, XR_READ_TIMEOUT);
    ServerSetMaxConn(&srv.abyss, XR_MAX_CONN);
    ServerSetMaxConnBacklog(&srv.abyss, XR_BACKLOG);

    xmlrpc_server_abyss_handler_parms hp;
    memset(&hp, 0, sizeof hp);
    hp.xml_processor = process_xml;
    hp.xml_processor_arg = &srv;
    hp.xml_processor_max_stack = XR_STACK;
    hp.uri_path = RB_XR_PATH;
    hp.chunk_response = 0;
    xmlrpc_server_abyss_set_handler3(&env, &srv.abyss, &hp, XMLRPC_AHPSIZE(chunk_response));
    /* Abyss runs the handler added last first: the size check goes first. */
    const struct ServerReqHandler3 size_check = {
        .term = NULL, .handleReq = oversize_handler, .userdata = &srv,
        .handleReqStackSize = 0,
    };
    if (!env.fault_occurred)
        ServerAddHandler3(&srv.abyss, &size_check, &ok);
    if (env.fault_occurred || !ok) {
        fprintf(stderr, "xmlrpc: cannot install the request handlers\n");
        rc = RB_ENOMEM;
        goto done;
    }
    /* Anything but POST /RPC2: 404, never Abyss's built-in file server. */
    xmlrpc_server_abyss_set_default_handler(&srv.abyss);
    ServerInit2(&srv.abyss, &aerr);
    if (aerr) {
        fprintf(stderr, "xmlrpc: cannot listen on %s: %s\n", ep, aerr);
        rc = RB_ECONNECT;
        goto done;
    }

    if (pthread_create(&watcher, NULL, watch_stop, &srv) != 0) {
        fprintf(stderr, "xmlrpc: cannot start the stop watcher\n");
        rc = RB_ENOMEM;
        goto done;
    }
    have_watcher = 1;
    print_ready(fd);

    ServerRun(&srv.abyss);

done:
    if (have_watcher) {
        atomic_store(&srv.done, 1);
        pthread_join(watcher, NULL);
    }
    if (aerr)
        free((void *)aerr);
    if (srv.have_abyss)
        ServerFree(&srv.abyss);
    if (chansw)
        ChanSwitchDestroy(chansw);
    if (srv.reg)
        xmlrpc_registry_free(srv.reg);
    if (fd >= 0)
        close(fd);
    if (have_global)
        xmlrpc_server_abyss_global_term();
    rb_obj_free(&srv.get_obj);
    xmlrpc_env_clean(&env);
    return rc;
}
