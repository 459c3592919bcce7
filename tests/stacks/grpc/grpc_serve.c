/* grpc_serve.c - test helper: the grpc server alone, for the leak test's
 * LeakSanitizer build (the rpcbench executable is not built with it).
 *
 *   grpc_serve HOST:PORT [THREADS]
 *
 * Prints "ready HOST:PORT" like `rpcbench serve grpc`, serves until SIGTERM
 * or SIGINT, and exits 0 after a clean shutdown (LeakSanitizer then checks
 * the heap at exit and exits 23 on a leak).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"

extern const rb_transport rb_transport_grpc;
const rb_transport *const rb_transports[] = {&rb_transport_grpc, NULL};

static void on_signal(int sig)
{
    (void)sig;
    rb_serve_stop = 1;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    rb_server_opts o = {
        .listen = argc > 1 ? argv[1] : NULL,
        .entries = RB_DEFAULT_ENTRIES,
        .threads = argc > 2 ? atoi(argv[2]) : 1,
        .max_request = RB_DEFAULT_MAX_REQUEST,
    };
    if (rb_transport_grpc.init() != RB_OK)
        return 2;
    return rb_transport_grpc.serve(&o) == RB_OK ? 0 : 1;
}
