/* nats_js.c - JetStream for nats-js: the work-queue stream and durable
 * consumer a server makes sure of, and the client's reading of a PubAck. */
#include "nats_int.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#define JS_CONSUMER "workers"
#define JS_ACK_WAIT_NS (2 * 1000000000LL)      /* redelivery after a lost worker */
#define JS_MAX_AGE_NS (3600 * 1000000000LL)    /* requests nobody took: gone after 1 h */
#define JS_MAX_DELIVER 5                       /* a request that kills its worker */

int rb_nats_js_stream_name(const char *q, char *out, size_t outlen)
{
    size_t n = strlen(q);
    if (n + 1 > outlen)
        return RB_ETOOBIG;
    for (size_t i = 0; i <= n; i++)
        out[i] = strchr(". \t/\\*>", q[i]) && q[i] ? '_' : q[i];
    return RB_OK;
}

const char *rb_nats_js_consumer(void)
{
    return JS_CONSUMER;
}

/* The stream: created, or updated when one of the name exists with
 * another configuration (another max_request). */
static int ensure_stream(jsCtx *js, const char *name, const char *subject, size_t max_request,
                         char *errbuf, size_t errlen)
{
    jsStreamConfig sc;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    const char *subjects[1] = { subject };
    jsStreamConfig_Init(&sc);
    sc.Name = name;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Retention = js_WorkQueuePolicy;
    sc.Storage = js_FileStorage;
    sc.MaxAge = JS_MAX_AGE_NS;
    sc.MaxMsgSize = max_request > INT32_MAX - 4096 ? -1 : (int32_t)(max_request + 4096);
    natsStatus s = js_AddStream(&si, js, &sc, NULL, &jerr);
    if (s != NATS_OK && jerr == JSStreamNameExistErr)
        s = js_UpdateStream(&si, js, &sc, NULL, &jerr);
    jsStreamInfo_Destroy(si);
    if (s == NATS_OK)
        return RB_OK;
    snprintf(errbuf, errlen, "cannot create JetStream stream %s for %s: %s (error %d: %s)",
             name, subject, natsStatus_GetText(s), (int)jerr, nats_GetLastError(NULL));
    return RB_ECONNECT;
}

int rb_nats_js_setup(jsCtx *js, const char *q, size_t max_request, char *errbuf, size_t errlen)
{
    char name[RB_NATS_MAX_QUEUE + 1], subject[RB_NATS_MAX_QUEUE + 3];
    jsConsumerConfig cc;
    jsConsumerInfo *ci = NULL;
    jsErrCode jerr = 0;
    if (rb_nats_js_stream_name(q, name, sizeof name) != RB_OK)
        return RB_EINVAL;
    snprintf(subject, sizeof subject, "%s.*", q);
    int rc = ensure_stream(js, name, subject, max_request, errbuf, errlen);
    if (rc != RB_OK)
        return rc;
    jsConsumerConfig_Init(&cc);
    cc.Durable = JS_CONSUMER;
    cc.AckPolicy = js_AckExplicit;
    cc.AckWait = JS_ACK_WAIT_NS;
    cc.MaxDeliver = JS_MAX_DELIVER;
    cc.DeliverPolicy = js_DeliverAll;
    natsStatus s = js_AddConsumer(&ci, js, name, &cc, NULL, &jerr);
    jsConsumerInfo_Destroy(ci);
    if (s == NATS_OK)
        return RB_OK;
    snprintf(errbuf, errlen, "cannot create JetStream consumer %s on stream %s: %s (error %d: %s)",
             JS_CONSUMER, name, natsStatus_GetText(s), (int)jerr, nats_GetLastError(NULL));
    return RB_ECONNECT;
}

int rb_nats_js_puback(const char *body, size_t len, char *why, size_t whylen)
{
    json_error_t e;
    json_t *j = json_loadb(body, len, 0, &e);
    json_t *err = j ? json_object_get(j, "error") : NULL;
    int rc = RB_OK;
    if (!j) {
        snprintf(why, whylen, "JetStream's answer is not JSON");
        rc = RB_ESERVER;
    } else if (err) {
        json_int_t code = json_integer_value(json_object_get(err, "err_code"));
        const char *d = json_string_value(json_object_get(err, "description"));
        snprintf(why, whylen, "JetStream refused the request: %s (error %lld)",
                 d ? d : "no description", (long long)code);
        rc = code == JSStreamMessageExceedsMaximumErr ? RB_ETOOBIG : RB_ESERVER;
    } else if (!json_object_get(j, "seq")) {
        snprintf(why, whylen, "JetStream's answer has no sequence number");
        rc = RB_ESERVER;
    }
    json_decref(j);
    return rc;
}
