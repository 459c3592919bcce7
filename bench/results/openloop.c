/* openloop.c - the open-loop and timeline parts of results.json (see
 * openloop.h). */
#include "results/openloop.h"
#include "results/json_out.h"
#include "load/schedule.h"
#include "measure/timeline.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define FIELD(f) offsetof(rb_round, f)

json_t *rb_openloop_flags_json(const rb_round *r)
{
    json_t *a = json_array();
    if (r->rate_short)
        json_array_append_new(a, json_string("rate_short"));
    if (r->lag_grows)
        json_array_append_new(a, json_string("lag_grows"));
    return a;
}

void rb_openloop_round_json(json_t *o, const rb_round *r, int open)
{
    json_object_set_new(o, "timeline", rb_timeline_json(r->tl, r->ntl, open));
    if (!open)
        return;
    json_object_set_new(o, "rate_cps", json_pack("{s:o,s:o}", "target", rb_json_num(r->target_cps),
                                                 "achieved", rb_json_num(r->achieved_cps)));
    json_object_set_new(o, "offered", json_integer((json_int_t)r->offered));
    json_object_set_new(o, "unsent", json_integer((json_int_t)r->unsent));
    json_object_set_new(o, "service_time_us", rb_latency_json(&r->svc, r->svc.n == 0));
    json_object_set_new(o, "send_lag_us", rb_latency_json(&r->lag, r->lag.n == 0));
    json_object_set_new(o, "generator_lag_us", rb_latency_json(&r->gen_lag, r->gen_lag.n == 0));
    json_object_set_new(o, "schedule_flags", rb_openloop_flags_json(r));
}

json_t *rb_openloop_latency_median(const rb_scenario *s, size_t off)
{
    static const struct { const char *k; size_t o; } f[] = {
        { "min", offsetof(rb_latency, min) }, { "p50", offsetof(rb_latency, p50) },
        { "p90", offsetof(rb_latency, p90) }, { "p99", offsetof(rb_latency, p99) },
        { "p99_9", offsetof(rb_latency, p99_9) }, { "max", offsetof(rb_latency, max) },
        { "mean", offsetof(rb_latency, mean) }, { "stddev", offsetof(rb_latency, stddev) },
    };
    int any = 0;
    for (int i = 0; i < s->nrounds; i++) {
        const rb_latency *l = (const rb_latency *)((const char *)&s->rounds[i] + off);
        any |= s->rounds[i].ran && l->n > 0;
    }
    json_t *o = json_object();
    for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
        json_object_set_new(o, f[k].k, any ? rb_json_num(rb_round_median(s, off + f[k].o, NULL)) : json_null());
    return o;
}

void rb_openloop_scenario_json(json_t *o, const rb_scenario *s)
{
    int open = s->rate_cps > 0;
    json_object_set_new(o, "loop", json_string(open ? "open" : "closed"));
    if (!open) {
        const char *keys[] = { "arrivals", "rate_cps", "offered", "unsent", "service_time_us",
                               "send_lag_us", "generator_lag_us", "schedule_flags" };
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            json_object_set_new(o, keys[k], json_null());
        return;
    }
    uint64_t offered = 0, unsent = 0;
    rb_round any = { 0 };
    for (int i = 0; i < s->nrounds; i++)
        if (s->rounds[i].ran) {
            offered += s->rounds[i].offered;
            unsent += s->rounds[i].unsent;
            any.rate_short |= s->rounds[i].rate_short;
            any.lag_grows |= s->rounds[i].lag_grows;
        }
    json_object_set_new(o, "arrivals", json_string(rb_arrivals_name(s->arrivals)));
    json_object_set_new(o, "rate_cps", json_pack("{s:o,s:o}", "target", rb_json_num(s->rate_cps),
        "achieved", rb_json_num(rb_round_median(s, FIELD(achieved_cps), NULL))));
    json_object_set_new(o, "offered", json_integer((json_int_t)offered));
    json_object_set_new(o, "unsent", json_integer((json_int_t)unsent));
    json_object_set_new(o, "service_time_us", rb_openloop_latency_median(s, FIELD(svc)));
    json_object_set_new(o, "send_lag_us", rb_openloop_latency_median(s, FIELD(lag)));
    json_object_set_new(o, "generator_lag_us", rb_openloop_latency_median(s, FIELD(gen_lag)));
    json_object_set_new(o, "schedule_flags", rb_openloop_flags_json(&any));
}

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

static void cell(FILE *f, int width, int decimals, double x)
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
        cell(f, 9, 0, s->rate_cps);
        cell(f, 9, 0, rb_round_median(s, FIELD(achieved_cps), NULL));
        cell(f, 9, 1, rb_round_median(s, FIELD(lat.p50), NULL));
        cell(f, 9, 1, rb_round_median(s, FIELD(lat.p99), NULL));
        cell(f, 9, 1, rb_round_median(s, FIELD(lat.p99_9), NULL));
        cell(f, 9, 1, rb_round_median(s, FIELD(svc.p99), NULL));
        cell(f, 9, 1, rb_round_median(s, FIELD(lag.p99), NULL));
        fprintf(f, " %s%s%s\n", short_ || grows ? "NOT KEPT:" : "kept", short_ ? " rate_short" : "",
                grows ? " lag_grows" : "");
    }
}
