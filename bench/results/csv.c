/* csv.c - results.csv and the terminal's tables (csv.h). */
#include "results/csv.h"

#include <math.h>
#include <stddef.h>

#define FIELD(f) offsetof(rb_round, f)

/* Whether any round of s was measured (an interrupted run writes only those). */
static int ran_any(const rb_scenario *s)
{
    for (int i = 0; i < s->nrounds; i++)
        if (s->rounds[i].ran)
            return 1;
    return 0;
}

/* ---- results.csv --------------------------------------------------------- */

static void csv_num(FILE *f, double x)
{
    if (isnan(x))
        fputs(",", f);
    else
        fprintf(f, ",%.3f", x);
}

static void csv_count(FILE *f, double x)
{
    if (isnan(x))
        fputs(",", f);
    else
        fprintf(f, ",%.0f", x);
}

/* A ratio to the floor as results.json has it; the floor itself is 1. */
static double csv_ratio(const rb_summary *s, double r)
{
    return s->t->is_floor ? 1.0 : r;
}

/* results.csv: one row per scenario, the figures of results.json's
 * summaries. Integer columns hold whole numbers only (entries is 0 for fib,
 * which carries none), so they load as integers. */
int rb_csv_write(const char *path, const rb_scenario *sc, const rb_summary *sum, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return RB_EIO;
    fputs("transport,method,entries,concurrency,rounds,calls,failures_connect,failures_timeout,"
          "failures_protocol,failures_server_error,failures_wrong_reply,stale_replies,"
          "warmup_failures,throughput_cps,throughput_cps_lo,throughput_cps_hi,"
          "min_us,p50_us,p50_us_lo,p50_us_hi,p90_us,p99_us,p99_us_lo,p99_us_hi,p99_9_us,max_us,"
          "mean_us,connect_us,body_request_bytes,body_reply_bytes,wire_client_bytes_per_call,"
          "wire_total_bytes_per_call,wire_bytes_per_call_lo,wire_bytes_per_call_hi,"
          "cpu_client_us_per_call,cpu_server_us_per_call,cpu_broker_us_per_call,"
          "ratio_to_tcp_p50,ratio_to_tcp_p99,ratio_to_tcp_throughput,validity_flags,"
          "server_max_rss_kb,rate_cps\n", f);
    for (size_t i = 0; i < n; i++) {
        const rb_summary *s = &sum[i];
        if (!ran_any(&sc[i]))
            continue;
        fprintf(f, "%s,%s,%ld,%ld,%ld", s->t->name, s->method, s->entries < 0 ? 0 : s->entries,
                s->concurrency, s->rounds);
        csv_count(f, s->calls);
        for (int k = 0; k < RB_FAIL__COUNT; k++)
            csv_count(f, s->failures[k]);
        csv_count(f, s->stale_replies);
        csv_count(f, s->warmup_failures);
        const double v[] = {
            s->throughput_cps, s->sp_tput.lo, s->sp_tput.hi, s->lat.min, s->lat.p50,
            s->sp_p50.lo, s->sp_p50.hi, s->lat.p90, s->lat.p99, s->sp_p99.lo, s->sp_p99.hi,
            s->lat.p99_9, s->lat.max, s->lat.mean, s->connect_us, s->body_req, s->body_rep,
            s->wire_client, s->wire_total, s->sp_wire.lo, s->sp_wire.hi, s->cpu_client,
            s->cpu_server, s->cpu_broker, csv_ratio(s, s->r_p50.median),
            csv_ratio(s, s->r_p99.median), csv_ratio(s, s->r_tput.median),
        };
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            csv_num(f, v[k]);
        fputc(',', f);
        for (int b = 0, first = 1; b < RB_FLAG__COUNT; b++)
            if (s->flags & (1u << b)) {
                fprintf(f, "%s%s", first ? "" : " ", rb_flag_name(b));
                first = 0;
            }
        csv_count(f, s->server_max_rss_kb);
        /* open loop: the offered rate (its latency counts from the intended send) */
        if (sc[i].rate_cps > 0)
            fprintf(f, ",%.3f", sc[i].rate_cps);
        else
            fputc(',', f);
        fputc('\n', f);
    }
    return fclose(f) ? RB_EIO : RB_OK;
}

/* ---- the table ----------------------------------------------------------- */

static void cell(FILE *f, int width, int decimals, double x)
{
    if (isnan(x))
        fprintf(f, " %*s", width, "-");
    else
        fprintf(f, " %*.*f", width, decimals, x);
}

void rb_results_print_table(FILE *f, const rb_summary *sum, size_t n)
{
    int client_only = 0;
    fprintf(f, "%-13s %-7s %7s %4s %9s %6s %9s %9s %9s %9s %11s %9s %9s %8s %8s %8s\n",
            "transport", "method", "entries", "conc", "calls(all)", "fails", "p50_us", "p99_us",
            "p99.9_us", "calls/s", "body_B", "wire_B", "p50/floor", "cpu_cli", "cpu_srv", "cpu_brk");
    for (size_t i = 0; i < n; i++) {
        const rb_summary *s = &sum[i];
        char ent[24] = "-", body[48], wire[32] = "-";
        if (s->rounds < 1)
            continue;   /* no round ran (an interrupted run) */
        if (s->entries >= 0)
            snprintf(ent, sizeof ent, "%ld", s->entries);
        snprintf(body, sizeof body, "%.0f/%.0f", s->body_req, s->body_rep);
        /* Both hops when known; the client hop alone is marked '*'. */
        if (!isnan(s->wire_total))
            snprintf(wire, sizeof wire, "%.0f", s->wire_total);
        else if (!isnan(s->wire_client) && (client_only = 1))
            snprintf(wire, sizeof wire, "%.0f*", s->wire_client);
        fprintf(f, "%-13s %-7s %7s %4ld %9.0f %6.0f", s->t->name, s->method, ent,
                s->concurrency, s->calls, rb_summary_failures(s));
        cell(f, 9, 1, s->lat.p50);
        cell(f, 9, 1, s->lat.p99);
        cell(f, 9, 1, s->lat.p99_9);
        cell(f, 9, 0, s->throughput_cps);
        fprintf(f, " %11s %9s", body, wire);
        /* ratio to the floor: the median of per-round ratios (results.json's
         * ratio_to_floor.p50), the one definition everywhere */
        cell(f, 9, 2, s->t->is_floor ? 1.0 : s->r_p50.median);
        cell(f, 8, 1, s->cpu_client);
        cell(f, 8, 1, s->cpu_server);
        cell(f, 8, 1, s->cpu_broker);
        fputc('\n', f);
    }
    fprintf(f, "calls(all): verified calls summed over rounds; latency, calls/s and per-call "
               "figures: median over rounds; p50/floor: median of per-round ratios%s\n",
            client_only ? "; * client hop only (the broker-to-server hop of a server "
                          "not started by this run is not measured)" : "");
}

/* ---- the open loop's table --------------------------------------------- */

int rb_openloop_print_flags(FILE *f, const rb_scenario *sc, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        for (int r = 0; r < sc[i].nrounds; r++) {
            const rb_round *x = &sc[i].rounds[r];
            if (!x->ran || sc[i].rate_cps <= 0 || !(x->rate_short || x->lag_grows))
                continue;
            fprintf(f, "rpcbench: %s %s c=%d at %.0f calls/s, round %d: the schedule was not kept "
                       "(achieved %.0f calls/s = %.1f %% of target, %llu calls unsent%s); its "
                       "latency belongs to a lower rate\n",
                    sc[i].t->name, rb_method_name(sc[i].method), sc[i].concurrency, sc[i].rate_cps,
                    r + 1, x->achieved_cps, 100 * x->achieved_cps / sc[i].rate_cps,
                    (unsigned long long)x->unsent, x->lag_grows ? ", send lag growing" : "");
            k++;
        }
    return k;
}

/* A figure of the open-loop table; "-" when not finite. */
static void open_cell(FILE *f, int width, int decimals, double x)
{
    if (!isfinite(x))
        fprintf(f, " %*s", width, "-");
    else
        fprintf(f, " %*.*f", width, decimals, x);
}

void rb_openloop_print_table(FILE *f, const rb_scenario *sc, size_t n)
{
    int any = 0;
    for (size_t i = 0; i < n; i++)
        any |= sc[i].rate_cps > 0;
    if (!any)
        return;
    fprintf(f, "\nopen loop (latency from the intended send time; service time from the actual send)\n");
    fprintf(f, "%-13s %-7s %7s %4s %9s %9s %9s %9s %9s %9s %9s %s\n", "transport", "method",
            "entries", "conc", "target/s", "achieved", "p50_us", "p99_us", "p99.9_us", "svc_p99",
            "lag_p99", "schedule");
    for (size_t i = 0; i < n; i++) {
        const rb_scenario *s = &sc[i];
        if (s->rate_cps <= 0)
            continue;
        char ent[24] = "-";
        int short_ = 0, grows = 0;
        for (int r = 0; r < s->nrounds; r++)
            short_ |= s->rounds[r].rate_short, grows |= s->rounds[r].lag_grows;
        if (s->entries >= 0)
            snprintf(ent, sizeof ent, "%ld", s->entries);
        fprintf(f, "%-13s %-7s %7s %4d", s->t->name, rb_method_name(s->method), ent, s->concurrency);
        open_cell(f, 9, 0, s->rate_cps);
        open_cell(f, 9, 0, rb_round_median(s, FIELD(achieved_cps), NULL));
        open_cell(f, 9, 1, rb_round_median(s, FIELD(lat.p50), NULL));
        open_cell(f, 9, 1, rb_round_median(s, FIELD(lat.p99), NULL));
        open_cell(f, 9, 1, rb_round_median(s, FIELD(lat.p99_9), NULL));
        open_cell(f, 9, 1, rb_round_median(s, FIELD(svc.p99), NULL));
        open_cell(f, 9, 1, rb_round_median(s, FIELD(lag.p99), NULL));
        fprintf(f, " %s%s%s\n", short_ || grows ? "NOT KEPT:" : "kept", short_ ? " rate_short" : "",
                grows ? " lag_grows" : "");
    }
}
