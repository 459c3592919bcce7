/* grpc.c - the grpc transport's table (transport.h) and its library
 * versions: the client is in client.c, the server in server.c, what both
 * use in common.c. */
#include "rb_grpc.h"

#include <pthread.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_str[128];

static void do_version(void)
{
    snprintf(version_str, sizeof version_str, "grpc-core %s, protobuf-c %s",
             grpc_version_string(), protobuf_c_version());
}

static const char *grpc_tr_version(void)
{
    pthread_once(&version_once, do_version);
    return version_str;
}

const rb_transport rb_transport_grpc = {
    .name = "grpc",
    .description = "gRPC C core (HTTP/2) + protobuf-c, services/rpcbench.proto",
    .default_endpoint = RB_GRPC_DEFAULT_ENDPOINT,
    .broker = RB_BROKER_NONE,
    .order = 50,
    .wire = "HTTP/2 + protobuf",
    .props = {
        .human_readable = "no (HTTP/2 + protobuf)",
        .schema = "yes (.proto)",
        .streaming = "yes: client, server, bidirectional",
        .stdlib = "no: generated code + gRPC library (official for ~11 languages)",
        .restart = "the call in flight fails (UNAVAILABLE); the channel reconnects",
    },
    .packages = {
        { "grpc", "libgrpc29" },
        { "protobuf-c", "libprotobuf-c1" },
    },
    .init = rb_grpc_global_init,
    .version = grpc_tr_version,
    .connect = rb_grpc_connect,
    .fib = rb_grpc_fib,
    .get_obj = rb_grpc_get_obj,
    .send_obj = rb_grpc_send_obj,
    .close = rb_grpc_close,
    .serve = rb_grpc_serve,
};
