/* run.c - `rpcbench run`: start the servers, drive every scenario,
 * verify every reply, write the results.
 *
 * Shape of a run (wrk's main, TechEmpower's verify-then-time):
 *   for each entries value        servers restarted with --entries E
 *     start every server          child process, ephemeral port, wait for
 *                                 its "ready" line, then a verified call
 *     for each round              transports in an order rotated by round,
 *       for each transport        so drift on this noisy machine spreads
 *         for each method, concurrency      over all of them evenly
 *           connect + first verified reply (connect_us), warm up untimed,
 *           then measure: one connection per client thread, calls back to
 *           back (closed loop), every reply verified, every failure counted
 *           by kind; CPU and TCP counters sampled before and after
 *     stop the servers (also on SIGINT/SIGTERM, and the kernel stops them
 *                       should the harness die: PR_SET_PDEATHSIG)
 *
 * --rate makes every scenario open loop at each rate given (schedule.h);
 * --slo adds, per transport in every round, the SLO search (slo_run.h).
 *
 * Closed loop: each thread issues its next call when the previous returns,
 * so latency excludes the queueing an open-loop arrival schedule would see
 * (coordinated omission, wrk2's -R): read p99 as "per call under this
 * concurrency", not as a service-level latency at a given arrival rate.
 *
 * This file is the orchestration; cli/run_args.c parses the options,
 * proc/servers.c runs the servers, round.c measures one scenario's round
 * with the load generator (load/loadgen.h).
 */
#include "run/run.h"
#include "codecs/codecs.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "measure/envinfo.h"
#include "fault/fault_run.h"
#include "measure/procstat.h"
#include "report/report.h"
#include "results/results.h"
#include "run/slo_run.h"
#include "run/round.h"
#include "proc/servers.h"
#include "proc/child.h"

static void on_interrupt(int sig)
{
    (void)sig;
    rb_run_interrupted = 1;
}

/* The folders mkdir_p created, deepest last, so that a run that measured
 * nothing can remove them again (remove_created). */
static char created[16][4096];
static int ncreated;

/* One folder, recorded when created here. RB_OK (created, or there
 * already) or RB_EIO (errno says why). */
static int mkdir_one(const char *dir)
{
    if (mkdir(dir, 0755) == 0) {
        if (ncreated < 16)
            snprintf(created[ncreated++], sizeof created[0], "%s", dir);
        return RB_OK;
    }
    return errno == EEXIST ? RB_OK : RB_EIO;
}

/* path and the folders above it. RB_OK or RB_EIO (errno says why). */
static int mkdir_p(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir_one(tmp) != RB_OK)
                return RB_EIO;
            *p = '/';
        }
    return mkdir_one(tmp);
}

/* A run that measured nothing leaves no folder behind: the files this run
 * put into the results folder when it created that folder (a fault run's
 * journal), then the folders it created, deepest first. A folder it did
 * not create is left as it was. */
static void remove_created(const char *out)
{
    if (ncreated > 0 && strcmp(created[ncreated - 1], out) == 0) {
        DIR *d = opendir(out);
        struct dirent *e;
        struct stat st;
        char path[4096 + 256];
        while (d && (e = readdir(d)) != NULL) {
            snprintf(path, sizeof path, "%s/%s", out, e->d_name);
            if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
                unlink(path);
        }
        if (d)
            closedir(d);
    }
    while (ncreated > 0)
        rmdir(created[--ncreated]);   /* fails, harmlessly, when not empty */
}

/* The start time (started, 32 bytes) and the results folder, created.
 * RB_OK, or RB_EIO when the folder cannot be created (message on stderr). */
static int prepare_out(rb_run_cfg *cfg, char *started, char *outbuf, size_t outcap)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(started, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (!cfg->out) {
        strftime(outbuf, outcap, "results/%Y%m%dT%H%M%SZ", &tm);
        cfg->out = outbuf;
    }
    if (mkdir_p(cfg->out)) {
        fprintf(stderr, "rpcbench: cannot create %s: %s\n", cfg->out, strerror(errno));
        return RB_EIO;
    }
    return RB_OK;
}

#define BROKER_UP_MS 900000     /* a 3-node cluster boots in minutes when busy */
#define BROKER_DOWN_MS 300000

/* The brokers this run starts: each distinct broker of the run's
 * transports that is started on demand and not running yet (its URL is
 * not set). A fault that needs a cluster has a transport through one
 * (rb_run_parse_args checks). Into out[0..RB_RUN_MAX); returns the count. */
static int brokers_wanted(const rb_run_cfg *cfg, const rb_broker **out)
{
    int n = 0;
    for (int i = 0; i < cfg->nt; i++) {
        const rb_broker *b = cfg->ts[i]->broker;
        int seen = 0;
        for (int k = 0; k < n; k++)
            seen |= out[k] == b;
        if (!seen && rb_broker_wanted(b))
            out[n++] = b;
    }
    return n;
}

/* rb_in_child: does t's library initialise? 0 when it does. */
static int init_ok(void *arg, char *msg, size_t msglen)
{
    const rb_transport *t = arg;
    (void)msg;
    (void)msglen;
    return t->init() == RB_OK ? 0 : 1;
}

/* Every transport's library initialised and its broker reachable. RB_OK,
 * RB_EIO (a library failed) or RB_EINVAL (a broker URL is missing: usage);
 * message on stderr. */
static int check_transports(const rb_run_cfg *cfg)
{
    char msg[128];
    /* in a child: this process stays free of the libraries' threads */
    for (int i = 0; i < cfg->nt; i++)
        if (cfg->ts[i]->init && rb_in_child(init_ok, (void *)cfg->ts[i], msg, sizeof msg) != 0) {
            fprintf(stderr, "rpcbench: %s: cannot initialise its library%s%s\n",
                    cfg->ts[i]->name, msg[0] ? ": " : "", msg);
            return RB_EIO;
        }
    for (int i = 0; i < cfg->nt; i++) {
        const rb_transport *t = cfg->ts[i];
        if (t->broker != RB_BROKER_NONE && !getenv(rb_broker_url_env(t->broker))) {
            fprintf(stderr, "rpcbench: %s needs %s (%s)\n", t->name,
                    rb_broker_url_env(t->broker), rb_broker_hint(t->broker));
            return RB_EINVAL;
        }
    }
    return RB_OK;
}

/* Every scenario, in a fixed order: entries, transport, method, conc,
 * rate (closed loop: none). fib does not depend on entries: measured once,
 * with the first value. Returns the array (*n scenarios, caller frees with
 * free_scenarios) or NULL when out of memory. */
static rb_scenario *make_scenarios(const rb_run_cfg *cfg, size_t *n)
{
    int nf = cfg->nf ? cfg->nf : 1;
    int nr = cfg->nrates ? cfg->nrates : 1;
    size_t cap = (size_t)cfg->ne * cfg->nt * cfg->nm * cfg->nc * nr * nf;
    rb_scenario *sc = calloc(cap ? cap : 1, sizeof *sc);
    *n = 0;
    if (!sc)
        return NULL;
    for (int e = 0; e < cfg->ne; e++)
        for (int t = 0; t < cfg->nt; t++)
            for (int m = 0; m < cfg->nm; m++)
                for (int c = 0; c < cfg->nc * nr * nf; c++) {
                    /* c: fault fastest, then rate, then concurrency */
                    const char *why;
                    const rb_fault_spec *f = cfg->nf ? &cfg->faults[c % nf] : NULL;
                    int cr = c / nf;
                    if (cfg->methods[m] == RB_M_FIB && e > 0)
                        continue;
                    if (f && !rb_run_fault_applies(cfg, f, t, &why))
                        continue;   /* e.g. a broker fault on tcp */
                    rb_scenario *s = &sc[(*n)++];
                    s->fault = f;
                    s->rate_cps = cfg->nrates ? cfg->rates[cr % nr] : 0;
                    s->arrivals = rb_arrivals_name(cfg->arrivals);
                    s->t = cfg->ts[t];
                    s->method = cfg->methods[m];
                    s->entries = cfg->methods[m] == RB_M_FIB ? -1 : cfg->entries[e];
                    s->concurrency = cfg->conc[cr / nr];
                    s->nrounds = cfg->rounds;
                    s->rounds = calloc((size_t)cfg->rounds, sizeof *s->rounds);
                    s->server_max_rss_kb = -1;
                }
    return sc;
}

static void free_scenarios(rb_scenario *sc, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (int r = 0; sc[i].rounds && r < sc[i].nrounds; r++) {
            free(sc[i].rounds[r].tl);
            rb_fault_round_free(&sc[i].rounds[r].fault);
        }
        free(sc[i].rounds);
        rb_samples_free(&sc[i].all);
    }
    free(sc);
}

/* Whether scenario s belongs to the e-th entries value (fib: the first). */
static int of_entries(const rb_run_cfg *cfg, const rb_scenario *s, int e)
{
    return s->entries < 0 ? e == 0 : s->entries == cfg->entries[e];
}

/* Progress on a terminal: scenario k of N, elapsed, ETA, the last p50
 * and failed calls. */
typedef struct progress {
    int on;
    size_t k, total;
    uint64_t t0;
    char last[96];
} progress;

static void clock_text(char *b, size_t len, double s)
{
    long v = (long)(s + 0.5);
    if (v >= 3600)
        snprintf(b, len, "%ld:%02ld:%02ld", v / 3600, v / 60 % 60, v % 60);
    else
        snprintf(b, len, "%ld:%02ld", v / 60, v % 60);
}

static void progress_show(progress *pg, const rb_scenario *s)
{
    char el[32], eta[32] = "?";
    double e = (double)(rb_now_ns() - pg->t0) / 1e9;
    if (!pg->on)
        return;
    clock_text(el, sizeof el, e);
    if (pg->k > 0)
        clock_text(eta, sizeof eta, e / (double)pg->k * (double)(pg->total - pg->k));
    fprintf(stderr, "\r\033[K[%zu/%zu, %s elapsed, ETA %s] %s %s c=%d%s", pg->k + 1, pg->total,
            el, eta, s->t->name, rb_method_name(s->method), s->concurrency, pg->last);
}

static void progress_done(progress *pg, const rb_round *r)
{
    uint64_t f = 0;
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        f += r->failures[k];
    pg->k++;
    if (r->lat.n)
        snprintf(pg->last, sizeof pg->last, " (last: p50 %.1f µs, %llu failed)", r->lat.p50,
                 (unsigned long long)f);
    else
        snprintf(pg->last, sizeof pg->last, " (last: no verified call, %llu failed)",
                 (unsigned long long)f);
}

/* The run's SLO entries (slo_run.h). */
typedef struct slo_set {
    rb_slo_entry *e;
    size_t n;
} slo_set;

/* The SLO searches of transport t and the e-th entries value in round r,
 * each starting from its closed-loop scenario's throughput of this round. */
static void run_slo(const rb_run_cfg *cfg, const rb_scenario *sc, size_t n, slo_set *so,
                    int e, int t, int r, int k, const rb_server_proc *sp)
{
    for (size_t j = 0; j < so->n && !rb_run_interrupted; j++) {
        rb_slo_entry *x = &so->e[j];
        if (x->t != cfg->ts[t] || (x->entries < 0 ? e != 0 : x->entries != cfg->entries[e]))
            continue;
        double start = 0;
        for (size_t i = 0; i < n; i++)
            if (sc[i].t == x->t && sc[i].method == x->method && sc[i].entries == x->entries &&
                sc[i].concurrency == x->concurrency && sc[i].rate_cps == 0 && sc[i].rounds[r].ran)
                start = sc[i].rounds[r].throughput_cps;
        if (cfg->progress)
            fprintf(stderr, "\r\033[K[round %d/%d] %s %s: SLO search ...", r + 1, cfg->rounds,
                    x->t->name, rb_method_name(x->method));
        rb_slo_run_round(cfg, x, r, k, start, &sp[t]);
    }
}

/* Every round of the e-th entries value, the transports in an order rotated
 * by round. */
static void run_rounds(const rb_run_cfg *cfg, rb_scenario *sc, size_t n, int e,
                       const rb_server_proc *sp, progress *pg, slo_set *so)
{
    for (int r = 0; r < cfg->rounds && !rb_run_interrupted; r++)
        for (int k = 0; k < cfg->nt && !rb_run_interrupted; k++) {
            int t = (k + r) % cfg->nt;   /* rotated order */
            for (size_t i = 0; i < n && !rb_run_interrupted; i++) {
                rb_scenario *s = &sc[i];
                if (s->t != cfg->ts[t] || !of_entries(cfg, s, e))
                    continue;
                progress_show(pg, s);
                rb_round_in_run(cfg, s, r, k, &sp[t]);
                progress_done(pg, &s->rounds[r]);
            }
            run_slo(cfg, sc, n, so, e, t, r, k, sp);
        }
}

/* Start the servers per entries value, run its rounds, record each
 * server's peak RSS, stop them. RB_OK, or RB_ECONNECT when a server could
 * not be started (the rounds measured before are kept). */
static int run_all(const rb_run_cfg *cfg, rb_scenario *sc, size_t n, slo_set *so)
{
    rb_server_proc sp[RB_RUN_MAX];
    progress pg = { .on = cfg->progress, .total = n * (size_t)cfg->rounds, .t0 = rb_now_ns() };
    memset(sp, 0, sizeof sp);
    for (int e = 0; e < cfg->ne && !rb_run_interrupted; e++) {
        int started = 0, failed = 0;
        for (; started < cfg->nt; started++) {
            if (rb_server_start(cfg->ts[started], cfg->connect[started], cfg->entries[e],
                                &sp[started])) {
                failed = 1;
                break;
            }
            if (cfg->pinned && sp[started].pid > 0 &&
                rb_cpus_apply_process(sp[started].pid, &cfg->pin.server) != RB_OK)
                fprintf(stderr, "rpcbench: cannot pin server %s to CPUs %s\n",
                        cfg->ts[started]->name, cfg->pin.server.text);
        }
        if (!failed)
            run_rounds(cfg, sc, n, e, sp, &pg, so);
        for (int t = 0; t < started; t++) {
            long kb;
            if (sp[t].pid > 0 && rb_proc_max_rss_kb(sp[t].pid, &kb) == RB_OK)
                for (size_t i = 0; i < n; i++)
                    if (sc[i].t == cfg->ts[t] && of_entries(cfg, &sc[i], e))
                        sc[i].server_max_rss_kb = kb;
            rb_server_stop(&sp[t]);
        }
        if (failed)
            return RB_ECONNECT;
    }
    return RB_OK;
}

/* Whether any round of any scenario was measured. */
static int measured_any(const rb_scenario *sc, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (int r = 0; r < sc[i].nrounds; r++)
            if (sc[i].rounds[r].ran)
                return 1;
    return 0;
}

/* The last line on stderr: the scenarios with failed calls (at most 8
 * named). Returns how many scenarios had failures. */
static size_t name_failures(const rb_summary *sum, size_t n)
{
    size_t bad = 0;
    char line[2048];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const rb_summary *s = &sum[i];
        double f = rb_summary_failures(s);
        if (s->rounds < 1 || !(f > 0))
            continue;
        if (bad++ < 8 && len < sizeof line - 200) {
            char ent[32] = "";
            if (s->entries >= 0)
                snprintf(ent, sizeof ent, " e=%ld", s->entries);
            len += (size_t)snprintf(line + len, sizeof line - len, "%s%s %s%s c=%ld (%.0f)",
                                    bad > 1 ? ", " : "", s->t->name, s->method, ent,
                                    s->concurrency, f);
        }
    }
    if (bad)
        fprintf(stderr, "rpcbench: failed calls in %zu scenario%s: %s%s\n", bad,
                bad == 1 ? "" : "s", line, bad > 8 ? ", ..." : "");
    return bad;
}

/* The tables on stdout, report.md, the closing lines; *failed the
 * scenarios with failed calls (0 in a fault run). */
static void tell(const rb_run_cfg *cfg, rb_scenario *sc, const rb_summary *sum, size_t n,
                 int complete, const slo_set *so, size_t *failed)
{
    rb_results_print_table(stdout, sum, n);
    rb_openloop_print_table(stdout, sc, n);
    rb_slo_print_table(stdout, cfg, so->e, so->n);
    rb_openloop_print_flags(stderr, sc, n);
    if (rb_report_write(cfg->out) != RB_OK)
        fprintf(stderr, "rpcbench: report.md could not be written (results.json is complete)\n");
    printf("results: %s/results.json, results.csv, report.md%s\n", cfg->out,
           complete ? "" : " (incomplete: the run was interrupted)");
    fflush(stdout);
    if (!complete)
        fprintf(stderr, "rpcbench: %s: the finished rounds are written, marked "
                        "\"complete\": false\n",
                rb_run_interrupted ? "interrupted" : "stopped early");
    /* a fault run fails calls on purpose: they are its measurement */
    *failed = cfg->nf ? 0 : name_failures(sum, n);
}

/* results.json and the rest, the table on stdout, report.md. complete: 0
 * when the run stopped early. RB_OK with *failed the scenarios with failed
 * calls (0 in a fault run), or RB_EIO (the results could not be written)
 * or RB_ENOMEM. */
static int finish(const rb_run_cfg *cfg, const char *started, rb_scenario *sc, size_t n,
                  int complete, const slo_set *so, size_t *failed)
{
    rb_summary *sum = calloc(n ? n : 1, sizeof *sum);
    rb_manifest *env = malloc(sizeof *env);
    rb_params params;
    rb_slo_rec *slo = NULL;
    rb_codec_rec *codecs = NULL;
    size_t ncodecs = 0;
    int rc = RB_ENOMEM, codec_failed = 0;
    if (!sum || !env || (so->n && rb_slo_records(cfg, so->e, so->n, &slo) != RB_OK)) {
        fprintf(stderr, "rpcbench: out of memory\n");
        goto done;
    }
    rb_summarise(sc, n, sum);
    rb_env_manifest(env, started, cfg->ts, (size_t)cfg->nt);
    rb_run_params(cfg, &params);
    /* What each encoding costs, in-process, so a reader can split a stack's
     * cost into encoding and transport (a second or two). */
    int has_codecs = rb_codecs_measure(cfg->entries, (size_t)cfg->ne, cfg->fib_n,
                                       RB_CODECS_BUDGET_S, 0, &codecs, &ncodecs,
                                       &codec_failed) == RB_OK;
    if (codec_failed)
        fprintf(stderr, "rpcbench: an encoding failed its round-trip check (see results.json codecs)\n");
    rb_results_out out = { .sc = sc, .sum = sum, .n = n, .complete = complete, .env = env,
                           .params = &params, .codecs = codecs, .ncodecs = ncodecs,
                           .has_codecs = has_codecs, .slo = slo, .nslo = so->n };
    rc = rb_results_write(cfg->out, &out) == RB_OK ? RB_OK : RB_EIO;
    if (rc == RB_OK)
        tell(cfg, sc, sum, n, complete, so, failed);
done:
    rb_slo_records_free(slo, so->n);
    free(codecs);
    free(env);
    free(sum);
    return rc;
}

/* The run's process set up: the client pinned, ^C and SIGTERM caught, and
 * for a fault run the servers' journal in the results folder. RB_OK or
 * RB_EIO. */
static int setup(const rb_run_cfg *cfg)
{
    /* The client threads inherit the main thread's CPUs. */
    if (cfg->pinned && rb_cpus_apply(0, &cfg->pin.client) != RB_OK)
        fprintf(stderr, "rpcbench: cannot pin the client to CPUs %s\n", cfg->pin.client.text);
    struct sigaction sa = { .sa_handler = on_interrupt };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (cfg->nf) {
        rb_fault_guard_init();   /* after our handlers: it undoes, then chains */
        rb_server_fixed_ports();
        return rb_fault_run_env(cfg->out);
    }
    return RB_OK;
}

/* Every scenario and SLO search measured, then written (finish) or, when
 * nothing was measured, the results folder removed again. rb_run's
 * results. */
static int measure_all(const rb_run_cfg *cfg, const char *started, rb_scenario *sc,
                       size_t n, slo_set *so, size_t *failed)
{
    rb_servers_set_work(cfg->work_us, cfg->work_sleep);
    for (int i = 0; i < cfg->nt; i++)
        rb_broker_meter_start(cfg->ts[i]->broker);   /* NULL: no broker, nothing */
    int rc = run_all(cfg, sc, n, so);
    rb_broker_meter_stop();
    if (cfg->progress)
        fprintf(stderr, "\r\033[K");
    int complete = !rb_run_interrupted && rc == RB_OK;
    if (!measured_any(sc, n)) {
        remove_created(cfg->out);
        fprintf(stderr, "rpcbench: nothing was measured%s; no results written\n",
                rb_run_interrupted ? " (interrupted)" : "");
        return rb_run_interrupted ? RB_EINTR : rc != RB_OK ? rc : RB_EIO;
    }
    int wrc = finish(cfg, started, sc, n, complete, so, failed);
    return wrc != RB_OK ? wrc : rb_run_interrupted ? RB_EINTR : rc;
}

/* rb_run once the cluster (if any) is up. */
static int run_cluster_up(rb_run_cfg *cfg, size_t *failed)
{
    char started[32], outbuf[128];
    int rc;
    if ((rc = prepare_out(cfg, started, outbuf, sizeof outbuf)) != RB_OK ||
        (rc = check_transports(cfg)) != RB_OK || (rc = setup(cfg)) != RB_OK) {
        remove_created(cfg->out);
        return rc;
    }
    size_t n = 0;
    slo_set so = { NULL, 0 };
    rb_scenario *sc = make_scenarios(cfg, &n);
    if (!sc || rb_slo_entries_make(cfg, &so.e, &so.n) != RB_OK) {
        fprintf(stderr, "rpcbench: out of memory\n");
        free_scenarios(sc, n);
        remove_created(cfg->out);
        return RB_ENOMEM;
    }
    rc = measure_all(cfg, started, sc, n, &so, failed);
    free_scenarios(sc, n);
    rb_slo_entries_free(so.e, so.n);
    return rc;
}

void rb_run_defaults(rb_run_cfg *cfg)
{
    *cfg = (rb_run_cfg){ .warmup = 100, .rounds = 1, .timeout_ms = RB_DEFAULT_TIMEOUT_MS,
                         .fib_n = 30, .methods = { RB_M_FIB, RB_M_GET_OBJ, RB_M_SEND_OBJ },
                         .nm = 3, .conc = { 1 }, .nc = 1, .entries = { RB_DEFAULT_ENTRIES },
                         .ne = 1, .seed = 1, .slo_step_s = 0.3,
                         .timeline_ms = RB_TIMELINE_DEFAULT_MS };
}

int rb_run(const rb_run_cfg *given, size_t *failed)
{
    rb_run_cfg cfg = *given;
    *failed = 0;
    /* A broker started on demand (the cluster) runs only for the runs that
     * ask for it, and stops with them. */
    const rb_broker *up[RB_RUN_MAX];
    char err[256];
    int nup = brokers_wanted(&cfg, up), k = 0;
    for (; k < nup; k++)
        if (rb_broker_up(up[k], BROKER_UP_MS, err, sizeof err) != RB_OK) {
            fprintf(stderr, "rpcbench: %s\n", err);
            break;
        }
    int rc = k == nup ? run_cluster_up(&cfg, failed) : RB_EIO;
    while (nup > 0)
        rb_broker_down(up[--nup], BROKER_DOWN_MS);
    return rc;
}
