/* zmq_restart_client - drives one zmq client for a while and prints what
 * each call gave, run-length encoded, for test_restart.py:
 *
 *   zmq_restart_client HOST:PORT DURATION_MS TIMEOUT_MS
 *
 * Calls fib(30) back to back (1 ms apart) on ONE client that is never
 * reconnected by this program. Output, one line per run of equal outcomes:
 *   "OK <calls>"            verified replies (F(30) = 832040)
 *   "WRONG <calls>"         a reply with another value
 *   "<ERRNAME> <calls>"     e.g. "ETIMEDOUT 3"
 * and last "stale <n>": replies the client discarded.
 * Exit status 0, or 2 on bad arguments / connect failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rb_zmq.h"

const rb_transport *const rb_transports[] = { &rb_transport_zmq, NULL };

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s HOST:PORT DURATION_MS TIMEOUT_MS\n", argv[0]);
        return 2;
    }
    rb_client_opts o = { .endpoint = argv[1], .timeout_ms = atoi(argv[3]) };
    uint64_t end = rb_now_ns() + (uint64_t)atoll(argv[2]) * 1000000u;
    rb_client *c = NULL;
    char err[256];
    if (rb_transport_zmq.init() != RB_OK ||
        rb_connect(&rb_transport_zmq, &o, &c, err, sizeof err) != RB_OK) {
        fprintf(stderr, "connect: %s\n", err);
        return 2;
    }
    const char *cur = NULL;
    long run = 0;
    while (rb_now_ns() < end) {
        int64_t r = 0;
        int rc = rb_call_fib(c, 30, &r);
        const char *what = rc ? rb_err_name(rc) : r == 832040 ? "OK" : "WRONG";
        if (cur && strcmp(cur, what) != 0) {
            printf("%s %ld\n", cur, run);
            run = 0;
        }
        if (rc && (!cur || strcmp(cur, what) != 0))
            fprintf(stderr, "%s\n", c->errstr);
        cur = what;
        run++;
        nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
    }
    if (cur)
        printf("%s %ld\n", cur, run);
    printf("stale %llu\n", (unsigned long long)c->stale_replies);
    rb_close(&c);
    return 0;
}
