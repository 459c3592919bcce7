/* run_args.c - `rpcbench run`'s options into an rb_run_cfg, and back out
 * as results.json's environment.parameters. */
#include "run_args.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "descriptor.h"

static json_t *params_base(const rb_run_cfg *cfg);

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
"                      queue of an AMQP transport) instead of starting one\n"
"  --timeout MS        deadline of every call (default %d)\n"
"  --fib-n N           fib's argument, 0..92 (default 30)\n"
"  --pin S:C           servers on CPU list S, client threads on C (e.g. 0:1,\n"
"                      0-1:0; sched_setaffinity), recorded in the manifest\n"
"  --out DIR           results folder (default results/<UTC timestamp>)\n"
"\n"
"exit status: 0 every scenario ran with zero failed calls; 3 calls failed\n"
"(results written, the last line on stderr names the scenarios); 1 nothing\n"
"could be measured (no server, no broker); 2 usage error; 130 interrupted\n"
"(what finished is written, marked \"complete\": false)\n",
            RB_DEFAULT_TIMEOUT_MS);
}

static int parse_methods(char *list, rb_run_cfg *cfg)
{
    char *items[RB_RUN_MAX];
    int n = rb_arg_split(list, items, RB_RUN_MAX);
    cfg->nm = 0;
    for (int i = 0; i < n; i++) {
        int m = rb_method_from_name(items[i], strlen(items[i]));
        if (m < 0) {
            fprintf(stderr, "rpcbench: unknown method '%s' (fib, getObj, sendObj)\n", items[i]);
            return 2;
        }
        if (cfg->nm < RB_M__COUNT)
            cfg->methods[cfg->nm++] = (rb_method)m;
    }
    return 0;
}

/* --transports LIST, or (tlist NULL) every transport built in, the broker
 * ones only when their broker's URL is set. */
static int parse_transports(char *tlist, rb_run_cfg *cfg)
{
    char *items[RB_RUN_MAX];
    int skipped = 0;
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
    for (const rb_transport *const *p = rb_transports; *p && cfg->nt < RB_RUN_MAX; p++) {
        if ((*p)->broker != RB_BROKER_NONE && !getenv(rb_broker_url_env((*p)->broker))) {
            skipped++;
            continue;
        }
        cfg->ts[cfg->nt++] = *p;
    }
    if (skipped)
        fprintf(stderr, "rpcbench: no broker URL is set: %d broker transport(s) left out "
                        "(scripts/broker start, then source .run/broker.env)\n", skipped);
    return 0;
}

/* --connect T=ADDR, each T among the run's transports. */
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
            return 2;
        }
    }
    return 0;
}

/* --calls and --duration together, and the duration default. */
static int check_amount(rb_run_cfg *cfg)
{
    if (cfg->calls && cfg->duration_s > 0) {
        fprintf(stderr, "rpcbench: give --calls or --duration, not both\n");
        return 2;
    }
    if (!cfg->calls && !(cfg->duration_s > 0))
        cfg->duration_s = 2;
    for (int i = 0; i < cfg->nc; i++)
        if (cfg->calls && cfg->calls < cfg->conc[i]) {
            fprintf(stderr, "rpcbench: --calls %lld is fewer than --concurrency %d\n", cfg->calls, cfg->conc[i]);
            return 2;
        }
    return 0;
}

/* A comma-separated list of whole numbers in lo..hi into v[0..RB_RUN_MAX). */
static int int_list(const char *opt, char *list, long lo, long hi, long *v)
{
    return rb_arg_int_list(opt, list, lo, hi, v, RB_RUN_MAX);
}

int rb_run_parse_args(int argc, char **argv, rb_run_cfg *cfg)
{
    static const struct option opts[] = {
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
        { "pin", required_argument, NULL, 'P' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    char *connects[RB_RUN_MAX], *tlist = NULL;
    long v[RB_RUN_MAX];
    int nconnect = 0, c, rc = 0;
    char err[300];
    while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        /* Lists are cut in place: work on a copy, never on argv (the
         * process title). The copies live as long as the process. */
        char *arg = optarg ? strdup(optarg) : NULL;
        if (optarg && !arg) {
            fprintf(stderr, "rpcbench: out of memory\n");
            return 1;
        }
        switch (c) {
        case 't': tlist = arg; break;
        case 'm': rc = parse_methods(arg, cfg); break;
        case 'n': cfg->calls = rb_arg_int("--calls", optarg, 1, 1000000000); break;
        case 'd': cfg->duration_s = rb_arg_real("--duration", optarg, 0, 86400); break;
        case 'w': cfg->warmup = (int)rb_arg_int("--warmup", optarg, 0, 10000000); break;
        case 'c':
            cfg->nc = int_list("--concurrency", arg, 1, 1024, v);
            for (int i = 0; i < cfg->nc; i++)
                cfg->conc[i] = (int)v[i];
            break;
        case 'e': cfg->ne = int_list("--entries", arg, 0, 10000000, cfg->entries); break;
        case 'r': cfg->rounds = (int)rb_arg_int("--rounds", optarg, 1, 1000); break;
        case 'C':
            if (nconnect < RB_RUN_MAX)
                connects[nconnect++] = arg;
            break;
        case 'T': cfg->timeout_ms = (int)rb_arg_int("--timeout", optarg, 1, 3600000); break;
        case 'f': cfg->fib_n = (int)rb_arg_int("--fib-n", optarg, 0, RB_FIB_MAX); break;
        case 'o': cfg->out = arg; break;
        case 'P':
            if (rb_pin_parse(arg, &cfg->pin, err, sizeof err)) {
                fprintf(stderr, "rpcbench: %s\n", err);
                return 2;
            }
            cfg->pinned = 1;
            break;
        case 'h': rb_run_usage(stdout); exit(0);
        default: rb_run_usage(stderr); return 2;
        }
    }
    if (rc)
        return rc;
    if (optind != argc) {
        rb_run_usage(stderr);
        return 2;
    }
    if ((rc = parse_transports(tlist, cfg)) || (rc = parse_connects(connects, nconnect, cfg)))
        return rc;
    return check_amount(cfg);
}

json_t *rb_run_params_json(const rb_run_cfg *cfg)
{
    json_t *j = params_base(cfg);
    json_object_set_new(j, "pin", cfg->pinned
        ? json_pack("{s:s,s:s}", "server_cpus", cfg->pin.server.text,
                    "client_cpus", cfg->pin.client.text)
        : json_null());
    return j;
}

static json_t *params_base(const rb_run_cfg *cfg)
{
    json_t *t = json_array(), *m = json_array(), *c = json_array(), *e = json_array();
    for (int i = 0; i < cfg->nt; i++)
        json_array_append_new(t, json_string(cfg->ts[i]->name));
    for (int i = 0; i < cfg->nm; i++)
        json_array_append_new(m, json_string(rb_method_name(cfg->methods[i])));
    for (int i = 0; i < cfg->nc; i++)
        json_array_append_new(c, json_integer(cfg->conc[i]));
    for (int i = 0; i < cfg->ne; i++)
        json_array_append_new(e, json_integer(cfg->entries[i]));
    json_t *conn = json_object();
    for (int i = 0; i < cfg->nt; i++)
        if (cfg->connect[i])
            json_object_set_new(conn, cfg->ts[i]->name, json_string(cfg->connect[i]));
    return json_pack("{s:o,s:o,s:o,s:o,s:i,s:o,s:o,s:i,s:i,s:i,s:b,s:s,s:o,s:s}",
        "transports", t, "methods", m,
        "calls", cfg->calls ? json_integer(cfg->calls) : json_null(),
        "duration_s", cfg->calls ? json_null() : json_real(cfg->duration_s),
        "warmup", cfg->warmup, "concurrency", c, "entries", e, "rounds", cfg->rounds,
        "timeout_ms", cfg->timeout_ms, "fib_n", cfg->fib_n, "pinned", cfg->pinned,
        "loop", "closed", "connect", conn,
        "server_threads", "each transport's default");
}
