/* test_report.c - unit tests of the report (results/read.c, hgrm.c, report_cli.c) and compare.c: spread overlap, the
 * compare verdict, the HdrHistogram text parser, the results.json loader,
 * report.md without gnuplot, and compare's table, on the fixtures in
 * tests/harness/report/fixtures (written by make_fixtures.py, so the answers are
 * known). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report/compare.h"
#include "results/hgrm.h"
#include "rb_error.h"
#include "report/report.h"
#include "results/read.h"
#include "results/results.h"
#include "transport.h"

#ifndef RB_REPORT_FIXTURES
#error "RB_REPORT_FIXTURES must name tests/harness/report/fixtures"
#endif

#define FIX RB_REPORT_FIXTURES

/* Doubles the fixtures write with 3 decimals or fewer. */
#define ASSERT_NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) < 1e-6)

static char tmpdir[256];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/rb-test-report-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_tmpdir(void **state)
{
    char cmd[512];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* The whole of a file, NUL-terminated; the caller frees. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long len;
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    len = ftell(f);
    rewind(f);
    buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

static void test_spread_overlap(void **state)
{
    (void)state;
    assert_int_equal(rb_spread_overlap(1, 2, 3, 4), 0);     /* a below b */
    assert_int_equal(rb_spread_overlap(3, 4, 1, 2), 0);     /* a above b */
    assert_int_equal(rb_spread_overlap(1, 3, 2, 4), 1);     /* partial */
    assert_int_equal(rb_spread_overlap(2, 4, 1, 3), 1);
    assert_int_equal(rb_spread_overlap(1, 10, 2, 3), 1);    /* b inside a */
    assert_int_equal(rb_spread_overlap(2, 3, 1, 10), 1);    /* a inside b */
    assert_int_equal(rb_spread_overlap(1, 2, 2, 3), 1);     /* touching */
    assert_int_equal(rb_spread_overlap(5, 5, 5, 5), 1);     /* one round each, equal */
    assert_int_equal(rb_spread_overlap(5, 5, 6, 6), 0);
    assert_int_equal(rb_spread_overlap(NAN, 2, 1, 2), -1);  /* unknown */
    assert_int_equal(rb_spread_overlap(1, 2, 1, NAN), -1);
    assert_int_equal(rb_spread_overlap(3, 1, 1, 2), -1);    /* lo > hi */
}

static void test_compare_figure(void **state)
{
    rb_spread a = { 95, 107 }, faster = { 57, 64 }, close = { 98.8, 111 }, none = { NAN, NAN };
    double q = 0;
    (void)state;
    assert_int_equal(rb_compare_figure(100, a, 60, faster, &q), RB_CHANGE_REAL);
    ASSERT_NEAR(q, 0.6);
    assert_int_equal(rb_compare_figure(100, a, 104, close, &q), RB_CHANGE_NOISE);
    ASSERT_NEAR(q, 1.04);
    assert_int_equal(rb_compare_figure(100, a, 60, none, &q), RB_CHANGE_UNKNOWN);
    ASSERT_NEAR(q, 0.6);
    assert_int_equal(rb_compare_figure(0, a, 60, faster, &q), RB_CHANGE_UNKNOWN);
    assert_true(isnan(q));
    assert_int_equal(rb_compare_figure(NAN, a, 60, faster, NULL), RB_CHANGE_UNKNOWN);
}

/* small/hgrm/tcp-fib-e0-c1.hgrm: p50 20 us, values 20*(0.5+0.5*log2(1/(1-p))),
 * 149359 samples, Java's format (last row without 1/(1-p)). */
static void test_hgrm_fixture(void **state)
{
    rb_hgrm_row *rows = NULL;
    rb_hgrm_summary sum;
    size_t n = 0, i, half = 0;
    (void)state;

    assert_int_equal(rb_hgrm_read(FIX "/small/hgrm/tcp-fib-e0-c1.hgrm", &rows, &n, &sum), 0);
    assert_int_equal(n, 87);  /* 86 ticks (5 per halving while (1-p)*N >= 1) + the 100 % row */
    ASSERT_NEAR(rows[0].value, 10.0);
    ASSERT_NEAR(rows[0].percentile, 0.0);
    ASSERT_NEAR(rows[0].inv, 1.0);
    for (i = 0; i < n; i++)
        if (fabs(rows[i].percentile - 0.5) < 1e-9)
            half = i;
    assert_int_equal(half, 5);
    ASSERT_NEAR(rows[half].value, 20.0);
    ASSERT_NEAR(rows[half].inv, 2.0);
    ASSERT_NEAR(rows[n - 1].percentile, 1.0);
    assert_true(isinf(rows[n - 1].inv));
    ASSERT_NEAR(rows[n - 1].total_count, 149359);
    ASSERT_NEAR(sum.mean, 22.0);
    ASSERT_NEAR(sum.stddev, 6.0);
    ASSERT_NEAR(sum.total_count, 149359);
    ASSERT_NEAR(sum.max, rows[n - 1].value);
    for (i = 1; i < n; i++) {
        assert_true(rows[i].percentile >= rows[i - 1].percentile);
        assert_true(rows[i].value >= rows[i - 1].value);
    }
    free(rows);
}

/* HdrHistogram_c's hdr_percentiles_print writes "inf" in the last row. */
static void test_hgrm_c_format_and_errors(void **state)
{
    char path[512];
    rb_hgrm_row *rows = NULL;
    size_t n = 0;
    (void)state;

    snprintf(path, sizeof path, "%s/c.hgrm", tmpdir);
    write_file(path, "       Value   Percentile   TotalCount 1/(1-Percentile)\n\n"
                     "       1.000     0.000000            1         1.00\n"
                     "       2.000     0.500000            5         2.00\n"
                     "       9.000     1.000000           10          inf\n"
                     "#[Mean    =        3.000, StdDeviation   =        2.000]\n"
                     "#[Max     =        9.000, Total count    =           10]\n"
                     "#[Buckets =           20, SubBuckets     =         2048]\n");
    assert_int_equal(rb_hgrm_read(path, &rows, &n, NULL), 0);
    assert_int_equal(n, 3);
    ASSERT_NEAR(rows[1].value, 2.0);
    ASSERT_NEAR(rows[1].inv, 2.0);
    assert_true(isinf(rows[2].inv));
    free(rows);

    write_file(path, "       1.000     0.000000            1         1.00\n");
    assert_int_equal(rb_hgrm_read(path, &rows, &n, NULL), RB_EPROTO);  /* no header */
    assert_null(rows);
    write_file(path, "Value Percentile TotalCount 1/(1-Percentile)\n\n"
                     "2.0 0.5 5 2.0\n1.0 0.6 6 2.5\n");
    assert_int_equal(rb_hgrm_read(path, &rows, &n, NULL), RB_EPROTO);  /* value goes down */
    write_file(path, "Value Percentile TotalCount 1/(1-Percentile)\n\n1.0 1.5 5 2.0\n");
    assert_int_equal(rb_hgrm_read(path, &rows, &n, NULL), RB_EPROTO);  /* percentile > 1 */
    write_file(path, "Value Percentile TotalCount 1/(1-Percentile)\n\n");
    assert_int_equal(rb_hgrm_read(path, &rows, &n, NULL), RB_EPROTO);  /* no row */
    write_file(path, "Value Percentile TotalCount 1/(1-Percentile)\n\n1.0 abc\n");
    assert_int_equal(rb_hgrm_read(path, &rows, &n, NULL), RB_EPROTO);
    snprintf(path, sizeof path, "%s/missing.hgrm", tmpdir);
    assert_int_equal(rb_hgrm_read(path, &rows, &n, NULL), RB_EIO);
}

static void test_results_read(void **state)
{
    rb_results r;
    const rb_summary *s;
    (void)state;

    assert_int_equal(rb_results_read(FIX "/small", &r), 0);
    assert_int_equal(r.n, 12);
    s = &r.sc[0];
    assert_string_equal(s->t->name, "tcp");
    assert_string_equal(s->method, "fib");
    assert_int_equal(s->entries, -1);      /* null for fib */
    assert_int_equal(s->concurrency, 1);
    assert_int_equal(s->rounds, 3);
    ASSERT_NEAR(s->lat.p50, 20.0);
    ASSERT_NEAR(s->sp_p50.lo, 19.0);       /* round factors 0.95, 1.00, 1.07 */
    ASSERT_NEAR(s->sp_p50.hi, 21.4);
    ASSERT_NEAR(s->throughput_cps, 50000.0);
    ASSERT_NEAR(s->body_req, 6);
    ASSERT_NEAR(s->body_rep, 9);
    ASSERT_NEAR(s->wire_client, 23);       /* body + 8 bytes of length prefixes */
    ASSERT_NEAR(s->sp_wire.lo, 23);
    ASSERT_NEAR(s->sp_wire.hi, 23);
    assert_true(isnan(s->cpu_broker));     /* null, not 0 */
    assert_true(isnan(s->r_p50.median));   /* tcp has no ratio to itself */
    assert_string_equal(s->hgrm, "hgrm/tcp-fib-e0-c1.hgrm");
    s = &r.sc[1];
    assert_string_equal(s->t->name, "zmq");
    ASSERT_NEAR(s->r_p50.median, 2.1375);  /* 45*0.95/(20*1.00), the median round */
    s = &r.sc[11];
    assert_string_equal(s->t->name, "grpc");
    assert_string_equal(s->method, "getObj");
    assert_int_equal(s->entries, 100);
    assert_int_equal(s->concurrency, 4);
    ASSERT_NEAR(s->lat.p50, 104.0);
    rb_results_free(&r);
    rb_results_free(&r);                   /* freeing twice is harmless */

    /* a results.json path works as well as its folder */
    assert_int_equal(rb_results_read(FIX "/small-b/results.json", &r), 0);
    assert_int_equal(r.n, 12);
    rb_results_free(&r);
}

/* Every section of the committed reference run (schema 1) reads into the
 * model: scenarios with their rounds, timelines, validity and machine
 * state, the SLO search with its steps and confirming runs, the codecs, the
 * environment. */
static void test_results_read_sections(void **state)
{
    rb_results r;
    (void)state;
    assert_int_equal(rb_results_read(RB_REFERENCE_RUN, &r), 0);
    assert_int_equal(r.schema, 1);
    assert_int_equal(r.nall, 54);
    assert_int_equal(r.n, 54);                 /* all closed loop */
    const rb_scen_rec *s = &r.all[0];
    assert_string_equal(s->sum.t->name, "tcp");
    assert_int_equal(s->open, 0);
    assert_int_equal(s->nrounds, 3);
    assert_int_equal(s->rounds[0].ntl, 11);
    assert_int_equal(s->rounds[0].tl[0].calls, 4363);
    ASSERT_NEAR(s->rounds[0].tl[0].p99_us, 67.377);
    assert_int_equal(s->rounds[0].tail[1].behind, 461);
    assert_int_equal(s->rounds[0].has_machine, 1);
    assert_string_equal(s->rounds[0].machine_before.cpuidle_driver, "none");
    assert_string_equal(s->rounds[0].machine_before.governor, "");   /* null */
    ASSERT_NEAR(s->rounds[0].machine_before.loadavg[1], 1.14);
    assert_null(s->fault);
    assert_int_equal(r.nslo, 9);
    const rb_slo_rec *e = &r.slo[0];
    assert_string_equal(e->transport, "tcp");
    assert_string_equal(e->method, "fib");
    assert_int_equal(e->entries, -1);
    ASSERT_NEAR(e->max_rate.median, 42622.06883);
    ASSERT_NEAR(e->max_rate.lo, 23569.8001);
    assert_int_equal(e->nrounds, 3);
    assert_int_equal(e->per_round[0].nsteps, 7);
    ASSERT_NEAR(e->per_round[0].steps[0].p99_9_us, 61667.511);
    assert_int_equal(e->per_round[0].steps[0].pass, 0);
    assert_int_equal(e->per_round[0].has_confirm, 1);
    assert_int_equal(e->per_round[0].confirm.ntl, 11);
    assert_int_equal(r.ncodecs, 16);
    assert_string_equal(r.codecs[0].encoding, "MessagePack");
    assert_int_equal(r.codecs[0].bytes, 2);
    assert_int_equal(r.codecs[0].has_entries, 0);
    assert_null(r.codecs[0].error);
    const rb_value *cores = rb_kv_get(r.env.top, r.env.ntop, "cores");
    assert_non_null(cores);
    assert_int_equal(cores->kind, RB_V_INT);
    assert_int_equal(cores->i, 2);
    const rb_value *conc = rb_kv_get(r.env.parameters, r.env.npar, "concurrency");
    assert_int_equal(conc->kind, RB_V_ARRAY);
    assert_int_equal(conc->n, 2);
    assert_int_equal(conc->items[1].i, 4);
    rb_results_free(&r);
}

/* The ratio to the floor is ratio_to_tcp in schema 1, ratio_to_floor from
 * schema 2; each version reads its own key only. */
static void test_results_read_ratio_key(void **state)
{
    char path[512];
    rb_results r;
    (void)state;
    static const char *const docs[4] = {
        "{\"schema\": 1, \"scenarios\": [{\"transport\": \"zmq\", \"method\": \"fib\", "
        "\"concurrency\": 1, \"ratio_to_tcp\": {\"p50\": {\"median\": 2.5}}}]}",
        "{\"schema\": 2, \"scenarios\": [{\"transport\": \"zmq\", \"method\": \"fib\", "
        "\"concurrency\": 1, \"ratio_to_floor\": {\"p50\": {\"median\": 2.5}}}]}",
        "{\"schema\": 2, \"scenarios\": [{\"transport\": \"zmq\", \"method\": \"fib\", "
        "\"concurrency\": 1, \"ratio_to_tcp\": {\"p50\": {\"median\": 2.5}}}]}",
        "{\"schema\": 1, \"scenarios\": [{\"transport\": \"zmq\", \"method\": \"fib\", "
        "\"concurrency\": 1, \"ratio_to_floor\": {\"p50\": {\"median\": 2.5}}}]}",
    };
    snprintf(path, sizeof path, "%s/ratio.json", tmpdir);
    for (int i = 0; i < 4; i++) {
        write_file(path, docs[i]);
        assert_int_equal(rb_results_read(path, &r), 0);
        assert_int_equal(r.sc[0].has_ratio, i < 2);
        if (i < 2)
            ASSERT_NEAR(r.sc[0].r_p50.median, 2.5);
        else
            assert_true(isnan(r.sc[0].r_p50.median));
        rb_results_free(&r);
    }
}

static void test_results_read_errors(void **state)
{
    char path[512];
    rb_results r;
    (void)state;

    snprintf(path, sizeof path, "%s/none", tmpdir);
    assert_int_equal(rb_results_read(path, &r), RB_EIO);
    assert_null(r.sc);
    snprintf(path, sizeof path, "%s/bad.json", tmpdir);
    write_file(path, "{\"schema\": 1, \"scenarios\": [");
    assert_int_equal(rb_results_read(path, &r), RB_EPROTO);
    write_file(path, "{\"schema\": 4, \"scenarios\": []}");
    assert_int_equal(rb_results_read(path, &r), RB_EPROTO);
    write_file(path, "{\"schema\": 1}");
    assert_int_equal(rb_results_read(path, &r), RB_EPROTO);
    /* names end up in gnuplot's script: a quote must not get through */
    write_file(path, "{\"schema\": 1, \"scenarios\": [{\"transport\": \"a'; system('x')\", "
                     "\"method\": \"fib\", \"concurrency\": 1}]}");
    assert_int_equal(rb_results_read(path, &r), RB_EPROTO);
    write_file(path, "{\"schema\": 1, \"scenarios\": [{\"transport\": \"tcp\", "
                     "\"method\": \"fib\", \"concurrency\": 0}]}");
    assert_int_equal(rb_results_read(path, &r), RB_EPROTO);
    /* a minimal scenario loads; every figure missing is NAN */
    write_file(path, "{\"schema\": 1, \"scenarios\": [{\"transport\": \"tcp\", "
                     "\"method\": \"fib\", \"concurrency\": 2, \"latency_us\": {\"p50\": null}}]}");
    assert_int_equal(rb_results_read(path, &r), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.sc[0].concurrency, 2);
    assert_int_equal(r.sc[0].rounds, 1);
    assert_true(isnan(r.sc[0].lat.p50));
    assert_true(isnan(r.sc[0].wire_total));
    assert_true(isnan(r.sc[0].sp_p50.lo));
    rb_results_free(&r);
}

static void copy_fixture(const char *name, const char *to)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -r '" FIX "/%s' '%s'", to, name, to);
    assert_int_equal(system(cmd), 0);
}

/* Without gnuplot, report.md is still complete, says why there is no plot,
 * links none, and the script and its data are there to run later. */
static void test_report_without_gnuplot(void **state)
{
    char dir[512], path[600];
    char *md;
    struct stat st;
    (void)state;

    snprintf(dir, sizeof dir, "%s/small", tmpdir);
    copy_fixture("small", dir);
    assert_int_equal(setenv("RPCBENCH_GNUPLOT", "", 1), 0);
    assert_int_equal(rb_report_write(dir), 0);
    unsetenv("RPCBENCH_GNUPLOT");
    snprintf(path, sizeof path, "%s/report.md", dir);
    md = slurp(path);
    assert_non_null(strstr(md, "gnuplot was not found"));
    assert_null(strstr(md, "!["));
    assert_non_null(strstr(md, "| tcp | 1 | 20.0 (19.0–21.4) | 76.4 (68.8–87.9) |"));
    assert_non_null(strstr(md, "| 100 | grpc | 4 | 104 (98.8–111) |"));
    assert_non_null(strstr(md, "zmq (95.0–107 µs) and grpc (98.8–111 µs)"));
    assert_non_null(strstr(md, "- Fastest (p50): **zmq**, 45.0 µs"));
    free(md);
    snprintf(path, sizeof path, "%s/plots/plots.gp", dir);
    assert_int_equal(stat(path, &st), 0);
    snprintf(path, sizeof path, "%s/plots/latency-fib-c1.dat", dir);
    assert_int_equal(stat(path, &st), 0);
    snprintf(path, sizeof path, "%s/plots/latency-fib-c1.svg", dir);
    assert_int_equal(stat(path, &st), -1);

    snprintf(path, sizeof path, "%s/nowhere", tmpdir);
    assert_int_equal(rb_report_write(path), RB_EIO);
}

static void test_compare_print(void **state)
{
    rb_results a, b;
    char *out = NULL;
    size_t len = 0;
    FILE *f;
    (void)state;

    assert_int_equal(rb_results_read(FIX "/small", &a), 0);
    assert_int_equal(rb_results_read(FIX "/small-b", &b), 0);
    f = open_memstream(&out, &len);
    assert_non_null(f);
    assert_int_equal(rb_compare_print(f, "A", &a, "B", &b), 11);
    fclose(f);
    assert_non_null(strstr(out, "\nzmq fib c1                           0.600 better   0.600 better   "
                                "1.667 better   1.038 worse    2.14→1.28\n"));
    assert_non_null(strstr(out, "\ngrpc getObj e100 c4                  1.038 ~        1.038 ~        "
                                "0.963 ~        1.000 ~        2.19→2.27\n"));
    assert_non_null(strstr(out, "11 scenarios in both, 1 only in A, 1 only in B; 4 real changes "
                                "(3 better, 1 worse)."));
    free(out);
    rb_results_free(&a);
    rb_results_free(&b);
}

/* A round of made-up figures: latency from base, everything else from k. */
static void fake_round(rb_round *r, int pos, double base, double k)
{
    memset(r, 0, sizeof *r);
    r->ran = 1;
    r->position = pos;
    r->calls = 1000;
    r->failures[RB_FAIL_TIMEOUT] = pos;
    r->warmup_failures = 1;
    r->stale_replies = 2;
    r->duration_s = 0.5;
    r->throughput_cps = 2000 * k;
    r->lat = (rb_latency){ .min = base / 2, .p50 = base, .p90 = base * 2, .p99 = base * 4,
                           .p99_9 = base * 8, .max = base * 9, .mean = base * 1.1,
                           .stddev = base / 3, .n = 1000 };
    r->connect_us = 300 * k;
    r->req_body = 10;
    r->rep_body = 20;
    r->wire_client = 50 * k;
    r->wire_total = 50 * k;
    r->cpu_client = 3 * k;
    r->cpu_server = 4 * k;
    r->cpu_broker = NAN;
    snprintf(r->last_error, sizeof r->last_error, "%s", pos ? "RB_ETIMEDOUT: late" : "");
}

/* One data model: what the writer summarises is what the reader reads back,
 * figure by figure, the ratio to the floor included. */
static void test_results_round_trip(void **state)
{
    static const rb_transport floor_t = { .name = "tcp", .order = 10, .is_floor = 1 };
    static const rb_transport other_t = { .name = "zmq", .order = 40 };
    rb_round rounds[2][3];
    rb_scenario sc[2] = {
        { .t = &floor_t, .method = RB_M_FIB, .entries = -1, .concurrency = 1, .nrounds = 3,
          .rounds = rounds[0], .server_max_rss_kb = 1234 },
        { .t = &other_t, .method = RB_M_FIB, .entries = -1, .concurrency = 1, .nrounds = 3,
          .rounds = rounds[1], .server_max_rss_kb = -1 },
    };
    rb_summary sum[2];
    rb_results r;
    char dir[512];
    (void)state;

    for (int i = 0; i < 3; i++) {
        fake_round(&rounds[0][i], i, 20 + 2 * i, 1 + 0.1 * i);
        fake_round(&rounds[1][i], i, 40 + 4 * i, 1 + 0.2 * i);
    }
    for (int t = 0; t < 2; t++)
        for (int i = 0; i < 3; i++)
            assert_int_equal(rb_samples_push(&sc[t].all, 20000), RB_OK);
    rb_summarise(sc, 2, sum);
    ASSERT_NEAR(sum[1].lat.p50, 44);
    ASSERT_NEAR(sum[1].sp_p50.lo, 40);
    ASSERT_NEAR(sum[1].sp_p50.hi, 48);
    ASSERT_NEAR(sum[1].r_p50.median, 2.0);  /* 40/20, 44/22, 48/24 */
    ASSERT_NEAR(sum[1].failures[RB_FAIL_TIMEOUT], 3);
    assert_int_equal(sum[0].has_ratio, 0);
    assert_int_equal(sum[1].has_ratio, 1);

    snprintf(dir, sizeof dir, "%s/roundtrip", tmpdir);
    assert_int_equal(mkdir(dir, 0755), 0);
    rb_results_out out = { .sc = sc, .sum = sum, .n = 2, .complete = 1 };
    assert_int_equal(rb_results_write(dir, &out), RB_OK);
    assert_int_equal(rb_results_read(dir, &r), 0);
    assert_int_equal(r.n, 2);
    for (int t = 0; t < 2; t++) {
        const rb_summary *a = &sum[t], *b = &r.sc[t];
        const double fa[] = { a->calls, a->stale_replies, a->warmup_failures, a->duration_s,
                              a->throughput_cps, a->lat.min, a->lat.p50, a->lat.p90, a->lat.p99,
                              a->lat.p99_9, a->lat.max, a->lat.mean, a->lat.stddev,
                              a->connect_us, a->body_req, a->body_rep, a->wire_client,
                              a->wire_total, a->cpu_client, a->cpu_server, a->cpu_broker,
                              a->server_max_rss_kb, a->sp_p50.lo, a->sp_p50.hi, a->sp_p99.lo,
                              a->sp_p99.hi, a->sp_tput.lo, a->sp_tput.hi, a->sp_wire.lo,
                              a->sp_wire.hi, a->r_p50.median, a->r_p50.lo, a->r_p50.hi,
                              a->r_p99.median, a->r_tput.median };
        const double fb[] = { b->calls, b->stale_replies, b->warmup_failures, b->duration_s,
                              b->throughput_cps, b->lat.min, b->lat.p50, b->lat.p90, b->lat.p99,
                              b->lat.p99_9, b->lat.max, b->lat.mean, b->lat.stddev,
                              b->connect_us, b->body_req, b->body_rep, b->wire_client,
                              b->wire_total, b->cpu_client, b->cpu_server, b->cpu_broker,
                              b->server_max_rss_kb, b->sp_p50.lo, b->sp_p50.hi, b->sp_p99.lo,
                              b->sp_p99.hi, b->sp_tput.lo, b->sp_tput.hi, b->sp_wire.lo,
                              b->sp_wire.hi, b->r_p50.median, b->r_p50.lo, b->r_p50.hi,
                              b->r_p99.median, b->r_tput.median };
        for (size_t k = 0; k < sizeof fa / sizeof fa[0]; k++) {
            if (isnan(fa[k]) || isnan(fb[k])) {
                assert_true(isnan(fa[k]) && isnan(fb[k]));
                continue;
            }
            assert_true(fabs(fa[k] - fb[k]) <= 1e-9 * fabs(fa[k]));
        }
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            ASSERT_NEAR(a->failures[k], b->failures[k]);
        assert_string_equal(a->t->name, b->t->name);
        assert_string_equal(a->method, b->method);
        assert_int_equal(a->entries, b->entries);
        assert_int_equal(a->concurrency, b->concurrency);
        assert_int_equal(a->rounds, b->rounds);
        assert_int_equal(a->has_ratio, b->has_ratio);
        assert_string_equal(a->hgrm, b->hgrm);
        assert_string_equal(a->last_error, b->last_error);
    }
    /* No environment.transports here: the descriptors come from this build. */
    assert_int_equal(r.sc[0].t->is_floor, rb_transport_find("tcp") ? 1 : 0);
    rb_results_free(&r);
    rb_samples_free(&sc[0].all);
    rb_samples_free(&sc[1].all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spread_overlap),
        cmocka_unit_test(test_compare_figure),
        cmocka_unit_test(test_hgrm_fixture),
        cmocka_unit_test(test_hgrm_c_format_and_errors),
        cmocka_unit_test(test_results_read),
        cmocka_unit_test(test_results_read_errors),
        cmocka_unit_test(test_results_read_sections),
        cmocka_unit_test(test_results_read_ratio_key),
        cmocka_unit_test(test_report_without_gnuplot),
        cmocka_unit_test(test_compare_print),
        cmocka_unit_test(test_results_round_trip),
    };
    return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
