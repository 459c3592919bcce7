/* rest_client.c - the rest transport's client on libcurl, and its table.
 *
 * One curl easy handle per client, reused for every call, so curl keeps the
 * HTTP/1.1 connection alive between calls (and opens it on the first call:
 * a server that is not there shows as RB_ECONNECT on that call). Each call
 * is one POST with the request's JSON body; the reply body is gathered into
 * a buffer bounded by RB_REST_MAX_REPLY and decoded with jansson behind the
 * screen of rest_json.c.
 *
 * Deadline: CURLOPT_TIMEOUT_MS = the client's timeout for the whole call
 * (connect included). A call that times out makes curl close its
 * connection, so a late reply can never be read as the answer of the next
 * call: that one opens a new connection. The same holds after a server
 * restart: the call in flight fails (RB_ECLOSED), the next reconnects.
 *
 * Errors: connection refused or unresolvable -> RB_ECONNECT; timeout ->
 * RB_ETIMEDOUT; connection closed or reset -> RB_ECLOSED; HTTP 400 ->
 * RB_EINVAL, 404 -> RB_ENOMETHOD, 413 -> RB_ETOOBIG, 5xx -> RB_ESERVER,
 * any other status or an undecodable body -> RB_EPROTO. The server's error
 * message, when its body has one, is in errstr.
 */
#include "rest.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>   /* MHD_get_version() for rb_rest_version() */

typedef struct rest_client {
    rb_client base;                /* must be first */
    CURL *curl;
    struct curl_slist *headers;
    char url[RB_M__COUNT][320];    /* http://HOST:PORT/<method> */
    rb_buf req;               /* request body, reused */
    rb_buf rep;               /* reply body, reused */
    int rep_over;                  /* the reply outgrew RB_REST_MAX_REPLY */
    char curl_err[CURL_ERROR_SIZE];
} rest_client;

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    rest_client *c = arg;
    size_t len = size * n;
    if (len > RB_REST_MAX_REPLY - c->rep.len) {
        c->rep_over = 1;
        return 0;                       /* curl aborts with CURLE_WRITE_ERROR */
    }
    return rb_buf_append(&c->rep, p, len) == RB_OK ? len : 0;
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc = RB_OK;

static void init_global(void)
{
    init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? RB_OK : RB_EIO;
}

static int curl_init_once(void)
{
    pthread_once(&init_once, init_global);
    return init_rc;
}

static void rest_close(rb_client *base)
{
    rest_client *c = (rest_client *)base;
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->headers);
    rb_buf_free(&c->req);
    rb_buf_free(&c->rep);
    free(c);
}

/* The options every call shares, set once. */
static int setup_handle(rest_client *c, int timeout_ms)
{
    c->headers = curl_slist_append(NULL, "Content-Type: " RB_REST_CONTENT_TYPE);
    if (c->headers)   /* no "Expect: 100-continue" round trip for big bodies */
        c->headers = curl_slist_append(c->headers, "Expect:");
    if (!c->headers)
        return RB_ENOMEM;
    CURL *h = c->curl;
    int bad = curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers) ||
        curl_easy_setopt(h, CURLOPT_POST, 1L) ||
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) ||
        curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout_ms) ||
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms) ||
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) ||
        curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L) ||
        curl_easy_setopt(h, CURLOPT_PROXY, "") ||   /* never an http_proxy from the environment */
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) ||
        curl_easy_setopt(h, CURLOPT_WRITEDATA, c) ||
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err) ||
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
    return bad ? RB_EIO : RB_OK;
}

static int rest_connect(const rb_client_opts *o, rb_client **out, char *errbuf, size_t errlen)
{
    const char *ep = rb_endpoint_or_default(&rb_transport_rest, o->endpoint);
    char host[256];
    int port, rc;
    rest_client *c = calloc(1, sizeof *c);
    if (!c)
        return RB_ENOMEM;
    if (rb_parse_hostport(ep, host, sizeof host, &port) != RB_OK || port == 0) {
        snprintf(errbuf, errlen, "bad endpoint '%s': want HOST:PORT", ep);
        rc = RB_EINVAL;
        goto fail;
    }
    rc = curl_init_once();
    if (rc == RB_OK && !(c->curl = curl_easy_init()))
        rc = RB_ENOMEM;
    if (rc == RB_OK)
        rc = setup_handle(c, o->timeout_ms);
    if (rc != RB_OK) {
        snprintf(errbuf, errlen, "libcurl setup failed");
        goto fail;
    }
    const char *l = strchr(host, ':') ? "[" : "", *r = strchr(host, ':') ? "]" : "";
    for (int m = 0; m < RB_M__COUNT; m++)
        snprintf(c->url[m], sizeof c->url[m], "http://%s%s%s:%d/%s", l, host, r, port,
                 rb_method_name((rb_method)m));
    *out = &c->base;
    return RB_OK;
fail:
    rest_close(&c->base);
    return rc;
}

static int transfer_error(rest_client *c, CURLcode cc)
{
    const char *what = c->curl_err[0] ? c->curl_err : curl_easy_strerror(cc);
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
        return rb_client_fail(&c->base, RB_ECONNECT, "%s", what);
    case CURLE_OPERATION_TIMEDOUT:
        return rb_client_fail(&c->base, RB_ETIMEDOUT, "no reply within %d ms (%s)",
                              c->base.timeout_ms, what);
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
        return rb_client_fail(&c->base, RB_ECLOSED, "%s", what);
    case CURLE_WRITE_ERROR:
        if (c->rep_over)
            return rb_client_fail(&c->base, RB_EPROTO, "reply body over %zu bytes",
                                  RB_REST_MAX_REPLY);
        return rb_client_fail(&c->base, RB_ENOMEM, "reply body of %zu bytes", c->rep.len);
    default:
        return rb_client_fail(&c->base, RB_EPROTO, "%s", what);
    }
}

/* A non-200 reply: the code by status, the message from the error body. */
static int status_error(rest_client *c, long status)
{
    int rc = status == 400 ? RB_EINVAL           /* Bad Request */
           : status == 404 ? RB_ENOMETHOD            /* Not Found */
           : status == 413 ? RB_ETOOBIG              /* Payload Too Large */
           : status >= 500 && status <= 599 ? RB_ESERVER : RB_EPROTO;
    json_t *j = json_loadb(c->rep.data ? c->rep.data : "", c->rep.len, 0, NULL);
    const char *msg = json_string_value(json_object_get(json_object_get(j, "error"), "message"));
    if (msg)
        rb_client_fail(&c->base, rc, "HTTP %ld: %s", status, msg);
    else
        rb_client_fail(&c->base, rc, "HTTP %ld with a body of %zu bytes", status, c->rep.len);
    json_decref(j);
    return rc;
}

/* POST c->req to method m; on RB_OK *result is the reply's "result" value
 * (a new reference the caller releases with json_decref). */
static int call(rest_client *c, rb_method m, json_t **result)
{
    *result = NULL;
    c->rep.len = 0;
    c->rep_over = 0;
    c->curl_err[0] = '\0';
    c->base.req_body_bytes = c->req.len;
    curl_easy_setopt(c->curl, CURLOPT_URL, c->url[m]);
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, c->req.len ? c->req.data : "");
    curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->req.len);
    CURLcode cc = curl_easy_perform(c->curl);
    if (cc != CURLE_OK)
        return transfer_error(c, cc);
    long status = 0;
    curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &status);
    c->base.rep_body_bytes = c->rep.len;
    if (status != 200)
        return status_error(c, status);
    json_t *j = NULL;
    char why[200];
    if (rb_rest_parse_object(c->rep.data, c->rep.len, &j, why, sizeof why) != RB_OK)
        return rb_client_fail(&c->base, RB_EPROTO, "reply: %s", why);
    json_t *r = json_object_get(j, "result");
    if (!r) {
        json_decref(j);
        return rb_client_fail(&c->base, RB_EPROTO, "reply has no \"result\"");
    }
    *result = json_incref(r);
    json_decref(j);
    return RB_OK;
}

/* A call whose result is an integer. */
static int call_int(rest_client *c, rb_method m, int64_t *out)
{
    json_t *r;
    int rc = call(c, m, &r);
    if (rc)
        return rc;
    if (!json_is_integer(r))
        rc = rb_client_fail(&c->base, RB_EPROTO, "%s reply: result is not an integer",
                            rb_method_name(m));
    else
        *out = json_integer_value(r);
    json_decref(r);
    return rc;
}

static int rest_fib(rb_client *base, int64_t n, int64_t *result)
{
    rest_client *c = (rest_client *)base;
    char body[48];
    int len = snprintf(body, sizeof body, "{\"n\":%lld}", (long long)n);
    c->req.len = 0;
    if (rb_buf_append(&c->req, body, (size_t)len) != RB_OK)
        return rb_client_fail(base, RB_ENOMEM, "encoding the request");
    return call_int(c, RB_M_FIB, result);
}

static int rest_get_obj(rb_client *base, rb_obj *out)
{
    rest_client *c = (rest_client *)base;
    json_t *r;
    char why[200];
    c->req.len = 0;                     /* getObj's body is empty */
    int rc = call(c, RB_M_GET_OBJ, &r);
    if (rc)
        return rc;
    rc = rb_json_to_obj(r, out, why, sizeof why);
    json_decref(r);
    if (rc)
        return rb_client_fail(base, rc == RB_ENOMEM ? rc : RB_EPROTO, "getObj reply: %s", why);
    return RB_OK;
}

static int rest_send_obj(rb_client *base, const rb_obj *obj, int64_t *count)
{
    rest_client *c = (rest_client *)base;
    int rc = rb_rest_obj_to_json(obj, 0, &c->req);
    if (rc)
        return rb_client_fail(base, rc, "encoding the object: %s", rb_strerror(rc));
    return call_int(c, RB_M_SEND_OBJ, count);
}

const char *rb_rest_version(void)
{
    static char v[128];
    const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
    snprintf(v, sizeof v, "libmicrohttpd %s, libcurl %s, jansson %s", MHD_get_version(),
             cv && cv->version ? cv->version : "?", jansson_version_str());
    return v;
}

const rb_transport rb_transport_rest = {
    .name = "rest",
    .description = "REST: HTTP/1.1 + JSON, POST per method (libmicrohttpd, libcurl, jansson)",
    .default_endpoint = RB_REST_DEFAULT_ENDPOINT,
    .broker = RB_BROKER_NONE,
    .order = 60,
    .is_floor = 0,
    .wire = "HTTP/1.1 + JSON",
    .props = {
        .human_readable = "yes (HTTP/1.1 + JSON)",
        .schema = "none (OpenAPI at most)",
        .streaming = "no (as built; chunked/SSE possible)",
        .stdlib = "HTTP client in nearly every standard library, JSON in most",
        .restart = "the call in flight fails, the next call reconnects (curl)",
    },
    .packages = {
        { "libmicrohttpd", "libmicrohttpd12" },
        { "libcurl", "libcurl4" },
        { "jansson", "libjansson4" },
    },
    .version = rb_rest_version,
    .connect = rest_connect,
    .fib = rest_fib,
    .get_obj = rest_get_obj,
    .send_obj = rest_send_obj,
    .close = rest_close,
    .serve = rb_rest_serve,
};
