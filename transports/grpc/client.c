/* client.c - the grpc transport's client: one channel (one HTTP/2
 * connection) per client, reused for every call; each call is one unary
 * call made of a single batch on the client's own pluck completion queue,
 * with a deadline.
 *
 * Every call is its own HTTP/2 stream, so a late reply can never be taken for
 * the answer of a later call: the library drops it with its stream, and
 * stale_replies stays 0.
 */
#include "rb_grpc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <protobuf-c/protobuf-c.h>

extern const rb_transport rb_transport_grpc;

typedef struct grpc_client {
    rb_client base;               /* first member: rb_client * works */
    grpc_channel *ch;
    grpc_completion_queue *cq;    /* pluck queue: this client's calls only */
    void *m_fib;                  /* registered method handles of ch */
    void *m_get_obj;
    void *m_send_obj;
    rb_grpc_objview view;         /* sendObj's request, reused */
} grpc_client;

/* Extra time a pluck waits past the call's deadline before we cancel the
 * call ourselves: the library ends the call at its deadline, this only guards
 * against it not doing so. */
#define PLUCK_GRACE_MS 1000

static gpr_timespec deadline_in(int ms)
{
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                        gpr_time_from_millis(ms, GPR_TIMESPAN));
}

/* Drop the last events of cq and free it and the channel. */
static void client_free(grpc_client *gc)
{
    if (gc->ch)
        grpc_channel_destroy(gc->ch);
    if (gc->cq) {
        grpc_completion_queue_shutdown(gc->cq);
        /* Every batch was plucked, so the queue is empty: this returns
         * GRPC_QUEUE_SHUTDOWN at once. */
        grpc_completion_queue_pluck(gc->cq, NULL, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
        grpc_completion_queue_destroy(gc->cq);
    }
    rb_grpc_objview_free(&gc->view);
    free(gc);
}

/* Wait until the channel is READY (its connection is up) or the deadline:
 * the contract's connect makes the connection, where gRPC would connect
 * lazily on the first call. */
static int wait_ready(grpc_client *gc, const char *target, int timeout_ms,
                      char *errbuf, size_t errlen)
{
    gpr_timespec deadline = deadline_in(timeout_ms);
    gpr_timespec pluck_deadline = gpr_time_add(deadline, gpr_time_from_millis(PLUCK_GRACE_MS, GPR_TIMESPAN));
    grpc_connectivity_state st = grpc_channel_check_connectivity_state(gc->ch, 1);
    int tag;
    while (st != GRPC_CHANNEL_READY) {
        if (st == GRPC_CHANNEL_TRANSIENT_FAILURE || st == GRPC_CHANNEL_SHUTDOWN) {
            snprintf(errbuf, errlen, "grpc: cannot connect to %s (channel %s)", target,
                     st == GRPC_CHANNEL_SHUTDOWN ? "shut down" : "in transient failure");
            return RB_ECONNECT;
        }
        grpc_channel_watch_connectivity_state(gc->ch, st, deadline, gc->cq, &tag);
        grpc_event ev = grpc_completion_queue_pluck(gc->cq, &tag, pluck_deadline, NULL);
        if (ev.type != GRPC_OP_COMPLETE) {
            snprintf(errbuf, errlen, "grpc: completion queue failed while connecting");
            return RB_ECONNECT;
        }
        if (!ev.success) {
            snprintf(errbuf, errlen, "grpc: no connection to %s within %d ms", target, timeout_ms);
            return RB_ETIMEDOUT;
        }
        st = grpc_channel_check_connectivity_state(gc->ch, 0);
    }
    return RB_OK;
}

int rb_grpc_connect(const rb_client_opts *o, rb_client **out, char *errbuf, size_t errlen)
{
    int rc = RB_ENOMEM;
    const char *target = rb_endpoint_or_default(&rb_transport_grpc, o->endpoint);
    char host[256];
    int port;
    grpc_client *gc = NULL;
    grpc_channel_credentials *creds = NULL;

    *out = NULL;
    if (rb_parse_hostport(target, host, sizeof host, &port) != RB_OK) {
        snprintf(errbuf, errlen, "grpc: endpoint '%s' is not HOST:PORT", target);
        rc = RB_EINVAL;
        goto fail;
    }
    rb_grpc_global_init();
    gc = calloc(1, sizeof *gc);
    if (!gc)
        goto fail;

    /* - replies of any size (getObj with millions of entries; the default
     *   receive limit is 4 MiB);
     * - a subchannel (TCP connection) of its own per client: channels with
     *   the same target and arguments otherwise share one connection in a
     *   process, and the contract is one client = one connection;
     * - no retries: a failure is counted, never hidden. */
    grpc_arg args[] = {
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, .value.integer = -1},
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, .value.integer = 1},
        {.type = GRPC_ARG_INTEGER, .key = GRPC_ARG_ENABLE_RETRIES, .value.integer = 0},
    };
    grpc_channel_args cargs = {.num_args = sizeof args / sizeof args[0], .args = args};
    creds = grpc_insecure_credentials_create();
    if (!creds)
        goto fail;
    gc->ch = grpc_channel_create(target, creds, &cargs);
    gc->cq = grpc_completion_queue_create_for_pluck(NULL);
    if (!gc->ch || !gc->cq) {
        snprintf(errbuf, errlen, "grpc: cannot create channel to %s", target);
        rc = RB_ECONNECT;
        goto fail;
    }
    gc->m_fib = grpc_channel_register_call(gc->ch, RB_GRPC_PATH_FIB, NULL, NULL);
    gc->m_get_obj = grpc_channel_register_call(gc->ch, RB_GRPC_PATH_GET_OBJ, NULL, NULL);
    gc->m_send_obj = grpc_channel_register_call(gc->ch, RB_GRPC_PATH_SEND_OBJ, NULL, NULL);

    rc = wait_ready(gc, target, o->timeout_ms > 0 ? o->timeout_ms : RB_DEFAULT_TIMEOUT_MS, errbuf, errlen);
    if (rc)
        goto fail;
    grpc_channel_credentials_release(creds);
    gc->base.timeout_ms = o->timeout_ms;
    *out = &gc->base;
    return RB_OK;

fail:
    if (creds)
        grpc_channel_credentials_release(creds);
    if (gc)
        client_free(gc);
    return rc;
}

void rb_grpc_close(rb_client *c)
{
    if (c)
        client_free((grpc_client *)c);
}

/* One unary call: send req on method, wait for the reply or the deadline.
 * On RB_OK *reply is the reply message (caller destroys it); on error
 * c->errstr says why. */
/* What the batch of a unary call received besides the reply. */
typedef struct unary_result {
    grpc_metadata_array md_initial, md_trailing;
    grpc_status_code status;
    grpc_slice details;
    const char *error_string;    /* gpr_free */
} unary_result;

/* Start the one batch of a unary call (send everything, receive
 * everything) and wait for it until its deadline plus PLUCK_GRACE_MS; past
 * that, cancel the call and wait for the batch, so that nothing refers to
 * our buffers. Returns RB_OK when the batch completed (r->status says how
 * the call ended), else an error with c->errstr set. */
static int run_batch(grpc_client *gc, grpc_call *call, gpr_timespec deadline,
                     grpc_byte_buffer *req_bb, grpc_byte_buffer **reply, unary_result *r)
{
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = req_bb;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &r->md_initial;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = reply;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &r->md_trailing;
    ops[5].data.recv_status_on_client.status = &r->status;
    ops[5].data.recv_status_on_client.status_details = &r->details;
    ops[5].data.recv_status_on_client.error_string = &r->error_string;

    grpc_call_error ce = grpc_call_start_batch(call, ops, 6, call, NULL);
    if (ce != GRPC_CALL_OK)
        return rb_client_fail(&gc->base, RB_ESERVER, "grpc: start_batch: %s",
                              grpc_call_error_to_string(ce));
    grpc_event ev = grpc_completion_queue_pluck(
        gc->cq, call, gpr_time_add(deadline, gpr_time_from_millis(PLUCK_GRACE_MS, GPR_TIMESPAN)), NULL);
    if (ev.type == GRPC_QUEUE_TIMEOUT) {
        /* The library did not end the call at its deadline: end it. */
        grpc_call_cancel_with_status(call, GRPC_STATUS_DEADLINE_EXCEEDED, "rpcbench: deadline", NULL);
        ev = grpc_completion_queue_pluck(gc->cq, call, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
    }
    if (ev.type != GRPC_OP_COMPLETE)
        return rb_client_fail(&gc->base, RB_ESERVER, "grpc: completion queue shut down");
    return RB_OK;
}

static int unary(grpc_client *gc, void *method, const ProtobufCMessage *req,
                 grpc_byte_buffer **reply)
{
    rb_client *c = &gc->base;
    int rc = RB_OK;
    size_t req_len = 0;
    unary_result r = {.status = GRPC_STATUS_UNKNOWN, .details = grpc_empty_slice()};
    grpc_byte_buffer *req_bb = NULL;
    grpc_call *call = NULL;

    *reply = NULL;
    grpc_metadata_array_init(&r.md_initial);
    grpc_metadata_array_init(&r.md_trailing);

    int timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : RB_DEFAULT_TIMEOUT_MS;
    gpr_timespec deadline = deadline_in(timeout_ms);
    call = grpc_channel_create_registered_call(gc->ch, NULL, GRPC_PROPAGATE_DEFAULTS,
                                               gc->cq, method, deadline, NULL);
    if (!call) {
        rc = rb_client_fail(c, RB_ECONNECT, "grpc: cannot create call");
        goto done;
    }
    req_bb = rb_grpc_pack(req, &req_len);
    c->req_body_bytes = req_len;
    rc = run_batch(gc, call, deadline, req_bb, reply, &r);
    if (rc)
        goto done;
    if (r.status != GRPC_STATUS_OK) {
        rc = rb_grpc_status_to_rb(r.status);
        int dl = (int)GRPC_SLICE_LENGTH(r.details);
        const char *es = r.error_string && rc != RB_EINVAL ? r.error_string : NULL;
        rb_client_fail(c, rc, "grpc status %s (%d): %.*s%s%s", rb_grpc_status_name(r.status),
                       (int)r.status, dl > 160 ? 160 : dl,
                       (const char *)GRPC_SLICE_START_PTR(r.details), es ? " | " : "", es ? es : "");
        goto done;
    }
    if (!*reply) {
        rc = rb_client_fail(c, RB_EPROTO, "grpc: status OK without a reply message");
        goto done;
    }
    c->rep_body_bytes = grpc_byte_buffer_length(*reply);

done:
    if (rc && *reply) {
        grpc_byte_buffer_destroy(*reply);
        *reply = NULL;
    }
    if (req_bb)
        grpc_byte_buffer_destroy(req_bb);
    if (call)
        grpc_call_unref(call);
    grpc_metadata_array_destroy(&r.md_initial);
    grpc_metadata_array_destroy(&r.md_trailing);
    grpc_slice_unref(r.details);
    if (r.error_string)
        gpr_free((void *)r.error_string);
    return rc;
}

int rb_grpc_fib(rb_client *c, int64_t n, int64_t *result)
{
    grpc_client *gc = (grpc_client *)c;
    /* The schema's n is int32: a value outside it cannot be sent as given
     * (truncating 2^32 to 0 would turn an invalid call into a valid one). */
    if (n < INT32_MIN || n > INT32_MAX)
        return rb_client_fail(c, RB_EINVAL, "grpc: n=%lld does not fit FibRequest.n (int32)", (long long)n);
    Rpcbench__FibRequest req = RPCBENCH__FIB_REQUEST__INIT;
    req.n = (int32_t)n;
    grpc_byte_buffer *bb = NULL;
    int rc = unary(gc, gc->m_fib, &req.base, &bb);
    if (rc)
        return rc;
    size_t len;
    Rpcbench__FibReply *rep = (Rpcbench__FibReply *)rb_grpc_unpack(&rpcbench__fib_reply__descriptor, bb, &len);
    grpc_byte_buffer_destroy(bb);
    if (!rep)
        return rb_client_fail(c, RB_EPROTO, "grpc: undecodable FibReply (%zu bytes)", len);
    *result = rep->value;
    rpcbench__fib_reply__free_unpacked(rep, NULL);
    return RB_OK;
}

int rb_grpc_get_obj(rb_client *c, rb_obj *out)
{
    grpc_client *gc = (grpc_client *)c;
    Rpcbench__GetObjRequest req = RPCBENCH__GET_OBJ_REQUEST__INIT;
    grpc_byte_buffer *bb = NULL;
    rb_obj_clear(out);
    int rc = unary(gc, gc->m_get_obj, &req.base, &bb);
    if (rc)
        return rc;
    size_t len;
    Rpcbench__Obj *rep = (Rpcbench__Obj *)rb_grpc_unpack(&rpcbench__obj__descriptor, bb, &len);
    grpc_byte_buffer_destroy(bb);
    if (!rep)
        return rb_client_fail(c, RB_EPROTO, "grpc: undecodable Obj (%zu bytes)", len);
    rc = rb_grpc_obj_from_msg(rep, out);
    rpcbench__obj__free_unpacked(rep, NULL);
    if (rc == RB_EINVAL)
        return rb_client_fail(c, RB_EPROTO, "grpc: Obj reply holds a key rb_obj cannot store");
    if (rc)
        return rb_client_fail(c, rc, "grpc: cannot store the Obj reply");
    return RB_OK;
}

int rb_grpc_send_obj(rb_client *c, const rb_obj *obj, int64_t *count)
{
    grpc_client *gc = (grpc_client *)c;
    Rpcbench__Obj req;
    int rc = rb_grpc_objview_set(&gc->view, obj, &req);
    if (rc)
        return rb_client_fail(c, rc, "grpc: out of memory encoding Obj");
    grpc_byte_buffer *bb = NULL;
    rc = unary(gc, gc->m_send_obj, &req.base, &bb);
    if (rc)
        return rc;
    size_t len;
    Rpcbench__Ack *rep = (Rpcbench__Ack *)rb_grpc_unpack(&rpcbench__ack__descriptor, bb, &len);
    grpc_byte_buffer_destroy(bb);
    if (!rep)
        return rb_client_fail(c, RB_EPROTO, "grpc: undecodable Ack (%zu bytes)", len);
    *count = rep->count;
    rpcbench__ack__free_unpacked(rep, NULL);
    return RB_OK;
}
