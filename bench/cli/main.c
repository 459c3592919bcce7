/* main.c - the rpcbench command: list, serve, call, run, report, compare,
 * codecs.
 *
 * Reads like the run itself (wrk's src/wrk.c): find the command in the
 * table below, answer --help from it, or hand over to its handler, the
 * edge of that command: the only place that turns the module's result
 * (RB_OK or a negative RB_E* code) into a process exit status.
 */
#include "cli/args.h"
#include "cli/commands.h"
#include "report/compare.h"
#include "report/report.h"
#include "run/run.h"
#include "cli/run_args.h"
#include "broker.h"
#include "transport.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage_list(FILE *f)
{
    fprintf(f, "usage: rpcbench list [--brokers]\n"
               "  the transports built in, with their libraries' runtime versions\n"
               "  --brokers  instead: the brokers the built transports go through, one\n"
               "             name per line (none: no output)\n");
}

/* The distinct brokers of the built transports, in the transports' order,
 * into out[0..cap); how many. */
static int built_brokers(const rb_broker **out, int cap)
{
    int n = 0;
    for (const rb_transport *const *p = rb_transports; *p; p++) {
        int seen = (*p)->broker == RB_BROKER_NONE;
        for (int i = 0; i < n && !seen; i++)
            seen = out[i] == (*p)->broker;
        if (!seen && n < cap)
            out[n++] = (*p)->broker;
    }
    return n;
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
    long long entries = RB_DEFAULT_ENTRIES, threads = 1, prefetch = 2,
              max_request = RB_DEFAULT_MAX_REQUEST, work_us = 0;
    int work_sleep = 0, bad = 0;
    rb_server_opts so = { 0 };
    int c;
    while (!bad && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': so.listen = optarg; break;
        case 'e': bad = rb_arg_int("--entries", optarg, 0, 10000000, &entries); break;
        case 't': bad = rb_arg_int("--threads", optarg, 1, 256, &threads); break;
        case 'q': so.queue = optarg; break;
        case 'p': bad = rb_arg_int("--prefetch", optarg, 0, 65535, &prefetch); break;
        case 'm': bad = rb_arg_int("--max-request", optarg, 64, 1ll << 30, &max_request); break;
        case 'W': bad = rb_arg_int("--work-us", optarg, 0, 10000000, &work_us); break;
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
    if (bad)
        return 2;
    so.entries = (size_t)entries;
    so.threads = (int)threads;
    so.prefetch = (int)prefetch;
    so.max_request = (size_t)max_request;
    if (optind != argc - 1) {
        if (optind >= argc)
            fprintf(stderr, "rpcbench serve: missing TRANSPORT\n");
        else
            fprintf(stderr, "rpcbench serve: one TRANSPORT only, got '%s' after '%s'\n",
                    argv[optind + 1], argv[optind]);
        usage_serve(stderr);
        return 2;
    }
    const rb_transport *t = rb_arg_transport(argv[optind]);
    if (!t)
        return 2;
    rb_service_set_work((uint64_t)work_us, work_sleep);
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

/* `rpcbench run`: the options, the run, its result as the exit status. */
static int cmd_run(int argc, char **argv)
{
    rb_run_cfg cfg;
    size_t failed = 0;
    int help;
    rb_run_defaults(&cfg);
    int rc = rb_run_parse_args(argc, argv, &cfg, &help);
    if (rc != RB_OK || help)
        return rc == RB_OK ? 0 : rc == RB_EINVAL ? 2 : 1;
    cfg.progress = isatty(STDERR_FILENO);
    switch (rb_run(&cfg, &failed)) {
    case RB_OK: return failed ? 3 : 0;
    case RB_EINTR: return 130;
    case RB_EINVAL: return 2;
    default: return 1;
    }
}

static int cmd_list(int argc, char **argv)
{
    int brokers = argc > 1 && strcmp(argv[1], "--brokers") == 0;
    if (argc > 1 && !brokers) {
        fprintf(stderr, "rpcbench list: takes no argument but --brokers, got '%s'\n", argv[1]);
        return 2;
    }
    if (argc > 2) {
        fprintf(stderr, "rpcbench list: --brokers takes no value, got '%s'\n", argv[2]);
        return 2;
    }
    if (brokers) {
        const rb_broker *b[16];
        for (int i = 0, n = built_brokers(b, 16); i < n; i++)
            printf("%s\n", rb_broker_key(b[i]));
        return 0;
    }
    for (const rb_transport *const *p = rb_transports; *p; p++)
        printf("%-14s %-42s %s\n", (*p)->name, (*p)->version ? (*p)->version() : "",
               (*p)->description);
    return 0;
}

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("rpcbench %s\n", RB_VERSION);
    for (const rb_transport *const *p = rb_transports; *p; p++)
        printf("  %-14s %s\n", (*p)->name, (*p)->version ? (*p)->version() : "");
    return 0;
}

static int cmd_help(int argc, char **argv);

/* Each command: its name, its handler (argv[0] is the name; returns the
 * exit status), its usage, and the line the overview gives it (NULL: an
 * alias, left out of the overview). */
static const struct command {
    const char *name;
    int (*main)(int argc, char **argv);
    void (*usage)(FILE *f);
    const char *help;
} commands[] = {
    { "list", cmd_list, usage_list, "transports built in, with library versions" },
    { "serve", cmd_serve, usage_serve, "one server in the foreground until SIGINT/SIGTERM" },
    { "call", rb_call_main, rb_call_usage, "one call of one method, the reply as JSON" },
    { "run", cmd_run, rb_run_usage, "measure every scenario, verify every reply, write results" },
    { "report", rb_report_main, usage_report, "rebuild report.md and plots from results.json" },
    { "compare", rb_compare_main, usage_compare, "ratios B/A per scenario of two results" },
    { "codecs", rb_codecs_main, rb_codecs_usage, "size and CPU per message of each encoding" },
    { "help", cmd_help, NULL, "this overview, or a command's usage (help COMMAND)" },
    { "version", cmd_version, NULL, "rpcbench's version and each library's" },
    { "--version", cmd_version, NULL, NULL },
    { "--help", cmd_help, NULL, NULL },
    { "-h", cmd_help, NULL, NULL },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* The overview: one line per command, from the table. */
static void usage(FILE *f)
{
    fprintf(f, "usage: rpcbench COMMAND [options]     (rpcbench help COMMAND, rpcbench --version)\n\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].help)
            fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
    const rb_broker *b[16];
    int n = built_brokers(b, 16);
    if (n > 0)
        fprintf(f, "\nBroker transports read the broker's URL from the environment, never from "
                   "arguments:\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "  %-26s %s\n", rb_broker_url_env(b[i]), rb_broker_label(b[i]));
}

static const struct command *command_named(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
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
    if (argc > 1 && (!c || !c->usage)) {
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
    const struct command *c = argc > 1 ? command_named(argv[1]) : NULL;
    if (!c) {
        if (argc > 1)
            fprintf(stderr, "rpcbench: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    optind = 1;
    if (c->usage && wants_help(argc - 1, argv + 1)) {
        c->usage(stdout);
        return 0;
    }
    return c->main(argc - 1, argv + 1);
}
