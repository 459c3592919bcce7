/* The --fault parser, the classes of the accounting, recovery times, the
 * timeline, and the journal's writer and reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault/fault.h"
#include "fault/fault_account.h"
#include "fault/fault_run.h"
#include "rb_journal.h"
#include "rb_service.h"
#include "transport.h"

/* fault_run links the servers' code, which looks transports up by name:
 * this test has none. */
const rb_transport *const rb_transports[] = { NULL };

static void parse_ok(void **state)
{
    (void)state;
    rb_fault_spec f;
    char err[512];
    assert_int_equal(rb_fault_parse("server-kill:500ms@1s", &f, err, sizeof err), RB_OK);
    assert_int_equal(f.kind, RB_FAULT_SERVER_KILL);
    assert_int_equal(f.duration_ms, 500);
    assert_int_equal(f.at_ms, 1000);
    assert_int_equal(rb_fault_parse("server-stall", &f, err, sizeof err), RB_OK);
    assert_int_equal(f.kind, RB_FAULT_SERVER_STALL);
    assert_int_equal(f.duration_ms, 500);      /* the kind's default */
    assert_int_equal(f.at_ms, -1);             /* the runner's default */
    assert_int_equal(rb_fault_parse("partition:1.5s", &f, err, sizeof err), RB_OK);
    assert_int_equal(f.duration_ms, 1500);
    assert_int_equal(rb_fault_parse("conn-reset@250ms", &f, err, sizeof err), RB_OK);
    assert_int_equal(f.kind, RB_FAULT_CONN_RESET);
    assert_int_equal(f.at_ms, 250);
    assert_int_equal(rb_fault_parse("broker-node-kill:2s@0ms", &f, err, sizeof err), RB_OK);
    assert_int_equal(f.kind, RB_FAULT_BROKER_NODE_KILL);
    assert_int_equal(f.duration_ms, 2000);
    assert_int_equal(f.at_ms, 0);
    assert_true(rb_fault_needs(RB_FAULT_PARTITION) & RB_FAULT_NEEDS_NETADM);
    assert_true(rb_fault_needs(RB_FAULT_BROKER_KILL) & RB_FAULT_NEEDS_BROKER);
    assert_true(rb_fault_needs(RB_FAULT_SERVER_KILL) & RB_FAULT_NEEDS_SERVER);
    assert_string_equal(rb_fault_kind_name(RB_FAULT_BROKER_RESTART), "broker-restart");
}

/* Each bad value is refused with a message that quotes it. */
static void parse_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "server-kil", "server-kill:", "server-kill:500", "server-kill:5m", "server-kill:-1s",
        "server-kill@", "server-kill@1h", "server-kill:2s@x", "conn-reset:1s", "", ":1s",
        "server-kill:3601s", "partition:1s@1s@2s",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        rb_fault_spec f;
        char err[512] = "";
        assert_int_equal(rb_fault_parse(bad[i], &f, err, sizeof err), RB_EINVAL);
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        if (!strstr(err, quoted))
            fail_msg("error for %s does not quote it: %s", bad[i], err);
    }
}

static rb_call_rec rec(uint64_t id, int accepted, int outcome)
{
    return (rb_call_rec){ .id = id, .accepted = (uint8_t)accepted, .outcome = (uint8_t)outcome,
                          .fail_kind = outcome == RB_OUTCOME_UNANSWERED ? RB_FAIL_TIMEOUT
                                       : outcome == RB_OUTCOME_FAILED ? RB_FAIL_CONNECT : 0 };
}

static void classify_cases(void **state)
{
    (void)state;
    rb_call_rec ok = rec(1, 1, RB_OUTCOME_OK), failed = rec(2, 1, RB_OUTCOME_FAILED),
                refused = rec(3, 0, RB_OUTCOME_FAILED), silent = rec(4, 1, RB_OUTCOME_UNANSWERED);
    assert_int_equal(rb_call_classify(&ok, 1), RB_CLASS_OK);
    assert_int_equal(rb_call_classify(&ok, 2), RB_CLASS_DUPLICATED);
    assert_int_equal(rb_call_classify(&failed, 1), RB_CLASS_AMBIGUOUS);
    assert_int_equal(rb_call_classify(&silent, 1), RB_CLASS_AMBIGUOUS);
    assert_int_equal(rb_call_classify(&failed, 0), RB_CLASS_LOST);
    assert_int_equal(rb_call_classify(&silent, 0), RB_CLASS_LOST);
    assert_int_equal(rb_call_classify(&refused, 0), RB_CLASS_REFUSED);
    assert_int_equal(rb_call_classify(&refused, 1), RB_CLASS_AMBIGUOUS);
    assert_int_equal(rb_call_classify(&failed, 3), RB_CLASS_DUPLICATED);
    assert_string_equal(rb_call_class_name(RB_CLASS_LOST), "lost");
}

#define MS 1000000ull

/* A known run: a closed loop at 1 call/ms, fault at 1000 ms, nothing ok
 * between 1000 and 1300 ms, back from 1300 ms. */
static void account_known_run(void **state)
{
    (void)state;
    enum { N = 2000 };
    rb_call_rec *r = calloc(N, sizeof *r);
    rb_journal j = { .ids = calloc(N + 2, sizeof(uint64_t)) };
    for (uint64_t i = 0; i < N; i++) {
        r[i].id = i;
        r[i].start_ns = i * MS;
        r[i].end_ns = i * MS + MS / 2;
        r[i].accepted = 1;
        int down = i >= 1000 && i < 1300;
        r[i].outcome = down ? RB_OUTCOME_FAILED : RB_OUTCOME_OK;
        r[i].fail_kind = RB_FAIL_CONNECT;
        if (i >= 1000 && i < 1100)
            r[i].accepted = 0;                      /* refused */
        if (!down || (i >= 1200 && i < 1210))       /* 10 ambiguous */
            j.ids[j.n++] = i;
        if (i == 5 || i == 1200)                    /* 2 duplicated */
            j.ids[j.n++] = i;
    }
    /* the reader sorts; this test builds the journal by hand: sort it */
    for (size_t a = 1; a < j.n; a++)
        for (size_t b = a; b > 0 && j.ids[b - 1] > j.ids[b]; b--) {
            uint64_t t = j.ids[b];
            j.ids[b] = j.ids[b - 1];
            j.ids[b - 1] = t;
        }
    rb_fault_counts c;
    rb_fault_account(r, N, &j, 1000 * MS, 1000.0, N * MS, &c);
    assert_int_equal(c.calls, N);
    assert_int_equal(c.cls[RB_CLASS_DUPLICATED], 2);
    assert_int_equal(c.cls[RB_CLASS_AMBIGUOUS], 9);   /* 1200 is duplicated */
    assert_int_equal(c.cls[RB_CLASS_REFUSED], 100);
    assert_int_equal(c.cls[RB_CLASS_LOST], 300 - 100 - 10);
    assert_int_equal(c.cls[RB_CLASS_OK], N - 300 - 1);
    uint64_t sum = 0;
    for (int k = 0; k < RB_CLASS__COUNT; k++)
        sum += c.cls[k];
    assert_int_equal(sum, N);
    assert_int_equal(c.failed_by_kind[RB_FAIL_CONNECT], 300);
    assert_int_equal(c.answered_unexecuted, 0);
    assert_true(fabs(c.first_ok_ms - 300.5) < 1e-6);
    /* buckets of 100 ms from 1000: [1000,1100) .. [1200,1300) have no ok,
     * [1300,1400) and on have 100 each */
    assert_true(fabs(c.rate_restored_ms - 300.0) < 1e-6);
    rb_fault_account(r, N, &j, 1000 * MS, 0, N * MS, &c);
    assert_true(isnan(c.rate_restored_ms));
    free(r);
    free(j.ids);
}

static void timeline_buckets(void **state)
{
    (void)state;
    rb_call_rec r[4] = {
        { .start_ns = 0, .end_ns = 10 * MS, .outcome = RB_OUTCOME_OK },
        { .start_ns = 0, .end_ns = 50 * MS, .outcome = RB_OUTCOME_OK },
        { .start_ns = 100 * MS, .end_ns = 150 * MS, .outcome = RB_OUTCOME_FAILED },
        { .start_ns = 200 * MS, .end_ns = 210 * MS, .outcome = RB_OUTCOME_OK },
    };
    rb_fault_bucket *b = NULL;
    size_t nb = 0;
    assert_int_equal(rb_fault_timeline(r, 4, 0, 350 * MS, 100, &b, &nb), RB_OK);   /* 3.5 buckets: 3 */
    assert_int_equal(nb, 3);
    assert_int_equal(b[0].calls, 2);
    assert_int_equal(b[0].failures, 0);
    assert_true(fabs(b[0].p50_us - 10000) < 1e-6);
    assert_true(fabs(b[0].max_us - 50000) < 1e-6);
    assert_int_equal(b[1].calls, 1);
    assert_int_equal(b[1].failures, 1);
    assert_true(isnan(b[1].p99_us));
    assert_true(fabs(b[2].t_ms - 200) < 1e-6);
    assert_true(fabs(b[2].p99_us - 10000) < 1e-6);
    free(b);
}

/* The server's side writes one 8-byte record per executed sendObj that
 * carries the key; the reader counts them per id. */
static void journal_roundtrip(void **state)
{
    (void)state;
    char path[] = "/tmp/rb_journal_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    setenv(RB_JOURNAL_ENV, path, 1);   /* before the first sendObj */
    rb_obj o = RB_OBJ_INIT;
    int64_t ack = 0;
    rb_obj_add(&o, RB_JOURNAL_KEY, strlen(RB_JOURNAL_KEY), 7);
    rb_obj_add(&o, "client:0", 8, 0);
    assert_int_equal(rb_service_send_obj(&o, &ack), RB_OK);
    assert_int_equal(ack, 2);
    assert_int_equal(rb_service_send_obj(&o, &ack), RB_OK);
    o.entries[0].value = (int64_t)1 << 40;
    assert_int_equal(rb_service_send_obj(&o, &ack), RB_OK);
    rb_obj_clear(&o);
    rb_obj_add(&o, "client:0", 8, 0);
    rb_obj_add(&o, RB_JOURNAL_KEY, strlen(RB_JOURNAL_KEY), 9);   /* not first */
    assert_int_equal(rb_service_send_obj(&o, &ack), RB_OK);
    rb_obj_clear(&o);
    rb_obj_add(&o, "client:0", 8, 0);                            /* no key */
    assert_int_equal(rb_service_send_obj(&o, &ack), RB_OK);
    rb_obj_free(&o);

    rb_journal j;
    assert_int_equal(rb_journal_load(path, &j), RB_OK);
    assert_int_equal(j.n, 4);
    assert_int_equal(j.torn, 0);
    assert_int_equal(rb_journal_executions(&j, 7), 2);
    assert_int_equal(rb_journal_executions(&j, 9), 1);
    assert_int_equal(rb_journal_executions(&j, (uint64_t)1 << 40), 1);
    assert_int_equal(rb_journal_executions(&j, 8), 0);
    rb_journal_free(&j);

    FILE *f = fopen(path, "ab");            /* a torn last record */
    fwrite("abc", 1, 3, f);
    fclose(f);
    assert_int_equal(rb_journal_load(path, &j), RB_OK);
    assert_int_equal(j.n, 4);
    assert_int_equal(j.torn, 1);
    rb_journal_free(&j);
    unlink(path);
    assert_int_equal(rb_journal_load(path, &j), RB_OK);   /* missing: empty */
    assert_int_equal(j.n, 0);
    rb_journal_free(&j);
}

/* What the transport reported wins; without a report the error decides. */
static void accepted_from_client_or_error(void **state)
{
    (void)state;
    static const rb_transport t = { .name = "fake" };
    rb_server_proc sp = { .pid = 0 };
    rb_fault_spec f = { .kind = RB_FAULT_CONN_RESET, .at_ms = 0 };
    rb_fault_run *fr = rb_fault_run_new(&f, &t, 1, &sp, 1, 1000, 1000, 0);
    assert_non_null(fr);
    rb_fault_run_call(fr, 0, 0, 1, 2, RB_ECONNECT, 0, 0);          /* no connection */
    rb_fault_run_call(fr, 0, 101, 1, 2, RB_ETIMEDOUT, 0, 0);       /* never confirmed */
    rb_fault_run_call(fr, 0, 102, 1, 2, RB_ETIMEDOUT, 0, 1);       /* confirmed, no reply */
    rb_fault_run_call(fr, 0, 103, 1, 2, RB_ECLOSED, 0, -1);        /* written: lost */
    rb_fault_run_call(fr, 0, 104, 1, 2, RB_ENOSERVER, 0, -1);      /* unrouted: refused */
    rb_fault_run_call(fr, 0, 105, 1, 2, RB_ECONNECT, 0, -1);       /* reconnect inside */
    rb_fault_round *out = NULL;
    rb_fault_run_finish(&fr, 3, &out);   /* no journal: nothing executed */
    assert_null(fr);
    assert_non_null(out);
    assert_int_equal(out->counts.calls, 6);
    assert_int_equal(out->counts.cls[RB_CLASS_REFUSED], 4);
    assert_int_equal(out->counts.cls[RB_CLASS_LOST], 2);
    assert_int_equal(out->counts.unanswered, 2);
    rb_fault_round_free(&out);
    assert_null(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_ok),
        cmocka_unit_test(parse_errors),
        cmocka_unit_test(classify_cases),
        cmocka_unit_test(account_known_run),
        cmocka_unit_test(timeline_buckets),
        cmocka_unit_test(journal_roundtrip),
        cmocka_unit_test(accepted_from_client_or_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
