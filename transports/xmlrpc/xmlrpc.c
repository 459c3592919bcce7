/* xmlrpc.c - the XML-RPC transports "xmlrpc" and "xmlrpc-close": xmlrpc-c's
 * client with its curl HTTP transport, and (xr_server.c) its Abyss server.
 *
 * A call serializes the request with xmlrpc_serialize_call2() into a buffer
 * the client keeps, sends it with xmlrpc_client_transport_call2() and parses
 * the reply with xmlrpc_parse_response2(): exactly the three steps
 * xmlrpc_client_call2() does inside, done here one by one so the request and
 * reply XML sizes (the body bytes) are known without serializing twice.
 * Between the last two, rb_xr_screen() refuses replies that crash xmlrpc-c's
 * parser (see xr_server.c).
 *
 * "xmlrpc" keeps one xmlrpc_client, whose curl handle keeps its HTTP/1.1
 * connection alive between calls. "xmlrpc-close" is the same client without
 * keep-alive: xmlrpc-c's curl transport has no switch for it (no
 * CURLOPT_FORBID_REUSE, no way to add "Connection: close"), so the client is
 * created before and destroyed after every call, which closes the
 * connection; its latency therefore includes creating the curl handle.
 *
 * Deadline: xmlrpc-c 1.33's synchronous call waits in select() with a fixed
 * 3 s tick and only then lets curl notice its CURLOPT_TIMEOUT (which it also
 * rounds up to whole seconds): a 300 ms timeout fired after 3 s. So each
 * calling thread has a POSIX timer that signals it (signal
 * RB_XR_DEADLINE_SIG); the handler sets the thread's flag registered with
 * xmlrpc_client_set_interrupt(), the signal breaks xmlrpc-c's pselect(),
 * and its curl progress callback aborts the transfer. The curl `timeout`
 * option stays set as a backstop. An aborted transfer makes curl drop the
 * connection, so a late reply can never be read as the answer of the next
 * call (stale_replies stays 0; the next call reconnects).
 *
 * The timer is lazy: a call only writes its deadline into the thread's
 * state; the timer is programmed (timer_settime) only when it is stopped
 * or would fire after the new deadline. When it fires before the deadline
 * of the call in flight (an earlier call's deadline), the handler programs
 * it for the current one; when it fires between calls, it stops. In a
 * closed loop with one timeout for every call this is one timer_settime()
 * and one signal per timeout period instead of two timer_settime() per
 * call. What a call still pays is the sigprocmask() pair xmlrpc-c does
 * around each wait when an interrupt flag is set.
 */
#include "xr.h"
#include "xr_codec.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <xmlrpc-c/client.h>

extern const rb_transport rb_transport_xmlrpc;

typedef struct xr_client {
    rb_client base;               /* must be first */
    int keepalive;                /* 0: a new client (connection) per call */
    xmlrpc_client *cli;           /* keep-alive: the one client; else NULL */
    xmlrpc_server_info *server;   /* the server's URL */
    xmlrpc_mem_block *call_xml;   /* request buffer, reused by every call */
    struct xmlrpc_curl_xportparms xp;
    struct xmlrpc_clientparms cp;
} xr_client;

/* The deadline signal: a real-time signal nothing else in rpcbench uses. */
#define RB_XR_DEADLINE_SIG (SIGRTMIN + 7)

/* A thread's deadline state. The handler runs on the same thread (the timer
 * signals it alone, SIGEV_THREAD_ID), so the fields need no lock, only
 * single loads and stores the handler cannot tear (volatile, 64-bit). */
typedef struct {
    volatile sig_atomic_t hit;       /* the call's deadline passed: the
                                        xmlrpc-c interrupt flag */
    volatile int in_call;            /* a call is in flight */
    volatile uint64_t deadline_ns;   /* its deadline, CLOCK_MONOTONIC ns */
    volatile uint64_t armed_ns;      /* when the timer fires; 0: stopped
                                        (or unknown: program it again) */
    int have_timer;
    timer_t timer;
} xr_deadline;

static __thread xr_deadline dl;
static pthread_key_t dl_key;         /* its destructor deletes the timer */

/* Set the thread's timer to fire at at_ns (CLOCK_MONOTONIC). 0 or -1. */
static int program(uint64_t at_ns)
{
    struct itimerspec its = { .it_value = { .tv_sec = (time_t)(at_ns / 1000000000ull),
                                            .tv_nsec = (long)(at_ns % 1000000000ull) } };
    return timer_settime(dl.timer, TIMER_ABSTIME, &its, NULL);
}

/* Async-signal-safe: clock_gettime() and timer_settime() only. */
static void on_deadline(int sig)
{
    (void)sig;
    int saved = errno;
    if (dl.have_timer && dl.in_call) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t n = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
        uint64_t d = dl.deadline_ns;
        /* An earlier call's deadline: on to this one's (should the timer
         * refuse, the call ends now rather than wait without one). */
        if (n < d && program(d) == 0) {
            dl.armed_ns = d;
            errno = saved;
            return;
        }
        dl.hit = 1;
    }
    dl.armed_ns = 0;              /* one-shot: it has fired */
    errno = saved;
}

static void delete_timer(void *unused)
{
    (void)unused;
    if (dl.have_timer)
        timer_delete(dl.timer);
    dl.have_timer = 0;
}

/* A forked child inherits the forking thread's state but not its timer. */
static void forget_timer_in_child(void)
{
    memset((void *)&dl, 0, sizeof dl);
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc = RB_OK;

static void init_global(void)
{
    xmlrpc_env env;
    struct sigaction sa;
    xmlrpc_env_init(&env);
    xmlrpc_client_setup_global_const(&env);
    if (env.fault_occurred)
        init_rc = RB_EIO;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_deadline;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(RB_XR_DEADLINE_SIG, &sa, NULL) != 0 ||
        pthread_key_create(&dl_key, delete_timer) != 0 ||
        pthread_atfork(NULL, NULL, forget_timer_in_child) != 0)
        init_rc = RB_EIO;
    /* Replies can be large (getObj with millions of entries); the
     * library's default of 512 KiB would refuse them. A server process
     * lowers this to its request limit in rb_xr_serve(). */
    if (xmlrpc_limit_get(XMLRPC_XML_SIZE_LIMIT_ID) < ((size_t)1 << 40))
        xmlrpc_limit_set(XMLRPC_XML_SIZE_LIMIT_ID, (size_t)1 << 40);
    xmlrpc_env_clean(&env);
}

static int xr_init(void)
{
    pthread_once(&init_once, init_global);
    return init_rc;
}

static const char *xr_version(void)
{
    static char v[96];
    unsigned maj = 0, min = 0, pt = 0;
    xmlrpc_client_version(&maj, &min, &pt);
    const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    snprintf(v, sizeof v, "xmlrpc-c %u.%u.%u, libcurl %s", maj, min, pt,
             cv && cv->version ? cv->version : "?");
    return v;
}

static int make_client(xr_client *c, xmlrpc_env *env)
{
    xmlrpc_client_create(env, XMLRPC_CLIENT_NO_FLAGS, "rpcbench", "0.1",
                         &c->cp, XMLRPC_CPSIZE(transportparm_size), &c->cli);
    return env->fault_occurred ? RB_EIO : RB_OK;
}

/* Arm the deadline of the calling thread's call: ms from now. Creates the
 * thread's timer on first use; programs it only when it is stopped or
 * would fire after this deadline (see the top of this file). */
static int arm_deadline(xr_client *c, int ms)
{
    if (!dl.have_timer) {
        struct sigevent sev;
        memset(&sev, 0, sizeof sev);
        sev.sigev_notify = SIGEV_THREAD_ID;
        sev.sigev_signo = RB_XR_DEADLINE_SIG;
#ifdef sigev_notify_thread_id
        sev.sigev_notify_thread_id = gettid();
#else
        sev._sigev_un._tid = gettid();
#endif
        if (timer_create(CLOCK_MONOTONIC, &sev, &dl.timer) != 0)
            return RB_EIO;
        dl.armed_ns = 0;
        dl.have_timer = 1;
        pthread_setspecific(dl_key, &dl);
    }
    uint64_t d = rb_now_ns() + (uint64_t)ms * 1000000ull;
    dl.deadline_ns = d;
    dl.hit = 0;
    dl.in_call = 1;
    /* From here the handler sees this call. If it runs between the load
     * and program(), both program d: the same outcome. */
    uint64_t a = dl.armed_ns;
    if (a == 0 || a > d) {
        if (program(d) != 0) {
            dl.in_call = 0;
            return RB_EIO;
        }
        dl.armed_ns = d;
    }
    xmlrpc_client_set_interrupt(c->cli, (int *)&dl.hit);
    return RB_OK;
}

/* The call is over: a later signal finds no call and stops the timer. No
 * system call. */
static void disarm_deadline(void)
{
    dl.in_call = 0;
}

static void xr_close(rb_client *base)
{
    xr_client *c = (xr_client *)base;
    if (!c)
        return;
    if (c->cli)
        xmlrpc_client_destroy(c->cli);
    if (c->server)
        xmlrpc_server_info_free(c->server);
    if (c->call_xml)
        xmlrpc_mem_block_free(c->call_xml);
    free(c);
}

static int do_connect(const rb_client_opts *o, rb_client **out, char *errbuf,
                      size_t errlen, int keepalive)
{
    const char *ep = rb_endpoint_or_default(&rb_transport_xmlrpc, o->endpoint);
    char host[256], url[320];
    int port, rc = RB_OK;
    xmlrpc_env env;
    xmlrpc_env_init(&env);
    xr_client *c = calloc(1, sizeof *c);
    if (!c) {
        rc = RB_ENOMEM;
        goto fail;
    }
    if (rb_parse_hostport(ep, host, sizeof host, &port) != RB_OK) {
        snprintf(errbuf, errlen, "bad endpoint '%s': want HOST:PORT", ep);
        rc = RB_EINVAL;
        goto fail;
    }
    if (o->timeout_ms < 1) {
        snprintf(errbuf, errlen, "timeout must be >= 1 ms");
        rc = RB_EINVAL;
        goto fail;
    }
    rc = xr_init();
    if (rc != RB_OK) {
        snprintf(errbuf, errlen, "xmlrpc-c global setup failed");
        goto fail;
    }
    if (strchr(host, ':'))
        snprintf(url, sizeof url, "http://[%s]:%d" RB_XR_PATH, host, port);
    else
        snprintf(url, sizeof url, "http://%s:%d" RB_XR_PATH, host, port);

    c->keepalive = keepalive;
    c->xp.timeout = (unsigned)o->timeout_ms;
    c->cp.transport = "curl";
    c->cp.transportparmsP = &c->xp;
    c->cp.transportparm_size = XMLRPC_CXPSIZE(timeout);
    c->server = xmlrpc_server_info_new(&env, url);
    if (!env.fault_occurred)
        c->call_xml = xmlrpc_mem_block_new(&env, 0);
    if (env.fault_occurred) {
        snprintf(errbuf, errlen, "xmlrpc-c: %s", env.fault_string);
        rc = RB_ENOMEM;
        goto fail;
    }
    /* The keep-alive client connects lazily, on its first call, as curl
     * does: a server that is not there shows as RB_ECONNECT on that call. */
    if (keepalive && make_client(c, &env) != RB_OK) {
        snprintf(errbuf, errlen, "xmlrpc-c client: %s", env.fault_string);
        rc = RB_EIO;
        goto fail;
    }
    xmlrpc_env_clean(&env);
    *out = &c->base;
    return RB_OK;
fail:
    xmlrpc_env_clean(&env);
    xr_close(c ? &c->base : NULL);
    *out = NULL;
    return rc;
}

static int xr_connect(const rb_client_opts *o, rb_client **out, char *errbuf, size_t errlen)
{
    return do_connect(o, out, errbuf, errlen, 1);
}

static int xr_connect_close(const rb_client_opts *o, rb_client **out, char *errbuf, size_t errlen)
{
    return do_connect(o, out, errbuf, errlen, 0);
}

/* A failure of the HTTP exchange (xmlrpc-c reports all as
 * XMLRPC_NETWORK_ERROR with curl's message) as a project error. Error path
 * only, so matching the message text costs nothing on the hot path. */
static int transport_fail(rb_client *c, const xmlrpc_env *env)
{
    const char *m = env->fault_string ? env->fault_string : "";
    int err = RB_EIO;
    if (strstr(m, "imeout") || strstr(m, "timed out"))
        err = RB_ETIMEDOUT;
    else if (strstr(m, "mpty reply") || strstr(m, "eset by peer") ||
             strstr(m, "Recv failure") || strstr(m, "Send failure") ||
             strstr(m, "closed"))
        err = RB_ECLOSED;  /* before "onnect": "Connection reset by peer" */
    else if (strstr(m, "onnect") || strstr(m, "resolve"))
        err = RB_ECONNECT;
    else if (strstr(m, "HTTP response code is 413"))
        err = RB_ETOOBIG;
    else if (strstr(m, "HTTP response code is 404") || strstr(m, "HTTP response code is 405"))
        err = RB_ENOMETHOD;
    else if (strstr(m, "HTTP response code is"))
        err = RB_ESERVER;
    return rb_client_fail(c, err, "xmlrpc: %s", m);
}

/* A fault reply as a project error. */
static int fault_fail(rb_client *c, int code, const char *msg)
{
    int err;
    switch (code) {
    case XMLRPC_NO_SUCH_METHOD_ERROR:  /* -506: xmlrpc-c */
    case -32601:                       /* interop spec: method not found */
        err = RB_ENOMETHOD;
        break;
    case RB_XR_FAULT_INVALID:          /* -32602: invalid parameters */
    case RB_XR_FAULT_ENCODING:         /* -32701: unsupported encoding */
    case XMLRPC_TYPE_ERROR:            /* -501 */
    case XMLRPC_INDEX_ERROR:           /* -502 */
        err = RB_EINVAL;
        break;
    case RB_XR_FAULT_TOOBIG:           /* -509: limit exceeded */
        err = RB_ETOOBIG;
        break;
    default:
        err = RB_ESERVER;
        break;
    }
    return rb_client_fail(c, err, "fault %d: %s", code, msg);
}

/* One unary call: params (a new array reference, consumed) -> *result (a new
 * reference the caller releases) or an error code with c->errstr set. */
static int xr_call(xr_client *c, const char *method, xmlrpc_value *params,
                   xmlrpc_value **result)
{
    xmlrpc_env env;
    xmlrpc_mem_block *resp = NULL;
    int fault_code = 0, rc = RB_OK;
    const char *fault_string = NULL;
    *result = NULL;
    xmlrpc_env_init(&env);

    xmlrpc_mem_block_resize(&env, c->call_xml, 0);
    if (!env.fault_occurred)
        xmlrpc_serialize_call2(&env, c->call_xml, method, params, xmlrpc_dialect_i8);
    if (env.fault_occurred) {
        rc = rb_client_fail(&c->base, RB_EINVAL, "xmlrpc: cannot encode request: %s",
                            env.fault_string);
        goto done;
    }
    c->base.req_body_bytes = xmlrpc_mem_block_size(c->call_xml);

    if (!c->keepalive && make_client(c, &env) != RB_OK) {
        rc = rb_client_fail(&c->base, RB_EIO, "xmlrpc: client: %s", env.fault_string);
        goto done;
    }
    if (arm_deadline(c, c->base.timeout_ms) != RB_OK) {
        rc = rb_client_fail(&c->base, RB_EIO, "xmlrpc: cannot arm the deadline timer");
        goto done;
    }
    xmlrpc_client_transport_call2(&env, c->cli, c->server, c->call_xml, &resp);
    disarm_deadline();
    if (env.fault_occurred) {
        resp = NULL;  /* xmlrpc-c leaves a poison value on failure */
        if (dl.hit)
            rc = rb_client_fail(&c->base, RB_ETIMEDOUT,
                                "xmlrpc: deadline of %d ms exceeded (%s)",
                                c->base.timeout_ms, env.fault_string);
        else
            rc = transport_fail(&c->base, &env);
        goto done;
    }
    c->base.rep_body_bytes = xmlrpc_mem_block_size(resp);
    /* xmlrpc-c 1.33 crashes on some replies too (an invalid <i8>): screen
     * them as the server screens requests; a linear scan, no allocation. */
    char why[128];
    if (rb_xr_screen(xmlrpc_mem_block_contents(resp), xmlrpc_mem_block_size(resp), why,
                     sizeof why) != 0) {
        rc = rb_client_fail(&c->base, RB_EPROTO, "xmlrpc: reply refused: %s", why);
        goto done;
    }
    xmlrpc_parse_response2(&env, xmlrpc_mem_block_contents(resp),
                           xmlrpc_mem_block_size(resp), result, &fault_code,
                           &fault_string);
    if (env.fault_occurred) {
        *result = NULL;
        fault_string = NULL;
        rc = rb_client_fail(&c->base, RB_EPROTO, "xmlrpc: undecodable reply: %s",
                            env.fault_string);
        goto done;
    }
    if (fault_string) {
        *result = NULL;
        rc = fault_fail(&c->base, fault_code, fault_string);
        goto done;
    }
done:
    if (!c->keepalive && c->cli) {
        xmlrpc_client_destroy(c->cli);
        c->cli = NULL;
    }
    if (fault_string)
        free((void *)fault_string);
    if (resp)
        xmlrpc_mem_block_free(resp);
    if (params)
        xmlrpc_DECREF(params);
    xmlrpc_env_clean(&env);
    return rc;
}

static int xr_fib(rb_client *base, int64_t n, int64_t *out)
{
    xr_client *c = (xr_client *)base;
    xmlrpc_env env;
    xmlrpc_value *params = NULL, *arg = NULL, *res = NULL;
    int rc;
    xmlrpc_env_init(&env);
    params = xmlrpc_array_new(&env);
    if (!env.fault_occurred)
        arg = rb_xr_int_new(&env, n);
    if (!env.fault_occurred)
        xmlrpc_array_append_item(&env, params, arg);
    if (env.fault_occurred) {
        rc = rb_client_fail(base, RB_ENOMEM, "xmlrpc: cannot build request: %s",
                            env.fault_string);
        goto done;
    }
    rc = xr_call(c, RB_METHOD_FIB, params, &res);
    params = NULL;  /* xr_call consumed it */
    if (rc == RB_OK && !rb_xr_read_int(res, out))
        rc = rb_client_fail(base, RB_EPROTO, "xmlrpc: fib reply is not an integer");
done:
    if (arg)
        xmlrpc_DECREF(arg);
    if (params)
        xmlrpc_DECREF(params);
    if (res)
        xmlrpc_DECREF(res);
    xmlrpc_env_clean(&env);
    return rc;
}

/* A struct of name -> integer into out (cleared first). */
static int read_obj(rb_client *c, xmlrpc_value *s, rb_obj *out)
{
    xmlrpc_env env;
    char why[256];
    int rc = RB_OK;
    xmlrpc_env_init(&env);
    if (xmlrpc_value_type(s) != XMLRPC_TYPE_STRUCT) {
        rb_obj_clear(out);
        rc = rb_client_fail(c, RB_EPROTO, "xmlrpc: getObj reply is not a struct");
    } else if (rb_xr_obj_read(&env, s, out, why, sizeof why) != RB_OK) {
        rc = rb_client_fail(c, RB_EPROTO, "xmlrpc: getObj %s", why);
    }
    xmlrpc_env_clean(&env);
    return rc;
}

static int xr_get_obj(rb_client *base, rb_obj *out)
{
    xr_client *c = (xr_client *)base;
    xmlrpc_env env;
    xmlrpc_value *params, *res = NULL;
    int rc;
    xmlrpc_env_init(&env);
    params = xmlrpc_array_new(&env);
    if (env.fault_occurred) {
        rc = rb_client_fail(base, RB_ENOMEM, "xmlrpc: cannot build request: %s",
                            env.fault_string);
        goto done;
    }
    rc = xr_call(c, RB_METHOD_GET_OBJ, params, &res);
    if (rc == RB_OK)
        rc = read_obj(base, res, out);
done:
    if (res)
        xmlrpc_DECREF(res);
    xmlrpc_env_clean(&env);
    return rc;
}

static int xr_send_obj(rb_client *base, const rb_obj *obj, int64_t *count)
{
    xr_client *c = (xr_client *)base;
    xmlrpc_env env;
    xmlrpc_value *params = NULL, *s = NULL, *res = NULL;
    int rc;
    xmlrpc_env_init(&env);
    params = xmlrpc_array_new(&env);
    if (!env.fault_occurred)
        s = xmlrpc_struct_new(&env);
    for (size_t i = 0; i < obj->count && !env.fault_occurred; i++) {
        xmlrpc_value *v = rb_xr_int_new(&env, obj->entries[i].value);
        if (env.fault_occurred)
            break;
        xmlrpc_struct_set_value_n(&env, s, rb_obj_key(obj, i), obj->entries[i].key_len, v);
        xmlrpc_DECREF(v);
    }
    if (!env.fault_occurred)
        xmlrpc_array_append_item(&env, params, s);
    if (env.fault_occurred) {
        rc = rb_client_fail(base, RB_EINVAL, "xmlrpc: cannot build request: %s",
                            env.fault_string);
        goto done;
    }
    rc = xr_call(c, RB_METHOD_SEND_OBJ, params, &res);
    params = NULL;  /* xr_call consumed it */
    if (rc == RB_OK && !rb_xr_read_int(res, count))
        rc = rb_client_fail(base, RB_EPROTO, "xmlrpc: sendObj reply is not an integer");
done:
    if (s)
        xmlrpc_DECREF(s);
    if (params)
        xmlrpc_DECREF(params);
    if (res)
        xmlrpc_DECREF(res);
    xmlrpc_env_clean(&env);
    return rc;
}

const rb_transport rb_transport_xmlrpc = {
    .name = "xmlrpc",
    .description = "XML-RPC over HTTP/1.1, xmlrpc-c (Abyss server, curl client), keep-alive",
    .default_endpoint = RB_XR_DEFAULT_ENDPOINT,
    .broker = RB_BROKER_NONE,
    .order = 30,
    .wire = "HTTP/1.1 + XML",
    .props = {
        .human_readable = "yes (HTTP/1.1 + XML)",
        .schema = "none (introspection at most)",
        .streaming = "no",
        .stdlib = "Python (xmlrpc.client/server); elsewhere small libraries",
        .restart = "the call in flight fails; the next call reconnects",
    },
    .packages = {
        { "xmlrpc-c", "libxmlrpc-core-c3" },
        { "libcurl", "libcurl4" },
    },
    .init = xr_init,
    .version = xr_version,
    .connect = xr_connect,
    .fib = xr_fib,
    .get_obj = xr_get_obj,
    .send_obj = xr_send_obj,
    .close = xr_close,
    .serve = rb_xr_serve,
};

const rb_transport rb_transport_xmlrpc_close = {
    .name = "xmlrpc-close",
    .description = "XML-RPC as \"xmlrpc\", keep-alive off: a new connection per call",
    .default_endpoint = RB_XR_DEFAULT_ENDPOINT,
    .broker = RB_BROKER_NONE,
    .order = 31,
    .wire = "HTTP/1.1 + XML",
    .props = {
        .human_readable = "yes (HTTP/1.1 + XML)",
        .schema = "none",
        .streaming = "no",
        .stdlib = "Python (xmlrpc.client/server); elsewhere small libraries",
        .restart = "yes between calls: every call opens a new connection",
    },
    .packages = {
        { "xmlrpc-c", "libxmlrpc-core-c3" },
        { "libcurl", "libcurl4" },
    },
    .init = xr_init,
    .version = xr_version,
    .connect = xr_connect_close,
    .fib = xr_fib,
    .get_obj = xr_get_obj,
    .send_obj = xr_send_obj,
    .close = xr_close,
    .serve = rb_xr_serve,
};
