/* main.c - the rpcbench command: list, serve, call, run, report, compare.
 *
 * Reads like the run itself (wrk's src/wrk.c): parse the command line, then
 * hand over to the module that does the work.
 */
#include "args.h"
#include "compare.h"
#include "report.h"
#include "run.h"
#include "transport.h"

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
"usage: rpcbench COMMAND [options]\n"
"\n"
"  list                                   transports built in, with library versions\n"
"  serve TRANSPORT [--listen HOST:PORT] [--entries N] [--threads N]\n"
"                  [--queue NAME] [--prefetch N] [--max-request BYTES]\n"
"                  [--work-us N] [--work busy|sleep]   server work per call, µs\n"
"  call  TRANSPORT METHOD [ARG] [--connect HOST:PORT] [--queue NAME] [--timeout MS]\n"
"                                         one call, reply as JSON; ARG: fib's n;\n"
"                                         sendObj's entry count or a JSON object\n"
"  run   [--transports LIST] [--methods LIST] [--calls N | --duration S]\n"
"        [--warmup N] [--concurrency LIST] [--entries LIST] [--rounds R]\n"
"        [--connect T=HOST:PORT ...] [--timeout MS] [--fib-n N] [--out DIR]\n"
"  report DIR                             rebuild report.md and plots from results.json\n"
"  compare A B                            ratios B/A per scenario of two results\n"
"\n"
"AMQP transports read the broker from RPCBENCH_AMQP_URL (never from arguments).\n");
}

static const rb_transport *find_or_die(const char *name)
{
    const rb_transport *t = rb_transport_find(name);
    if (!t) {
        fprintf(stderr, "rpcbench: no transport '%s' in this build; built in:", name);
        for (const rb_transport *const *p = rb_transports; *p; p++)
            fprintf(stderr, " %s", (*p)->name);
        fprintf(stderr, "\n");
        exit(2);
    }
    return t;
}

static int cmd_list(void)
{
    for (const rb_transport *const *p = rb_transports; *p; p++)
        printf("%-14s %-42s %s\n", (*p)->name, (*p)->version ? (*p)->version() : "",
               (*p)->description);
    return 0;
}

static void on_stop_signal(int sig)
{
    (void)sig;
    rb_serve_stop = 1;
}

static int cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        { "listen", required_argument, NULL, 'l' },
        { "entries", required_argument, NULL, 'e' },
        { "threads", required_argument, NULL, 't' },
        { "queue", required_argument, NULL, 'q' },
        { "prefetch", required_argument, NULL, 'p' },
        { "max-request", required_argument, NULL, 'm' },
        { "work-us", required_argument, NULL, 'W' },
        { "work", required_argument, NULL, 'K' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    uint64_t work_us = 0;
    int work_sleep = 0;
    rb_server_opts so = {
        .entries = RB_DEFAULT_ENTRIES,
        .threads = 1,
        .prefetch = 1,
        .max_request = RB_DEFAULT_MAX_REQUEST,
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': so.listen = optarg; break;
        case 'e': so.entries = (size_t)rb_arg_int("--entries", optarg, 0, 10000000); break;
        case 't': so.threads = (int)rb_arg_int("--threads", optarg, 1, 256); break;
        case 'q': so.queue = optarg; break;
        case 'p': so.prefetch = (int)rb_arg_int("--prefetch", optarg, 0, 65535); break;
        case 'm': so.max_request = (size_t)rb_arg_int("--max-request", optarg, 64, 1ll << 30); break;
        case 'W': work_us = (uint64_t)rb_arg_int("--work-us", optarg, 0, 10000000); break;
        case 'K':
            if (strcmp(optarg, "busy") && strcmp(optarg, "sleep")) {
                fprintf(stderr, "rpcbench: --work wants busy or sleep, got '%s'\n", optarg);
                return 2;
            }
            work_sleep = strcmp(optarg, "sleep") == 0;
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        usage(stderr);
        return 2;
    }
    const rb_transport *t = find_or_die(argv[optind]);
    rb_service_set_work(work_us, work_sleep);
    if (!t->serve) {
        fprintf(stderr, "rpcbench: %s has no server\n", t->name);
        return 2;
    }
    /* No SA_RESTART: a blocking call returns EINTR so the server notices. */
    struct sigaction sa = { .sa_handler = on_stop_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (t->init && t->init() != RB_OK) {
        fprintf(stderr, "rpcbench: %s: cannot initialise its library\n", t->name);
        return 1;
    }
    int rc = t->serve(&so);
    if (rc) {
        fprintf(stderr, "rpcbench serve %s: %s\n", t->name, rb_strerror(rc));
        return 1;
    }
    return 0;
}

/* sendObj's argument: a JSON object of integers, or an entry count. */
static int parse_obj_arg(const char *arg, rb_obj *o)
{
    if (!arg)
        return rb_obj_fill(o, "client", RB_DEFAULT_ENTRIES);
    if (arg[0] != '{')
        return rb_obj_fill(o, "client", (size_t)rb_arg_int("sendObj's entry count", arg, 0, 10000000));
    json_error_t jerr;
    json_t *j = json_loads(arg, 0, &jerr);
    if (!json_is_object(j)) {
        fprintf(stderr, "rpcbench: sendObj's argument is not a JSON object: %s\n", jerr.text);
        json_decref(j);
        exit(2);
    }
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) {
        if (!json_is_integer(v)) {
            fprintf(stderr, "rpcbench: sendObj's values must be integers ('%s' is not)\n", k);
            json_decref(j);
            exit(2);
        }
        rb_obj_add(o, k, strlen(k), json_integer_value(v));
    }
    json_decref(j);
    return RB_OK;
}

static json_t *obj_to_json(const rb_obj *o)
{
    json_t *j = json_object();
    for (size_t i = 0; i < o->count; i++)
        json_object_set_new(j, rb_obj_key(o, i), json_integer(o->entries[i].value));
    return j;
}

static int call_and_print(const rb_transport *t, rb_method m, const char *arg,
                          const rb_client_opts *co);

static int cmd_call(int argc, char **argv)
{
    static const struct option opts[] = {
        { "connect", required_argument, NULL, 'c' },
        { "queue", required_argument, NULL, 'q' },
        { "timeout", required_argument, NULL, 'T' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    rb_client_opts co = { .timeout_ms = RB_DEFAULT_TIMEOUT_MS };
    int c;
    /* "+": stop at the first positional argument, so a negative ARG
     * (fib -1) is not taken for an option; "--" is accepted too. */
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': co.endpoint = optarg; break;
        case 'q': co.queue = optarg; break;
        case 'T': co.timeout_ms = (int)rb_arg_int("--timeout", optarg, 1, 3600000); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    /* Options may also follow the positional arguments. */
    char *pos[3];
    int npos = 0;
    for (int i = optind; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) continue;
        else if (strcmp(argv[i], "--connect") == 0 && i + 1 < argc) co.endpoint = argv[++i];
        else if (strcmp(argv[i], "--queue") == 0 && i + 1 < argc) co.queue = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
            co.timeout_ms = (int)rb_arg_int("--timeout", argv[++i], 1, 3600000);
        else if (npos < 3) pos[npos++] = argv[i];
        else { usage(stderr); return 2; }
    }
    if (npos < 2) {
        usage(stderr);
        return 2;
    }
    const rb_transport *t = find_or_die(pos[0]);
    int m = rb_method_from_name(pos[1], strlen(pos[1]));
    if (m < 0) {
        fprintf(stderr, "rpcbench: unknown method '%s' (fib, getObj, sendObj)\n", pos[1]);
        return 2;
    }
    if (t->init && t->init() != RB_OK) {
        fprintf(stderr, "rpcbench: %s: cannot initialise its library\n", t->name);
        return 1;
    }
    return call_and_print(t, (rb_method)m, npos > 2 ? pos[2] : NULL, &co);
}

/* Connect, make one call of method m with argument arg (NULL: the
 * default), print the reply (or the error) as one JSON line. Returns the
 * exit code: 0, or 1 on error. */
static int call_and_print(const rb_transport *t, rb_method m, const char *arg,
                          const rb_client_opts *cop)
{
    rb_client_opts co = *cop;
    rb_client *cl = NULL;
    char errbuf[256];
    rb_obj obj = RB_OBJ_INIT;
    json_t *out = json_object();
    json_object_set_new(out, "transport", json_string(t->name));
    json_object_set_new(out, "method", json_string(rb_method_name(m)));
    int rc = rb_connect(t, &co, &cl, errbuf, sizeof errbuf);
    uint64_t t0 = rb_now_ns();
    if (rc == RB_OK) {
        int64_t num = 0;
        if (m == RB_M_FIB) {
            int64_t n = arg ? rb_arg_int("fib's n", arg, INT64_MIN, INT64_MAX) : 30;
            json_object_set_new(out, "arg", json_integer(n));
            rc = rb_call_fib(cl, n, &num);
            if (rc == RB_OK)
                json_object_set_new(out, "result", json_integer(num));
        } else if (m == RB_M_GET_OBJ) {
            rc = rb_call_get_obj(cl, &obj);
            if (rc == RB_OK)
                json_object_set_new(out, "result", obj_to_json(&obj));
        } else {
            parse_obj_arg(arg, &obj);
            json_object_set_new(out, "arg_entries", json_integer((json_int_t)obj.count));
            rc = rb_call_send_obj(cl, &obj, &num);
            if (rc == RB_OK)
                json_object_set_new(out, "result", json_integer(num));
        }
        if (rc)
            snprintf(errbuf, sizeof errbuf, "%s", cl->errstr);
        json_object_set_new(out, "latency_us", json_real((double)(rb_now_ns() - t0) / 1e3));
        json_object_set_new(out, "body_bytes", json_pack("{s:I,s:I}",
            "request", (json_int_t)cl->req_body_bytes, "reply", (json_int_t)cl->rep_body_bytes));
    }
    if (rc) {
        json_object_set_new(out, "error", json_pack("{s:s,s:s,s:s}",
            "code", rb_err_name(rc), "kind", rb_fail_kind_name(rb_fail_kind_of(rc)),
            "message", errbuf));
        fprintf(stderr, "rpcbench call %s %s: %s\n", t->name, rb_method_name(m), errbuf);
    }
    char *s = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(9));
    puts(s);
    free(s);
    json_decref(out);
    rb_obj_free(&obj);
    rb_close(&cl);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    argc--;
    argv++;
    optind = 1;
    if (strcmp(cmd, "list") == 0)
        return cmd_list();
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve(argc, argv);
    if (strcmp(cmd, "call") == 0)
        return cmd_call(argc, argv);
    if (strcmp(cmd, "run") == 0)
        return rb_run_main(argc, argv);
    if (strcmp(cmd, "report") == 0)
        return rb_report_main(argc, argv);
    if (strcmp(cmd, "compare") == 0)
        return rb_compare_main(argc, argv);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "rpcbench: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
