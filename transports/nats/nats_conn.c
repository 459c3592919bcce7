/* nats_conn.c - the NATS library, the broker connection, cnats statuses
 * as RB_E* codes, and the checks of queue names and reply subjects. */
#include "nats_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int rb_nats_init(void)
{
    return nats_Open(-1) == NATS_OK ? RB_OK : RB_EIO;
}

const char *rb_nats_version(void)
{
    static char v[64];
    if (!v[0])
        snprintf(v, sizeof v, "cnats %s, jansson %s", nats_GetVersion(), jansson_version_str());
    return v;
}

int rb_nats_err(natsStatus s)
{
    switch (s) {
    case NATS_OK:
        return RB_OK;
    case NATS_TIMEOUT:
        return RB_ETIMEDOUT;
    case NATS_NO_RESPONDERS:
        return RB_ENOSERVER;
    case NATS_MAX_PAYLOAD:
        return RB_ETOOBIG;
    case NATS_NO_MEMORY:
        return RB_ENOMEM;
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_STALE_CONNECTION:
    case NATS_IO_ERROR:
        return RB_ECLOSED;
    default:
        return RB_EIO;
    }
}

/* Asynchronous errors (a slow consumer dropping messages) are counted by
 * the caller's deadlines; the library's default would print each one. */
static void quiet(natsConnection *nc, natsSubscription *sub, natsStatus err, void *closure)
{
    (void)nc;
    (void)sub;
    (void)err;
    (void)closure;
}

/* The options of every connection: the URL, its deadline and reconnects. */
static natsStatus set_options(natsOptions *o, const char *url, const char *name, int timeout_ms)
{
    natsStatus s = natsOptions_SetURL(o, url);
    if (s == NATS_OK)
        s = natsOptions_SetName(o, name);
    if (s == NATS_OK)
        s = natsOptions_SetTimeout(o, timeout_ms);
    if (s == NATS_OK)   /* each publish goes out at once, not at the flusher's pace */
        s = natsOptions_SetSendAsap(o, true);
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(o, -1);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(o, 100);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectJitter(o, 0, 0);
    if (s == NATS_OK)   /* only our server: no other URL the broker tells */
        s = natsOptions_SetIgnoreDiscoveredServers(o, true);
    if (s == NATS_OK)
        s = natsOptions_SetNoRandomize(o, true);
    if (s == NATS_OK)
        s = natsOptions_SetErrorHandler(o, quiet, NULL);
    return s;
}

int rb_nats_connect(const char *name, int timeout_ms, natsConnection **out,
                    char *errbuf, size_t errlen)
{
    natsOptions *o = NULL;
    const char *url = getenv(RB_NATS_URL_ENV);
    *out = NULL;
    if (!url || !*url) {
        snprintf(errbuf, errlen, "%s is not set (scripts/broker --broker nats start, "
                 "then source .run/broker.env)", RB_NATS_URL_ENV);
        return RB_ECONNECT;
    }
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK)
        s = set_options(o, url, name, timeout_ms);
    if (s == NATS_OK)
        s = natsConnection_Connect(out, o);
    natsOptions_Destroy(o);
    if (s == NATS_OK)
        return RB_OK;
    /* the URL holds the password: name only the host part */
    const char *at = strrchr(url, '@');
    snprintf(errbuf, errlen, "cannot connect to the NATS broker at %s: %s (%s)",
             at ? at + 1 : url, natsStatus_GetText(s), nats_GetLastError(NULL));
    *out = NULL;
    return s == NATS_NO_MEMORY ? RB_ENOMEM : RB_ECONNECT;
}

/* Printable ASCII, no blank; tokens between '.' neither empty nor a
 * wildcard ('*' or '>'). */
static int subject_ok(const char *s, size_t len)
{
    size_t tok = 0;
    if (len == 0 || len > 255)
        return 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            if (tok == 0 || (tok == 1 && (s[i - 1] == '*' || s[i - 1] == '>')))
                return 0;
            tok = 0;
            continue;
        }
        if (s[i] <= 0x20 || s[i] >= 0x7f)
            return 0;
        tok++;
    }
    return 1;
}

int rb_nats_queue_ok(const char *q)
{
    size_t n = strlen(q);
    return n <= RB_NATS_MAX_QUEUE && q[0] != '$' && subject_ok(q, n) &&
           !strpbrk(q, "*>");
}

int rb_nats_reply_ok(const char *s, size_t len, const char *prefix)
{
    size_t p = strlen(prefix);
    if (!s || !subject_ok(s, len) || s[0] == '$')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '*' || s[i] == '>')
            return 0;
    return !(len > p && memcmp(s, prefix, p) == 0 && s[p] == '.');
}
