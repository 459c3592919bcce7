/* main.c - the rpcbench command: list, serve, call, run, report, compare.
 *
 * Reads like the run itself (wrk's src/wrk.c): parse the command line, then
 * hand over to the module that does the work.
 */
#include "cli/args.h"
#include "codecs/codecs.h"
#include "report/compare.h"
#include "report/report.h"
#include "run/run.h"
#include "cli/run_args.h"
#include "transport.h"

#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage_list(FILE *f)
{
    fprintf(f, "usage: rpcbench list\n"
               "  the transports built in, with their libraries' runtime versions\n");
}

static void usage_serve(FILE *f)
{
    fprintf(f,
"usage: rpcbench serve TRANSPORT [options]\n"
"  one server in the foreground until SIGINT/SIGTERM; prints \"ready ENDPOINT\"\n"
"  --listen HOST:PORT   address (port 0: an ephemeral port; default: the\n"
"                       transport's, e.g. 127.0.0.1:7301 for tcp)\n"
"  --queue NAME         request queue of a broker transport (default rpc_queue)\n"
"  --entries N          getObj's entry count (default %d)\n"
"  --threads N          server threads where the stack has them (default 1)\n"
"  --prefetch N         a broker transport's consumer prefetch: requests held\n"
"                       unacknowledged per consumer (default 2; 0: no limit)\n"
"  --max-request BYTES  request size limit (default 16 MiB)\n"
"  --work-us N          work per executed request, µs (default 0)\n"
"  --work busy|sleep    how that work is spent (default busy)\n"
"exit status: 0 stopped by a signal; 1 cannot serve (e.g. cannot listen); 2 usage\n",
            RB_DEFAULT_ENTRIES);
}

static void usage_call(FILE *f)
{
    fprintf(f,
"usage: rpcbench call TRANSPORT METHOD [ARG] [options]\n"
"  one call; the reply as JSON on stdout\n"
"  METHOD ARG: fib N (0..92) | getObj | sendObj [ENTRIES | JSON object]\n"
"  --connect HOST:PORT  the server (default: the transport's endpoint)\n"
"  --queue NAME         request queue of a broker transport\n"
"  --timeout MS         the call's deadline (default %d)\n"
"exit status: 0 a reply; 1 the call failed (error in the JSON); 2 usage\n",
            RB_DEFAULT_TIMEOUT_MS);
}

static void usage_report(FILE *f)
{
    fprintf(f, "usage: rpcbench report DIR\n"
               "  rebuild DIR/report.md and DIR/plots/ from DIR/results.json\n"
               "exit status: 0 written; 1 cannot read or write; 2 usage\n");
}

static void usage_compare(FILE *f)
{
    fprintf(f, "usage: rpcbench compare A B\n"
               "  A, B: results folders or results.json files; prints the ratio B/A\n"
               "  per common scenario, whether each change is real, and each run's\n"
               "  p50 ratio to the floor (the median of per-round ratios)\n"
               "exit status: 0 compared; 1 cannot read, or nothing in common; 2 usage\n");
}

static void usage(FILE *f)
{
    fprintf(f,
"usage: rpcbench COMMAND [options]     (rpcbench help COMMAND, rpcbench --version)\n"
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
"        [--connect T=HOST:PORT ...] [--timeout MS] [--fib-n N] [--pin S:C]\n"
"        [--out DIR]\n"
"  report DIR                             rebuild report.md and plots from results.json\n"
"  compare A B                            ratios B/A per scenario of two results\n"
"  codecs [--entries LIST] [--out FILE]   size and CPU per message of each encoding\n"
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

static int cmd_version(void)
{
    printf("rpcbench %s\n", RB_VERSION);
    for (const rb_transport *const *p = rb_transports; *p; p++)
        printf("  %-14s %s\n", (*p)->name, (*p)->version ? (*p)->version() : "");
    return 0;
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
        .prefetch = 2,
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
        case 'h': usage_serve(stdout); return 0;
        default: usage_serve(stderr); return 2;
        }
    }
    if (optind != argc - 1) {
        if (optind >= argc)
            fprintf(stderr, "rpcbench serve: missing TRANSPORT\n");
        else
            fprintf(stderr, "rpcbench serve: one TRANSPORT only, got '%s' after '%s'\n",
                    argv[optind + 1], argv[optind]);
        usage_serve(stderr);
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
        case 'h': usage_call(stdout); return 0;
        default: usage_call(stderr); return 2;
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
        else {
            fprintf(stderr, "rpcbench call: unexpected argument '%s'\n", argv[i]);
            usage_call(stderr);
            return 2;
        }
    }
    if (npos < 2) {
        if (npos == 0)
            fprintf(stderr, "rpcbench call: missing TRANSPORT and METHOD\n");
        else if (rb_method_from_name(pos[0], strlen(pos[0])) >= 0)
            fprintf(stderr, "rpcbench call: missing TRANSPORT before METHOD '%s'\n", pos[0]);
        else
            fprintf(stderr, "rpcbench call: missing METHOD after TRANSPORT '%s' "
                            "(fib, getObj, sendObj)\n", pos[0]);
        usage_call(stderr);
        return 2;
    }
    const rb_transport *t = find_or_die(pos[0]);
    int m = rb_method_from_name(pos[1], strlen(pos[1]));
    if (m < 0) {
        fprintf(stderr, "rpcbench: unknown method '%s' (fib, getObj, sendObj)\n", pos[1]);
        return 2;
    }
    if (m == RB_M_FIB && npos < 3) {
        fprintf(stderr, "rpcbench call: fib needs its argument N (0..92), e.g. "
                        "rpcbench call %s fib 30\n", t->name);
        return 2;
    }
    if (m == RB_M_GET_OBJ && npos > 2) {
        fprintf(stderr, "rpcbench call: getObj takes no argument, got '%s'\n", pos[2]);
        return 2;
    }
    char host[256];
    int port;
    if (t->broker == RB_BROKER_NONE && co.endpoint &&
        rb_parse_hostport(co.endpoint, host, sizeof host, &port) != RB_OK) {
        fprintf(stderr, "rpcbench call: --connect wants HOST:PORT, got '%s'\n", co.endpoint);
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

/* Each command and its usage. */
static const struct command {
    const char *name;
    void (*usage)(FILE *f);
} commands[] = {
    { "list", usage_list }, { "serve", usage_serve }, { "call", usage_call },
    { "run", rb_run_usage }, { "report", usage_report }, { "compare", usage_compare },
    { "codecs", rb_codecs_usage },
};

static const struct command *command_named(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* --help or -h among a command's arguments (before a "--"). */
static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return 1;
    return 0;
}

/* `rpcbench help [COMMAND]`. */
static int cmd_help(int argc, char **argv)
{
    const struct command *c = argc > 1 ? command_named(argv[1]) : NULL;
    if (argc > 1 && !c) {
        fprintf(stderr, "rpcbench help: no command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    if (c)
        c->usage(stdout);
    else
        usage(stdout);
    return 0;
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
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0)
        return cmd_version();
    if (strcmp(cmd, "help") == 0)
        return cmd_help(argc, argv);
    const struct command *c = command_named(cmd);
    if (c && wants_help(argc, argv)) {
        c->usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "list") == 0) {
        if (argc > 1) {
            fprintf(stderr, "rpcbench list: takes no argument, got '%s'\n", argv[1]);
            return 2;
        }
        return cmd_list();
    }
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
    if (strcmp(cmd, "codecs") == 0)
        return rb_codecs_main(argc, argv);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "rpcbench: unknown command '%s'\n", cmd);
    usage(stderr);
    return 2;
}
