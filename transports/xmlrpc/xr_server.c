/* xr_server.c - `rpcbench serve xmlrpc`: xmlrpc-c's Abyss HTTP server with
 * the methods fib, getObj, sendObj and the library's system.* introspection.
 *
 * Abyss (1.33) serves each connection in its own thread, up to max_conn at
 * once, so concurrent clients do not queue behind one connection. We bind
 * the listening socket ourselves (so "--listen 127.0.0.1:0" works and we can
 * print the real port) and hand it over with socket_bound. Keep-alive is on
 * with a per-connection request cap far above Abyss's default of 30.
 *
 * Shutdown: a watcher thread polls rb_serve_stop every 20 ms and calls
 * xmlrpc_server_abyss_terminate(), which interrupts the accept and the
 * connection threads' waits; xmlrpc_server_abyss_run_server() then returns.
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

typedef struct xr_server {
    rb_obj get_obj;            /* getObj's reply, built once, read-only */
    xmlrpc_server_abyss_t *abyss;
    int listen_fd;
    atomic_int done;           /* run_server returned: watcher may exit */
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
        xmlrpc_env env;
        xmlrpc_env_init(&env);
        xmlrpc_server_abyss_terminate(&env, srv->abyss);
        xmlrpc_env_clean(&env);
    }
    return NULL;
}

/* "HOST:PORT" or "[V6]:PORT" with PORT 0..65535 (0: ephemeral). */
static int parse_listen(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
    const char *h = s, *colon;
    size_t hl;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':')
            return RB_EINVAL;
        h = s + 1;
        hl = (size_t)(end - h);
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return RB_EINVAL;
        hl = (size_t)(colon - s);
    }
    char *endp;
    long p = strtol(colon + 1, &endp, 10);
    if (hl == 0 || hl + 1 > hostlen || endp == colon + 1 || *endp || p < 0 || p > 65535)
        return RB_EINVAL;
    memcpy(host, h, hl);
    host[hl] = '\0';
    snprintf(port, portlen, "%ld", p);
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
    xr_server srv = { .get_obj = RB_OBJ_INIT, .abyss = NULL, .listen_fd = -1 };
    xmlrpc_registry *reg = NULL;
    xmlrpc_env env;
    pthread_t watcher;
    int rc = RB_OK, fd = -1, have_watcher = 0, have_global = 0;
    atomic_init(&srv.done, 0);
    xmlrpc_env_init(&env);

    /* A client that hangs up while we write must not kill the server. */
    signal(SIGPIPE, SIG_IGN);

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

    /* Process-wide limits of xmlrpc-c: the request size limit (Abyss
     * answers a larger body with an HTTP error) and the value nesting. */
    xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID,
                     o->max_request ? o->max_request : RB_DEFAULT_MAX_REQUEST);
    xmlrpc_limit_set(XMLRPC_NESTING_LIMIT_ID, RB_XR_MAX_NESTING);

    reg = xmlrpc_registry_new(&env);
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
        xmlrpc_registry_add_method3(&env, reg, &methods[i]);
    if (env.fault_occurred) {
        fprintf(stderr, "xmlrpc: registry: %s\n", env.fault_string);
        rc = RB_ENOMEM;
        goto done;
    }

    xmlrpc_server_abyss_parms p;
    memset(&p, 0, sizeof p);
    p.config_file_name = NULL;
    p.registryP = reg;
    p.keepalive_timeout = XR_KEEPALIVE_TIMEOUT;
    p.keepalive_max_conn = XR_KEEPALIVE_MAX;
    p.timeout = XR_READ_TIMEOUT;
    p.socket_bound = 1;
    p.socket_handle = fd;
    p.uri_path = RB_XR_PATH;
    p.max_conn = XR_MAX_CONN;
    p.max_conn_backlog = XR_BACKLOG;
    xmlrpc_server_abyss_create(&env, &p, XMLRPC_APSIZE(max_conn_backlog), &srv.abyss);
    if (env.fault_occurred) {
        fprintf(stderr, "xmlrpc: cannot start Abyss on %s: %s\n", ep, env.fault_string);
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

    xmlrpc_server_abyss_run_server(&env, srv.abyss);
    if (env.fault_occurred && !rb_serve_stop) {
        fprintf(stderr, "xmlrpc: server stopped: %s\n", env.fault_string);
        rc = RB_EIO;
    }
    atomic_store(&srv.done, 1);

done:
    if (have_watcher) {
        atomic_store(&srv.done, 1);
        pthread_join(watcher, NULL);
    }
    if (srv.abyss)
        xmlrpc_server_abyss_destroy(srv.abyss);
    if (reg)
        xmlrpc_registry_free(reg);
    if (fd >= 0)
        close(fd);
    if (have_global)
        xmlrpc_server_abyss_global_term();
    rb_obj_free(&srv.get_obj);
    xmlrpc_env_clean(&env);
    return rc;
}
