/* report_md.c - report.md: failures, one table per method with notes on
 * overlapping spreads, payload, "How to pick" (pick.c), the properties the
 * numbers do not show, the plots and the environment. */
#include "report/report_md.h"
#include "report/report_faults.h"
#include "report/report_codecs.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results/descriptor.h"
#include "report/fmt.h"
#include "plots/faults.h"
#include "report/under_load.h"
#include "report/pick.h"
#include "rb_error.h"

/* One "| key | value |" row per member of kv (objects left out when
 * skip_objects). */
static void md_kvs(FILE *o, const rb_kv *kv, size_t n, int skip_objects)
{
    for (size_t i = 0; i < n; i++) {
        if (skip_objects && kv[i].v.kind == RB_V_OBJECT)
            continue;
        fprintf(o, "| %s | ", kv[i].key);
        rb_md_value(o, &kv[i].v);
        fprintf(o, " |\n");
    }
}

static void md_environment(FILE *o, const rb_env *env)
{
    fprintf(o, "## Environment\n\n");
    if (!env->present) {
        fprintf(o, "results.json has no environment manifest.\n\n");
        return;
    }
    fprintf(o, "| | |\n|---|---|\n");
    md_kvs(o, env->top, env->ntop, 1);
    if (env->has_libraries) {
        fprintf(o, "\n| library | version |\n|---|---|\n");
        md_kvs(o, env->libraries, env->nlib, 0);
    }
    if (env->has_parameters) {
        fprintf(o, "\n| parameter | value |\n|---|---|\n");
        md_kvs(o, env->parameters, env->npar, 0);
    }
    fprintf(o, "\n");
}

/* Rank by p50 (which = 0) or p99 (1): 1 + the number of transports of the
 * group whose spread lies wholly below this one's. Overlapping spreads share
 * a rank. 0 when the spread is unknown. */
static int rank_in(const rb_summary *const *g, size_t n, size_t i, int which)
{
    const rb_spread *a = which ? &g[i]->sp_p99 : &g[i]->sp_p50;
    int rank = 1;
    if (isnan(a->lo))
        return 0;
    for (size_t j = 0; j < n; j++) {
        const rb_spread *b = which ? &g[j]->sp_p99 : &g[j]->sp_p50;
        if (j != i && rb_spread_overlap(a->lo, a->hi, b->lo, b->hi) == 0 && b->hi < a->lo)
            rank++;
    }
    return rank;
}

/* Notes on pairs whose p50 or p99 spreads overlap: they are not ranked. */
static void md_overlaps(FILE *o, const rb_summary *const *g, size_t n)
{
    static const char *const what[2] = { "p50", "p99" };
    for (int which = 0; which < 2; which++) {
        int first = 1;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++) {
                const rb_spread *a = which ? &g[i]->sp_p99 : &g[i]->sp_p50;
                const rb_spread *b = which ? &g[j]->sp_p99 : &g[j]->sp_p50;
                char l1[32], h1[32], l2[32], h2[32];
                if (rb_spread_overlap(a->lo, a->hi, b->lo, b->hi) != 1)
                    continue;
                if (first)
                    fprintf(o, "- %s spreads overlap, so these are not ranked against each other:", what[which]);
                fprintf(o, "%s %s (%s–%s µs) and %s (%s–%s µs)", first ? "" : ";",
                        g[i]->t->name, rb_fmt_us(l1, a->lo), rb_fmt_us(h1, a->hi),
                        g[j]->t->name, rb_fmt_us(l2, b->lo), rb_fmt_us(h2, b->hi));
                first = 0;
            }
        if (!first)
            fprintf(o, ".\n");
    }
}

/* One row of a method's table: g[i] of its group g[0..n). */
static void md_row(FILE *o, const rb_summary *const *g, size_t n, size_t i, int with_entries)
{
    const rb_summary *s = g[i];
    char a[100], b[100], x[32], y[32], z[32], w1[32], w2[32];
    int rank = rank_in(g, n, i, 0);
    fprintf(o, "|");
    if (with_entries)
        fprintf(o, " %ld |", s->entries);
    fprintf(o, " %s | %ld | %s |", s->t->name, s->concurrency,
            rb_fmt_spread(a, s->lat.p50, s->sp_p50, rb_fmt_us));
    fprintf(o, " %s | %s |", rb_fmt_spread(b, s->lat.p99, s->sp_p99, rb_fmt_us), rb_fmt_us(x, s->lat.p99_9));
    fprintf(o, " %s |", rb_fmt_spread(a, s->throughput_cps, s->sp_tput, rb_fmt_num));
    fprintf(o, " %s / %s |", rb_fmt_num(x, s->body_req), rb_fmt_num(y, s->body_rep));
    if (isnan(s->wire_total) || s->wire_total == s->wire_client)
        fprintf(o, " %s |", rb_fmt_num(w1, s->wire_client));
    else
        fprintf(o, " %s (client hop %s) |", rb_fmt_num(w1, s->wire_total), rb_fmt_num(w2, s->wire_client));
    fprintf(o, " %s / %s / %s |", rb_fmt_us(x, s->cpu_client), rb_fmt_us(y, s->cpu_server),
            isnan(s->cpu_broker) ? "–" : rb_fmt_us(z, s->cpu_broker));
    fprintf(o, " %s |", rb_fmt_ratio(a, s->r_p50));
    fprintf(o, " %s |", rb_fmt_ratio(a, s->r_p99));
    fprintf(o, " %s |", rb_fmt_ratio(a, s->r_tput));
    if (rank == 0)
        fprintf(o, " ? |");
    else
        fprintf(o, " %d |", rank);
    fprintf(o, " %s |\n", rb_summary_failures(s) > 0 ? rb_fmt_num(x, rb_summary_failures(s)) : "0");
}

/* The overlap notes of one group (entries en, concurrency co), headed by
 * the group's name; nothing when no spreads overlap. */
static void md_group_notes(FILE *o, const rb_results *r, const rb_shape *sh, const char *me,
                           long en, long co, int with_entries)
{
    const rb_summary *g[RB_SHAPE_MAX];
    size_t n = rb_shape_group(r, sh, me, en, co, g);
    char *buf = NULL;
    size_t blen = 0;
    FILE *mo = open_memstream(&buf, &blen);
    if (!mo)
        return;
    md_overlaps(mo, g, n);
    fclose(mo);
    if (blen) {
        if (with_entries)
            fprintf(o, "%ld entries, %ld client%s:\n\n", en, co, co == 1 ? "" : "s");
        else
            fprintf(o, "%ld client%s:\n\n", co, co == 1 ? "" : "s");
        fprintf(o, "%s\n", buf);
    }
    free(buf);
}

static void md_method(FILE *o, const rb_results *r, const rb_shape *sh, const char *me)
{
    long ev[RB_SHAPE_MAX], cv[RB_SHAPE_MAX];
    size_t ne = rb_shape_entries(r, me, ev), nc = rb_shape_conc(r, me, cv);
    int with_entries = !(ne == 1 && ev[0] < 0);

    fprintf(o, "### %s\n\n", me);
    fprintf(o, "|%s transport | clients | p50 µs | p99 µs | p99.9 µs | calls/s | "
               "body B req/rep | wire B/call | CPU µs/call client/server/broker | "
               "p50 × %s | p99 × %s | calls/s × %s | p50 rank | failed |\n",
            with_entries ? " entries |" : "", sh->floor, sh->floor, sh->floor);
    fprintf(o, "|%s---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            with_entries ? "---:|" : "");
    for (size_t e = 0; e < ne; e++)
        for (size_t c = 0; c < nc; c++) {
            const rb_summary *g[RB_SHAPE_MAX];
            size_t n = rb_shape_group(r, sh, me, ev[e], cv[c], g);
            for (size_t i = 0; i < n; i++)
                md_row(o, g, n, i, with_entries);
        }
    fprintf(o, "\n");
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->sc[i].method, me) == 0 && isnan(r->sc[i].wire_client) &&
            isnan(r->sc[i].wire_total)) {
            fprintf(o, "n/a: not measured (wire bytes cannot be counted in a window in which "
                       "connections opened or closed, e.g. a new connection per call).\n\n");
            break;
        }
    for (size_t e = 0; e < ne; e++)
        for (size_t c = 0; c < nc; c++)
            md_group_notes(o, r, sh, me, ev[e], cv[c], with_entries);
}

static void md_payload(FILE *o, const rb_results *r, const rb_shape *sh)
{
    int any = 0;
    if (sh->nen == 0)
        return;
    fprintf(o, "## Payload: body bytes per call\n\n"
               "The encoded message bodies (request / reply) of each encoding, per entry count "
               "(framing and headers excluded; those are in the wire bytes).\n\n");
    fprintf(o, "| transport | method |");
    for (size_t e = 0; e < sh->nen; e++)
        fprintf(o, " %ld entr%s |", sh->en[e], sh->en[e] == 1 ? "y" : "ies");
    fprintf(o, "\n|---|---|");
    for (size_t e = 0; e < sh->nen; e++)
        fprintf(o, "---:|");
    fprintf(o, "\n");
    for (size_t m = 0; m < sh->nme; m++)
        for (size_t t = 0; t < sh->ntr; t++) {
            int row = 0;
            for (size_t e = 0; e < sh->nen; e++)
                row |= rb_shape_find(r, sh->tr[t], sh->me[m], sh->en[e], rb_shape_ref_conc(r, sh->me[m])) != NULL;
            if (!row)
                continue;
            any = 1;
            fprintf(o, "| %s | %s |", sh->tr[t], sh->me[m]);
            for (size_t e = 0; e < sh->nen; e++) {
                const rb_summary *s = rb_shape_find(r, sh->tr[t], sh->me[m], sh->en[e], rb_shape_ref_conc(r, sh->me[m]));
                char x[32], y[32];
                if (s)
                    fprintf(o, " %s / %s |", rb_fmt_num(x, s->body_req), rb_fmt_num(y, s->body_rep));
                else
                    fprintf(o, " |");
            }
            fprintf(o, "\n");
        }
    if (!any)
        fprintf(o, "| (no getObj/sendObj scenario) | |\n");
    fprintf(o, "\n");
}

static const char *or_na(const char *p)
{
    return p && *p ? p : "n/a";
}

/* The properties the numbers do not show, from each transport's
 * descriptor (its table, as the run recorded it). */
static void md_properties(FILE *o, const rb_results *r, const rb_shape *sh)
{
    int measured = rb_results_has_faults(r);   /* "Faults" shows restarts */
    fprintf(o,
        "### What the numbers do not show\n\n"
        "From the stacks' documentation and how rpcbench uses them, not measured:\n\n"
        "| transport | needs a broker | %shuman-readable on the wire | schema | streaming | in most languages' standard library |\n"
        "|---|---|---|---|---|---|%s\n", measured ? "" : "survives a server restart | ",
        measured ? "" : "---|");
    for (size_t t = 0; t < sh->ntr; t++) {
        const rb_transport *d = rb_shape_desc(r, sh->tr[t]);
        const rb_transport_props *p = &d->props;
        const char *b = rb_broker_label(d->broker);
        fprintf(o, "| %s | ", d->name);
        if (b)
            fprintf(o, "yes (%s)", b);
        else
            fputs(p->restart ? "no" : "n/a", o);
        fputs(" | ", o);
        if (!measured) {
            rb_md_text(o, or_na(p->restart));
            fputs(" | ", o);
        }
        rb_md_text(o, or_na(p->human_readable));
        fputs(" | ", o);
        rb_md_text(o, or_na(p->schema));
        fputs(" | ", o);
        rb_md_text(o, or_na(p->streaming));
        fputs(" | ", o);
        rb_md_text(o, or_na(p->stdlib));
        fputs(" |\n", o);
    }
    fputs("\n", o);
}

static void md_failures(FILE *o, const rb_results *r)
{
    int any = 0;
    for (size_t i = 0; i < r->n; i++) {
        const rb_summary *s = &r->sc[i];
        char x[32];
        if (rb_summary_failures(s) == 0 && !(s->stale_replies > 0))
            continue;
        if (!any)
            fprintf(o, "## Failed calls\n\nThese scenarios had failed calls or late replies; "
                       "their latency covers the successful calls only, so treat them with care.\n\n"
                       "| transport | method | entries | clients | connect | timeout | protocol | "
                       "server_error | wrong_reply | stale replies | last error |\n"
                       "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        any = 1;
        fprintf(o, "| %s | %s | %s | %ld |", s->t->name, s->method,
                s->entries >= 0 ? rb_fmt_num(x, (double)s->entries) : "–", s->concurrency);
        for (int k = 0; k < 5; k++)
            fprintf(o, " %s |", rb_fmt_num(x, s->failures[k]));
        fprintf(o, " %s | ", rb_fmt_num(x, s->stale_replies));
        rb_md_text(o, s->last_error[0] ? s->last_error : "–");
        fprintf(o, " |\n");
    }
    if (any)
        fprintf(o, "\n");
}

/* The scenarios of r that raised flag `bit`, grouped: "amqp: fib c=1,4;
 * getObj e=100 c=1; zmq: fib c=4" (scenarios are in display order, so a
 * transport's and a method's come together). */
static void flagged_list(FILE *o, const rb_results *r, unsigned bit)
{
    const rb_summary *prev = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const rb_summary *s = &r->sc[i];
        char x[32];
        if (!(s->flags & bit))
            continue;
        int same_t = prev && prev->t == s->t;
        int same_m = same_t && strcmp(prev->method, s->method) == 0 && prev->entries == s->entries;
        if (same_m) {
            fprintf(o, ",%ld", s->concurrency);
        } else {
            fprintf(o, "%s", !prev ? "" : same_t ? "; " : "; ");
            if (!same_t)
                fprintf(o, "**%s**: ", s->t->name);
            fprintf(o, "%s", s->method);
            if (s->entries >= 0 && strcmp(s->method, "fib") != 0)
                fprintf(o, " e=%s", rb_fmt_num(x, (double)s->entries));
            fprintf(o, " c=%ld", s->concurrency);
        }
        prev = s;
    }
}

/* The validity checks (validity.h, machine.h): one row per check with the
 * scenarios it flagged in any round, and how CPU was read. */
static void md_validity(FILE *o, const rb_results *r)
{
    static const char *const why[RB_FLAG__COUNT] = {
        "p50 or throughput drifted more than 10 % between the window's halves",
        "p99 rests on fewer than 10 samples",
        "p99.9 rests on fewer than 10 samples",
        "throughput × mean latency is more than 5 % off the client threads "
        "(time outside the call)",
        "steal over 1 %, or other processes or kernel threads used over 10 % of the CPU time",
    };
    static const char *const legend[RB_FLAG__COUNT] = {
        "the warm-up was too short or the machine changed speed",
        "a thin tail: a longer window gives p99 more samples",
        "a thin tail: a longer window gives p99.9 more samples",
        "time went outside the timed call (failed calls, or the load generator in the way)",
        "another load on the machine",
    };
    int any = 0;
    fprintf(o, "## Validity\n\n");
    /* One row per check, naming the scenarios it flagged in any round
     * (each round's detail is in results.json: `validity`, `machine`). */
    for (int b = 0; b < RB_FLAG__COUNT; b++) {
        size_t hit = 0;
        for (size_t i = 0; i < r->n; i++)
            hit += (r->sc[i].flags & (1u << b)) != 0;
        if (!hit)
            continue;
        if (!any)
            fprintf(o, "| check | flags a scenario when | what it suggests | scenarios flagged |\n"
                       "|---|---|---|---|\n");
        any = 1;
        fprintf(o, "| %s | %s | %s | %zu of %zu: ", rb_flag_name(b), why[b], legend[b], hit, r->n);
        flagged_list(o, r, 1u << b);
        fprintf(o, " |\n");
    }
    if (!any)
        fprintf(o, "No check flagged a scenario: stationary windows, enough tail samples, "
                   "Little's law within 5 %%, no sign of interference.\n\n");
    else
        fprintf(o, "\nA flagged figure may still be right, but check it. results.json has every "
                   "check per round (`validity`, `machine`), with confidence intervals of p50, "
                   "p99 and p99.9.\n\n");
    for (size_t i = 0; i < r->n; i++)
        if (r->sc[i].cpu_method_server[0]) {
            fprintf(o, "Server and broker CPU were read with %s (%s): ", r->sc[i].cpu_method_server,
                    strcmp(r->sc[i].cpu_method_server, "proc-stat-ticks") == 0
                        ? "10 ms ticks: trust windows of a second or more"
                        : "nanoseconds, threads that exited inside the window included");
            fprintf(o, "results.json's `cpu_ticks_us_per_call` has the tick-based figure beside it.\n\n");
            break;
        }
}

/* The wake-up effect, with this run's evidence: the floor's p50 with one
 * client against its p50 and time per call with the most clients. */
static void md_wakeup(FILE *o, const rb_results *r, const rb_shape *sh)
{
    long cv[RB_SHAPE_MAX];
    char a[32], b[32], c[32];
    if (!sh->floor[0] || sh->nme == 0)
        return;
    const char *me = sh->me[0];
    size_t nc = rb_shape_conc(r, me, cv);
    long en = rb_shape_ref_entries(r, me);
    const rb_summary *one = rb_shape_find(r, sh->floor, me, en, 1);
    const rb_summary *many = nc > 1 ? rb_shape_find(r, sh->floor, me, en, cv[nc - 1]) : NULL;
    if (!one)
        return;
    fprintf(o, "With one client, client and server block in turn; when a CPU idles between "
               "calls, waking it adds to every round trip, for every stack alike. ");
    if (!many || isnan(many->throughput_cps)) {
        fprintf(o, "This run measured one concurrency only, so it cannot show how much (run "
                   "with `--concurrency 1,4`): %s %s with 1 client has p50 %s µs.\n\n",
                sh->floor, me, rb_fmt_us(a, one->lat.p50));
        return;
    }
    double per_call = 1e6 / many->throughput_cps;
    fprintf(o, "Here %s %s has p50 %s µs with 1 client, p50 %s µs with %ld clients, whose "
               "machine time per call (1 / throughput) is %s µs: ",
            sh->floor, me, rb_fmt_us(a, one->lat.p50), rb_fmt_us(b, many->lat.p50),
            cv[nc - 1], rb_fmt_us(c, per_call));
    if (one->lat.p50 >= 2 * per_call)
        fprintf(o, "about %s µs of the 1-client round trip is waiting and waking, not work, "
                   "so 1-client ratios to the floor are compressed; compare the stacks' own "
                   "costs at %ld clients.\n\n", rb_fmt_us(a, one->lat.p50 - per_call), cv[nc - 1]);
    else
        fprintf(o, "no large wake-up cost shows in this run (the CPUs stayed busy, e.g. "
                   "with other load: see Validity), so 1-client ratios are not compressed "
                   "by it.\n\n");
}

static void md_plots(FILE *o, const rb_plots *ps)
{
    int any = 0;
    fprintf(o, "## Plots\n\n");
    for (size_t i = 0; i < ps->n; i++) {
        if (!ps->p[i].ok || ps->p[i].script != RB_SCRIPT_MAIN)
            continue;
        any = 1;
        fprintf(o, "![%s](plots/%s.svg)\n\n%s ([SVG](plots/%s.svg), [PNG](plots/%s.png))\n\n",
                ps->p[i].title, ps->p[i].name, ps->p[i].title, ps->p[i].name, ps->p[i].name);
    }
    if (ps->note[0])
        fprintf(o, "Note: %s\n\n", ps->note);
    else if (!any)
        fprintf(o, "No plot was drawn.\n\n");
    fprintf(o, "The latency charts use HdrHistogram's x axis: 1/(1−percentile) on a log scale, "
               "so the tail gets as much room as the median; each curve pools every call of every "
               "round (the tables show the median round). The bar charts draw each method in its "
               "own panel at the slice its title names; a figure that was not measured is marked "
               "n/a, never drawn as 0. The data of every chart and the "
               "gnuplot script that draws them are in plots/ (`gnuplot plots.gp`); the "
               "percentile distribution of each scenario, in HdrHistogram's text format, is in hgrm/.\n\n");
}

/* The run's results: what the faults did in a fault run, else the speed
 * tables (a fault run's latency includes the fault: not a comparison). */
static void md_body(FILE *o, const rb_results *r, const rb_shape *sh,
                    const rb_plots *ps)
{
    if (rb_results_has_faults(r)) {
        rb_report_faults_md(o, r, ps);
        fprintf(o, "Latency and throughput of a fault run include the fault, so they are not "
                   "compared here; results.json holds them per scenario and round.\n\n");
        return;
    }
    md_failures(o, r);
    md_validity(o, r);
    fprintf(o, "## Results per method\n\n");
    md_wakeup(o, r, sh);
    if (r->n == 0)
        fprintf(o, r->nall
                       ? "No closed-loop scenario: this run's figures are under \"Under load\".\n\n"
                       : "results.json holds no scenario: the run measured nothing.\n\n");
    for (size_t m = 0; m < sh->nme; m++)
        md_method(o, r, sh, sh->me[m]);
    rb_report_under_load(o, r, ps);
    md_payload(o, r, sh);
    rb_report_codecs_md(o, r);
    rb_md_pick(o, r, sh);
}

int rb_report_md_write(const char *dir, const rb_results *r, const rb_shape *sh, const rb_plots *ps)
{
    const rb_env *env = &r->env;
    const rb_value *pinned = rb_kv_get(env->parameters, env->npar, "pinned");
    char tmp[4096], path[4096];
    FILE *o;
    long rounds = 0;

    snprintf(tmp, sizeof tmp, "%s/report.md.tmp", dir);
    snprintf(path, sizeof path, "%s/report.md", dir);
    o = fopen(tmp, "w");
    if (!o) {
        fprintf(stderr, "rpcbench report: cannot write %s: %s\n", tmp, strerror(errno));
        return RB_EIO;
    }
    for (size_t i = 0; i < r->n; i++)
        if (r->sc[i].rounds > rounds)
            rounds = r->sc[i].rounds;
    fprintf(o, "# rpcbench report\n\n");
    if (!r->complete)
        fprintf(o, "**Incomplete run**: it was interrupted, so only the rounds that finished "
                   "are here (results.json says `\"complete\": false`).\n\n");
    fprintf(o, "Run started ");
    rb_md_value(o, rb_kv_get(env->top, env->ntop, "started_utc"));
    fprintf(o, " on ");
    rb_md_value(o, rb_kv_get(env->top, env->ntop, "host"));
    fprintf(o, " (");
    rb_md_value(o, rb_kv_get(env->top, env->ntop, "cpu"));
    fprintf(o, ", ");
    rb_md_value(o, rb_kv_get(env->top, env->ntop, "cores"));
    fprintf(o, " cores), commit ");
    rb_md_value(o, rb_kv_get(env->top, env->ntop, "git_commit"));
    fprintf(o, ". %zu scenarios, %ld round%s each.\n\n", r->n, rounds, rounds == 1 ? "" : "s");
    fprintf(o, "How to read it: every figure is the median over the rounds, with the lowest–highest "
               "round in parentheses (min and max: over every call of every round). Transports run "
               "interleaved round by round, so drift hits them alike; the ratio to `%s` (the floor) "
               "is the median of the per-round ratios (each round's figure over the floor's in "
               "that round), so it need not equal the ratio of the two medians. Where two transports' spreads overlap the report does not rank them "
               "(same p50 rank). Latency is per call, closed loop, in microseconds; bytes are per "
               "call; \"wire\" is TCP payload in both directions measured by the kernel "
               "(for broker transports both hops: client↔broker and broker↔server).\n\n", sh->floor);
    if (pinned && pinned->kind == RB_V_BOOL && !pinned->i)
        fprintf(o, "Client and server threads were not pinned to CPUs; loopback round trips that "
                   "cross vCPUs cost more than on one.\n\n");
    md_body(o, r, sh, ps);
    md_properties(o, r, sh);
    md_plots(o, ps);
    md_environment(o, &r->env);
    if (ferror(o) | (fclose(o) != 0)) {
        fprintf(stderr, "rpcbench report: write error on %s\n", tmp);
        unlink(tmp);
        return RB_EIO;
    }
    if (rename(tmp, path) != 0) {
        fprintf(stderr, "rpcbench report: cannot rename %s: %s\n", tmp, strerror(errno));
        unlink(tmp);
        return RB_EIO;
    }
    return 0;
}
