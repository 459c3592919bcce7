/* grpc_loop.c - test helper: N verified calls over one grpc client.
 *
 *   grpc_loop HOST:PORT CALLS [ENTRIES]
 *
 * Calls cycle fib(0..92), getObj (checked against ENTRIES, default 100) and
 * sendObj of 10 entries, each reply verified; every 100th call is fib(93),
 * which must fail with RB_EINVAL (the error path is exercised too). Prints
 * "N passed, N failed" and exits 0 only when every call was as expected.
 * Used by the leak test, which runs it (and the server) under valgrind.
 */
#include <stdio.h>
#include <stdlib.h>

#include "transport.h"

extern const rb_transport rb_transport_grpc;
const rb_transport *const rb_transports[] = {&rb_transport_grpc, NULL};

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: grpc_loop HOST:PORT CALLS [ENTRIES]\n");
        return 2;
    }
    long calls = strtol(argv[2], NULL, 10);
    size_t entries = argc > 3 ? (size_t)strtoul(argv[3], NULL, 10) : RB_DEFAULT_ENTRIES;
    long passed = 0, failed = 0;
    rb_client *c = NULL;
    rb_obj got = RB_OBJ_INIT, send = RB_OBJ_INIT;
    char err[256];
    rb_client_opts o = {.endpoint = argv[1], .timeout_ms = 30000};

    if (rb_transport_grpc.init() != RB_OK || rb_obj_fill(&send, "client", 10) != RB_OK)
        return 2;
    if (rb_connect(&rb_transport_grpc, &o, &c, err, sizeof err) != RB_OK) {
        fprintf(stderr, "grpc_loop: connect: %s\n", err);
        failed++;
        goto done;
    }
    for (long i = 0; i < calls; i++) {
        int ok;
        if (i % 100 == 99) {
            int64_t v;
            ok = rb_call_fib(c, 93, &v) == RB_EINVAL;
        } else if (i % 3 == 0) {
            int64_t v = -1, want = 0;
            rb_fib(i % 93, &want);
            ok = rb_call_fib(c, i % 93, &v) == RB_OK && v == want;
        } else if (i % 3 == 1) {
            ok = rb_call_get_obj(c, &got) == RB_OK && rb_obj_is_pattern(&got, "server", entries);
        } else {
            int64_t n = -1;
            ok = rb_call_send_obj(c, &send, &n) == RB_OK && n == 10;
        }
        if (ok) {
            passed++;
        } else {
            if (failed++ < 5)
                fprintf(stderr, "grpc_loop: call %ld: %s\n", i, c->errstr);
        }
    }
done:
    rb_close(&c);
    rb_obj_free(&got);
    rb_obj_free(&send);
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed ? 1 : 0;
}
