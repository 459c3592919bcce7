/* run_args.c - `rpcbench run`'s options into an rb_run_cfg, and back out
 * as results.json's environment.parameters. */
#include "cli/run_args.h"

#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "cli/args.h"
#include "load/schedule.h"

void rb_run_usage(FILE *f)
{
    fprintf(f,
"usage: rpcbench run [options]\n"
"  --transports LIST   comma-separated (default: every transport built in)\n"
"  --methods LIST      fib,getObj,sendObj (default: all three)\n"
"  --calls N           calls per scenario and round, shared by the threads\n"
"  --duration S        or: seconds per scenario and round (default 2)\n"
"  --warmup N          untimed calls per thread before measuring (default 100)\n"
"  --concurrency LIST  client threads, one connection each (default 1)\n"
"  --entries LIST      getObj/sendObj entries; servers restart per value (default 100)\n"
"  --rounds R          repeat every scenario R times, transports interleaved in\n"
"                      an order rotated each round (default 1)\n"
"  --connect T=ADDR    use a running server for transport T (HOST:PORT, or the\n"
"                      queue of a broker transport) instead of starting one\n"
"  --timeout MS        deadline of every call (default %d)\n"
"  --fib-n N           fib's argument, 0..92 (default 30)\n"
"  --pin S:C           servers on CPU list S, client threads on C (e.g. 0:1,\n"
"                      0-1:0; sched_setaffinity), recorded in the manifest\n"
"  --out DIR           results folder (default results/<UTC timestamp>)\n"
"open loop, the SLO search, server work:\n"
"  --rate LIST         calls/s offered per scenario, over all connections: open\n"
"                      loop, latency counted from each call's intended send time\n"
"  --arrivals KIND     poisson (default: exponential gaps) or uniform (even gaps)\n"
"  --seed N            the schedule's seed (default 1): same seed, same schedule\n"
"  --slo pNN=BOUND     per transport, method and entries, the highest rate whose\n"
"                      percentile stays within BOUND (us or ms: p99=1ms) with no\n"
"                      failed call, at the largest --concurrency, in every round\n"
"  --slo-methods LIST  the methods searched (default: --methods)\n"
"  --slo-step S        seconds of each search step (default 0.3)\n"
"  --timeline-ms N     timeline interval (default %d)\n"
"  --work-us N         the started servers spend N us per call (serve --work-us)\n"
"  --work busy|sleep   how they spend it (default busy)\n"
"  --fault KIND[:DURATION][@AT]  (repeatable) inject a fault once per scenario and round, AT\n"
"                      into the window (default a third), and account for every\n"
"                      call (sendObj only): server-kill, server-restart,\n"
"                      server-stall, conn-reset, partition (root), broker-restart,\n"
"                      broker-kill, broker-node-kill; DURATION/AT as 500ms, 2s\n"
"\n"
"exit status: 0 every scenario ran with zero failed calls; 3 calls failed\n"
"(results written, the last line on stderr names the scenarios); 1 nothing\n"
"could be measured (no server, no broker); 2 usage error; 130 interrupted\n"
"(what finished is written, marked \"complete\": false)\n",
            RB_DEFAULT_TIMEOUT_MS, RB_TIMELINE_DEFAULT_MS);
}

/* A list of methods into v[0..*nv) (at most RB_M__COUNT). RB_OK or
 * RB_EINVAL (message on stderr). */
static int parse_methods(char *list, rb_method *v, int *nv)
{
    char *items[RB_RUN_MAX];
    int n = rb_arg_split(list, items, RB_RUN_MAX);
    *nv = 0;
    for (int i = 0; i < n; i++) {
        int m = rb_method_from_name(items[i], strlen(items[i]));
        if (m < 0) {
            fprintf(stderr, "rpcbench: unknown method '%s' (fib, getObj, sendObj)\n", items[i]);
            return RB_EINVAL;
        }
        if (*nv < RB_M__COUNT)
            v[(*nv)++] = (rb_method)m;
    }
    return RB_OK;
}

/* The options that take one number: where each goes in rb_run_cfg and its
 * range (a real number: (lo, hi]; a whole one: lo..hi). */
typedef enum { NUM_INT, NUM_LL, NUM_U64, NUM_REAL } num_kind;

static const struct num_opt {
    int c;
    const char *name;
    num_kind kind;
    double lo, hi;
    size_t off;
} num_opts[] = {
    { 'n', "--calls", NUM_LL, 1, 1000000000, offsetof(rb_run_cfg, calls) },
    { 'd', "--duration", NUM_REAL, 0, 86400, offsetof(rb_run_cfg, duration_s) },
    { 'w', "--warmup", NUM_INT, 0, 10000000, offsetof(rb_run_cfg, warmup) },
    { 'r', "--rounds", NUM_INT, 1, 1000, offsetof(rb_run_cfg, rounds) },
    { 'T', "--timeout", NUM_INT, 1, 3600000, offsetof(rb_run_cfg, timeout_ms) },
    { 'f', "--fib-n", NUM_INT, 0, RB_FIB_MAX, offsetof(rb_run_cfg, fib_n) },
    { 'S', "--seed", NUM_U64, 0, (double)(1LL << 62), offsetof(rb_run_cfg, seed) },
    { 'Q', "--slo-step", NUM_REAL, 0.01, 600, offsetof(rb_run_cfg, slo_step_s) },
    { 'I', "--timeline-ms", NUM_INT, 1, 3600000, offsetof(rb_run_cfg, timeline_ms) },
    { 'W', "--work-us", NUM_INT, 0, 10000000, offsetof(rb_run_cfg, work_us) },
};

/* Option c's number from arg into cfg when c takes one. RB_OK, RB_EINVAL
 * (a bad number, message on stderr) or RB_EUNSUPP (c takes no number). */
static int num_option(int c, const char *arg, rb_run_cfg *cfg)
{
    for (size_t i = 0; i < sizeof num_opts / sizeof num_opts[0]; i++) {
        const struct num_opt *o = &num_opts[i];
        char *at = (char *)cfg + o->off;
        long long v;
        double d;
        if (o->c != c)
            continue;
        if (o->kind == NUM_REAL) {
            if (rb_arg_real(o->name, arg, o->lo, o->hi, &d) != RB_OK)
                return RB_EINVAL;
            *(double *)at = d;
            return RB_OK;
        }
        if (rb_arg_int(o->name, arg, (long long)o->lo, (long long)o->hi, &v) != RB_OK)
            return RB_EINVAL;
        if (o->kind == NUM_INT)
            *(int *)at = (int)v;
        else if (o->kind == NUM_LL)
            *(long long *)at = v;
        else
            *(uint64_t *)at = (uint64_t)v;
        return RB_OK;
    }
    return RB_EUNSUPP;
}

/* The open-loop, SLO and server-work options that take no single number
 * (schedule.h, slo_run.h). RB_OK, or RB_EINVAL (message on stderr). */
static int open_loop_option(int c, char *arg, rb_run_cfg *cfg)
{
    char *items[RB_RUN_MAX];
    switch (c) {
    case 'R':
        cfg->nrates = rb_arg_split(arg, items, RB_RUN_MAX);
        for (int i = 0; i < cfg->nrates; i++)
            if (rb_arg_real("--rate", items[i], 0, 1e8, &cfg->rates[i]) != RB_OK)
                return RB_EINVAL;
        return RB_OK;
    case 'A':
        if (rb_arrivals_parse(arg, &cfg->arrivals) == RB_OK)
            return RB_OK;
        fprintf(stderr, "rpcbench: --arrivals wants poisson or uniform, got '%s'\n", arg);
        return RB_EINVAL;
    case 'L':
        if (rb_slo_parse(arg, &cfg->slo) == RB_OK) {
            cfg->slo_set = 1;
            cfg->slo_arg = arg;
            return RB_OK;
        }
        fprintf(stderr, "rpcbench: --slo wants pNN=BOUND with BOUND in us or ms "
                        "(p99=1ms, p99.9=500us), got '%s'\n", arg);
        return RB_EINVAL;
    case 'M': return parse_methods(arg, cfg->slo_methods, &cfg->nslo_m);
    case 'K':
        if (strcmp(arg, "busy") == 0 || strcmp(arg, "sleep") == 0) {
            cfg->work_sleep = strcmp(arg, "sleep") == 0;
            return RB_OK;
        }
        fprintf(stderr, "rpcbench: --work wants busy or sleep, got '%s'\n", arg);
        return RB_EINVAL;
    }
    return RB_EINVAL;
}

/* Every --rate offers at least one call per connection in the window.
 * RB_OK or RB_EINVAL (message on stderr). */
static int check_rates(const rb_run_cfg *cfg)
{
    for (int i = 0; i < cfg->nrates; i++)
        for (int c = 0; c < cfg->nc; c++) {
            double window = cfg->calls ? (double)cfg->calls / cfg->rates[i] : cfg->duration_s;
            if (rb_schedule_total(cfg->rates[i], window) < (uint64_t)cfg->conc[c]) {
                fprintf(stderr, "rpcbench: --rate %g over %g s offers fewer calls than the %d "
                                "connections\n", cfg->rates[i], window, cfg->conc[c]);
                return RB_EINVAL;
            }
        }
    return RB_OK;
}

/* The SLO's methods default to --methods. */
static void slo_defaults(rb_run_cfg *cfg)
{
    if (cfg->slo_set && cfg->nslo_m == 0) {
        memcpy(cfg->slo_methods, cfg->methods, sizeof cfg->methods);
        cfg->nslo_m = cfg->nm;
    }
}

/* --transports LIST, or (tlist NULL) every transport built in, the broker
 * ones only when their broker's URL is set. */
static int parse_transports(char *tlist, rb_run_cfg *cfg)
{
    char *items[RB_RUN_MAX];
    if (tlist) {
        int n = rb_arg_split(tlist, items, RB_RUN_MAX);
        for (int i = 0; i < n; i++) {
            const rb_transport *t = rb_transport_find(items[i]);
            if (!t) {
                fprintf(stderr, "rpcbench: no transport '%s' in this build (rpcbench list)\n", items[i]);
                return 2;
            }
            cfg->ts[cfg->nt++] = t;
        }
        return 0;
    }
    /* a cluster fault asks for the cluster: the runner starts it */
    int cluster = 0;
    for (int k = 0; k < cfg->nf; k++)
        cluster |= strncmp(cfg->fault_args[k], "broker-node-kill", 16) == 0;
    for (const rb_transport *const *p = rb_transports; *p && cfg->nt < RB_RUN_MAX; p++) {
        if (rb_broker_nodes((*p)->broker) > 1 && cluster) {
            cfg->ts[cfg->nt++] = *p;
            continue;
        }
        if ((*p)->broker != RB_BROKER_NONE && !getenv(rb_broker_url_env((*p)->broker))) {
            fprintf(stderr, "rpcbench: %s left out: %s is not set (%s)\n", (*p)->name,
                    rb_broker_url_env((*p)->broker), rb_broker_hint((*p)->broker));
            continue;
        }
        cfg->ts[cfg->nt++] = *p;
    }
    return 0;
}

/* --connect T=ADDR, each T among the run's transports. RB_OK or
 * RB_EINVAL (message on stderr). */
static int parse_connects(char **connects, int nconnect, rb_run_cfg *cfg)
{
    for (int i = 0; i < nconnect; i++) {
        char *eq = strchr(connects[i], '=');
        int found = 0;
        if (eq) {
            *eq = '\0';
            for (int k = 0; k < cfg->nt; k++)
                if (strcmp(cfg->ts[k]->name, connects[i]) == 0) {
                    cfg->connect[k] = eq + 1;
                    found = 1;
                }
        }
        if (!found) {
            if (eq)
                *eq = '=';
            fprintf(stderr, "rpcbench: --connect wants T=ADDR with T among the run's "
                            "transports, got '%s'\n", connects[i]);
            return RB_EINVAL;
        }
    }
    return RB_OK;
}

/* --calls and --duration together, and the duration default. RB_OK or
 * RB_EINVAL (message on stderr). */
static int check_amount(rb_run_cfg *cfg)
{
    if (cfg->calls && cfg->duration_s > 0) {
        fprintf(stderr, "rpcbench: give --calls or --duration, not both\n");
        return RB_EINVAL;
    }
    if (!cfg->calls && !(cfg->duration_s > 0))
        cfg->duration_s = 2;
    for (int i = 0; i < cfg->nc; i++)
        if (cfg->calls && cfg->calls < cfg->conc[i]) {
            fprintf(stderr, "rpcbench: --calls %lld is fewer than --concurrency %d\n", cfg->calls, cfg->conc[i]);
            return RB_EINVAL;
        }
    return RB_OK;
}

/* A comma-separated list of whole numbers in lo..hi into v[0..RB_RUN_MAX). */
static int int_list(const char *opt, char *list, long lo, long hi, long *v)
{
    return rb_arg_int_list(opt, list, lo, hi, v, RB_RUN_MAX);
}

/* --fault: parsed, injectable by this process, and fitting the run: a
 * window of --duration with AT inside it, sendObj (its object carries the
 * call id), and at least one transport it applies to. RB_OK or RB_EINVAL
 * (message on stderr). */
static int check_fault(rb_run_cfg *cfg, int k)
{
    char err[512];
    rb_fault_spec *f = &cfg->faults[k];
    const char *arg = cfg->fault_args[k], *why = NULL;
    if (rb_fault_parse(arg, f, err, sizeof err) || rb_fault_check(f->kind, err, sizeof err)) {
        fprintf(stderr, "rpcbench: %s\n", err);
        return RB_EINVAL;
    }
    if (cfg->calls || (f->at_ms >= 0 && f->at_ms >= cfg->duration_s * 1000)) {
        fprintf(stderr, "rpcbench: --fault '%s' needs --duration S with AT inside the window\n", arg);
        return RB_EINVAL;
    }
    if (cfg->nm != 1 || cfg->methods[0] != RB_M_SEND_OBJ) {
        if (cfg->methods_given) {
            fprintf(stderr, "rpcbench: --fault accounts for sendObj calls only (--methods sendObj)\n");
            return RB_EINVAL;
        }
        cfg->methods[0] = RB_M_SEND_OBJ;   /* the call id rides in sendObj's object */
        cfg->nm = 1;
    }
    int any = 0;
    for (int i = 0; i < cfg->nt; i++)
        any |= rb_run_fault_applies(cfg, f, i, &why);
    if (!any) {
        fprintf(stderr, "rpcbench: --fault %s needs %s; none of the transports is\n",
                rb_fault_kind_name(f->kind), why);
        return RB_EINVAL;
    }
    return RB_OK;
}

static int check_faults(rb_run_cfg *cfg)
{
    int rc = RB_OK;
    for (int k = 0; k < cfg->nf && rc == RB_OK; k++)
        rc = check_fault(cfg, k);
    return rc;
}

static const struct option run_opts[] = {
    { "transports", required_argument, NULL, 't' },
    { "methods", required_argument, NULL, 'm' },
    { "calls", required_argument, NULL, 'n' },
    { "duration", required_argument, NULL, 'd' },
    { "warmup", required_argument, NULL, 'w' },
    { "concurrency", required_argument, NULL, 'c' },
    { "entries", required_argument, NULL, 'e' },
    { "rounds", required_argument, NULL, 'r' },
    { "connect", required_argument, NULL, 'C' },
    { "timeout", required_argument, NULL, 'T' },
    { "fib-n", required_argument, NULL, 'f' },
    { "out", required_argument, NULL, 'o' },
    { "fault", required_argument, NULL, 'F' },
    { "rate", required_argument, NULL, 'R' },
    { "arrivals", required_argument, NULL, 'A' },
    { "seed", required_argument, NULL, 'S' },
    { "slo", required_argument, NULL, 'L' },
    { "slo-methods", required_argument, NULL, 'M' },
    { "slo-step", required_argument, NULL, 'Q' },
    { "timeline-ms", required_argument, NULL, 'I' },
    { "work-us", required_argument, NULL, 'W' },
    { "work", required_argument, NULL, 'K' },
    { "pin", required_argument, NULL, 'P' },
    { "help", no_argument, NULL, 'h' },
    { 0, 0, 0, 0 },
};

/* What the options leave for the checks after the last one. */
typedef struct parse_state {
    char *connects[RB_RUN_MAX];
    int nconnect;
    char *tlist;
} parse_state;

/* One option c with its argument arg (a copy the run keeps) into cfg or
 * st. RB_OK, or RB_EINVAL (message on stderr). */
static int one_option(int c, char *arg, rb_run_cfg *cfg, parse_state *st)
{
    long v[RB_RUN_MAX];
    char err[300];
    int rc = num_option(c, arg, cfg), n;
    if (rc != RB_EUNSUPP)
        return rc;
    switch (c) {
    case 't': st->tlist = arg; return RB_OK;
    case 'm': cfg->methods_given = 1; return parse_methods(arg, cfg->methods, &cfg->nm);
    case 'c':
        if ((n = int_list("--concurrency", arg, 1, 1024, v)) < 0)
            return RB_EINVAL;
        cfg->nc = n;
        for (int i = 0; i < n; i++)
            cfg->conc[i] = (int)v[i];
        return RB_OK;
    case 'e':
        if ((n = int_list("--entries", arg, 0, 10000000, cfg->entries)) < 0)
            return RB_EINVAL;
        cfg->ne = n;
        return RB_OK;
    case 'C':
        if (st->nconnect < RB_RUN_MAX)
            st->connects[st->nconnect++] = arg;
        return RB_OK;
    case 'o': cfg->out = arg; return RB_OK;
    case 'F': cfg->fault_args[cfg->nf < RB_FAULT__COUNT ? cfg->nf++ : cfg->nf - 1] = arg; return RB_OK;
    case 'P':
        if (rb_pin_parse(arg, &cfg->pin, err, sizeof err)) {
            fprintf(stderr, "rpcbench: %s\n", err);
            return RB_EINVAL;
        }
        cfg->pinned = 1;
        return RB_OK;
    default: return open_loop_option(c, arg, cfg);
    }
}

int rb_run_parse_args(int argc, char **argv, rb_run_cfg *cfg, int *help)
{
    parse_state st = { .nconnect = 0 };
    int c, rc = RB_OK;
    *help = 0;
    while (rc == RB_OK && (c = getopt_long(argc, argv, "h", run_opts, NULL)) != -1) {
        if (c == 'h') {
            rb_run_usage(stdout);
            *help = 1;
            return RB_OK;
        }
        if (c == '?') {
            rb_run_usage(stderr);
            return RB_EINVAL;
        }
        /* Lists are cut in place: work on a copy, never on argv (the
         * process title). The copies live as long as the process. */
        char *arg = optarg ? strdup(optarg) : NULL;
        if (optarg && !arg) {
            fprintf(stderr, "rpcbench: out of memory\n");
            return RB_ENOMEM;
        }
        rc = one_option(c, arg, cfg, &st);
    }
    if (rc != RB_OK)
        return rc;
    if (optind != argc) {
        rb_run_usage(stderr);
        return RB_EINVAL;
    }
    if (parse_transports(st.tlist, cfg) != 0)
        return RB_EINVAL;
    if ((rc = parse_connects(st.connects, st.nconnect, cfg)) != RB_OK)
        return rc;
    slo_defaults(cfg);
    if ((rc = check_amount(cfg)) != RB_OK || (rc = check_rates(cfg)) != RB_OK)
        return rc;
    return check_faults(cfg);
}

_Static_assert(RB_RUN_MAX <= RB_PARAMS_MAX && RB_FAULT__COUNT <= RB_PARAMS_MAX,
               "every option's values fit the parameters' lists");

