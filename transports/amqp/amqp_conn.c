/* amqp_conn.c - broker connection setup shared by client and server, error
 * texts, one-time init. */
#include "amqp_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <amqp_tcp_socket.h>
#include <jansson.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static char version_str[64];

static void init_once_fn(void)
{
    /* jansson seeds its hash function on first use; doing it here keeps that
     * out of the threads' way. */
    json_object_seed(0);
    snprintf(version_str, sizeof version_str, "rabbitmq-c %s, jansson %s",
             amqp_version(), JANSSON_VERSION);
}

int rb_amqp_init(void)
{
    pthread_once(&init_once, init_once_fn);
    return RB_OK;
}

const char *rb_amqp_version(void)
{
    pthread_once(&init_once, init_once_fn);
    return version_str;
}

const char *rb_amqp_reply_str(amqp_rpc_reply_t r, char *buf, size_t len)
{
    switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        snprintf(buf, len, "ok");
        break;
    case AMQP_RESPONSE_NONE:
        snprintf(buf, len, "no reply from the broker");
        break;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        snprintf(buf, len, "%s", amqp_error_string2(r.library_error));
        break;
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        if (r.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
            const amqp_connection_close_t *m = r.reply.decoded;
            snprintf(buf, len, "broker closed the connection: %u %.*s",
                     m->reply_code, (int)m->reply_text.len,
                     (const char *)m->reply_text.bytes);
        } else if (r.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
            const amqp_channel_close_t *m = r.reply.decoded;
            snprintf(buf, len, "broker closed the channel: %u %.*s",
                     m->reply_code, (int)m->reply_text.len,
                     (const char *)m->reply_text.bytes);
        } else {
            snprintf(buf, len, "unexpected broker method 0x%08x", r.reply.id);
        }
        break;
    default:
        snprintf(buf, len, "unknown reply type %d", (int)r.reply_type);
        break;
    }
    return buf;
}

/* One URL (cut in place by amqp_parse_url). */
static int open_one(const char *env, char *url, int timeout_ms, amqp_connection_state_t *out,
                    char *errbuf, size_t errlen)
{
    amqp_connection_state_t conn = NULL;
    char why[200];
    int rc = RB_ECONNECT;

    *out = NULL;
    struct amqp_connection_info ci;
    amqp_default_connection_info(&ci);
    int st = amqp_parse_url(url, &ci);
    if (st != AMQP_STATUS_OK || ci.ssl) {
        /* Never echo the URL: it holds the password. */
        snprintf(errbuf, errlen, "%s is not an amqp://user:pass@host:port/vhost URL", env);
        goto fail;
    }
    conn = amqp_new_connection();
    amqp_socket_t *sock = conn ? amqp_tcp_socket_new(conn) : NULL;
    if (!sock) {
        rc = RB_ENOMEM;
        snprintf(errbuf, errlen, "out of memory");
        goto fail;
    }
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    st = amqp_socket_open_noblock(sock, ci.host, ci.port, &tv);
    if (st != AMQP_STATUS_OK) {
        snprintf(errbuf, errlen, "cannot connect to the broker at %s:%d: %s",
                 ci.host, ci.port, amqp_error_string2(st));
        goto fail;
    }
    /* rabbitmq-c waits forever for synchronous replies unless told. */
    amqp_set_handshake_timeout(conn, &tv);
    amqp_set_rpc_timeout(conn, &tv);
    /* Heartbeats off: every call has its own deadline, and heartbeat frames
     * would add wire bytes that are not the RPC's. */
    amqp_rpc_reply_t r = amqp_login(conn, ci.vhost, 0, AMQP_DEFAULT_FRAME_SIZE, 0,
                                    AMQP_SASL_METHOD_PLAIN, ci.user, ci.password);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        snprintf(errbuf, errlen, "broker login as %s to vhost %s failed: %s",
                 ci.user, ci.vhost, rb_amqp_reply_str(r, why, sizeof why));
        goto fail;
    }
    amqp_channel_open(conn, RB_AMQP_CHANNEL);
    r = amqp_get_rpc_reply(conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL) {
        snprintf(errbuf, errlen, "cannot open a channel: %s",
                 rb_amqp_reply_str(r, why, sizeof why));
        goto fail;
    }
    *out = conn;
    return RB_OK;
fail:
    if (conn)
        amqp_destroy_connection(conn);
    return rc;
}

const char *rb_amqp_server_url_env = RB_AMQP_URL_ENV;

int rb_amqp_conn_open_env(const char *env, int timeout_ms, amqp_connection_state_t *out,
                          char *errbuf, size_t errlen)
{
    const char *val = getenv(env);
    *out = NULL;
    if (!val || !*val) {
        snprintf(errbuf, errlen, "%s is not set (scripts/broker start%s writes it "
                 "to .run/broker.env)", env, strcmp(env, RB_AMQP_URL_ENV) ? " --nodes 3" : "");
        return RB_ECONNECT;
    }
    char *urls = strdup(val), *save = NULL;   /* cut in place: a copy */
    if (!urls) {
        snprintf(errbuf, errlen, "out of memory");
        return RB_ENOMEM;
    }
    int rc = RB_ECONNECT;
    for (char *u = strtok_r(urls, ",", &save); u && rc == RB_ECONNECT; u = strtok_r(NULL, ",", &save))
        rc = open_one(env, u, timeout_ms, out, errbuf, errlen);   /* the next node on failure */
    free(urls);
    return rc;
}

int rb_amqp_conn_open(int timeout_ms, amqp_connection_state_t *out,
                      char *errbuf, size_t errlen)
{
    return rb_amqp_conn_open_env(rb_amqp_server_url_env, timeout_ms, out, errbuf, errlen);
}

void rb_amqp_conn_close(amqp_connection_state_t *conn)
{
    if (!conn || !*conn)
        return;
    /* connection.close is one round trip, bounded by the RPC timeout; on a
     * broken socket it fails at once. */
    amqp_connection_close(*conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(*conn);
    *conn = NULL;
}
