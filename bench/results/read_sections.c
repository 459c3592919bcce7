/* read_sections.c - rounds, faults, the SLO search, the encodings and the
 * environment out of results.json (read_sections.h). Keys:
 * docs/results-schema.md. */
#include "results/read_sections.h"
#include "results/json_in.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- a round ------------------------------------------------------------- */

static uint64_t count_of(const json_t *o, const char *k)
{
    double x = rb_jnum(o, k);
    return x > 0 ? (uint64_t)x : 0;
}

/* The method named in a cpu_method object; RB_CPU__COUNT when none. */
static rb_cpu_method cpu_method_of(const json_t *o, uint64_t *res)
{
    const char *name = rb_jstr(o, "method", NULL);
    *res = count_of(o, "resolution_ns");
    for (int m = 0; name && m < RB_CPU__COUNT; m++)
        if (strcmp(name, rb_cpu_method_name((rb_cpu_method)m)) == 0)
            return (rb_cpu_method)m;
    return RB_CPU__COUNT;
}

static void read_figures(const json_t *o, rb_round *rd)
{
    const json_t *f = json_object_get(o, "failures"), *w = json_object_get(o, "wire_bytes_per_call");
    const json_t *c = json_object_get(o, "cpu_us_per_call");
    const json_t *ct = json_object_get(o, "cpu_ticks_us_per_call");
    const json_t *cm = json_object_get(o, "cpu_method");
    rd->ran = 1;
    rd->position = (int)rb_jint(o, "position");
    rd->calls = count_of(o, "calls");
    for (int k = 0; k < RB_FAIL__COUNT; k++)
        rd->failures[k] = count_of(f, rb_fail_kind_name(k));
    rd->warmup_failures = count_of(o, "warmup_failures");
    rd->stale_replies = count_of(o, "stale_replies");
    rd->duration_s = rb_jnum(o, "duration_s");
    rd->throughput_cps = rb_jnum(o, "throughput_cps");
    rb_jlat(json_object_get(o, "latency_us"), &rd->lat);
    rd->connect_us = rb_jnum(o, "connect_us");
    rd->req_body = rd->rep_body = NAN;   /* per scenario only (body_bytes) */
    rd->wire_client = rb_jnum(w, "client");
    rd->wire_total = rb_jnum(w, "total");
    rd->cpu_client = rb_jnum(c, "client");
    rd->cpu_server = rb_jnum(c, "server");
    rd->cpu_broker = rb_jnum(c, "broker");
    rd->cpu_server_ticks = rb_jnum(ct, "server");
    rd->cpu_broker_ticks = rb_jnum(ct, "broker");
    rd->cpu_method_server = cpu_method_of(json_object_get(cm, "server"), &rd->cpu_res_server);
    rd->cpu_method_broker = cpu_method_of(json_object_get(cm, "broker"), &rd->cpu_res_broker);
    rb_jstr_copy(o, "last_error", rd->last_error, sizeof rd->last_error);
}

static void read_tail(const json_t *o, rb_tail *t)
{
    const json_t *ci = json_object_get(o, "ci_us");
    t->percentile = rb_jnum(o, "percentile");
    t->value_us = rb_jnum(o, "value_us");
    t->behind = (size_t)count_of(o, "samples_behind");
    t->ci_lo_us = json_is_number(json_array_get(ci, 0)) ? json_number_value(json_array_get(ci, 0)) : NAN;
    t->ci_hi_us = json_is_number(json_array_get(ci, 1)) ? json_number_value(json_array_get(ci, 1)) : NAN;
    t->confidence = rb_jnum(o, "confidence");
    t->flagged = rb_jtrue(o, "flagged");
}

static void read_validity(const json_t *v, rb_round *rd)
{
    const json_t *st = json_object_get(v, "stationarity"), *tl = json_object_get(v, "tail");
    const json_t *li = json_object_get(v, "littles_law");
    rb_spread a, b;
    rb_jspread(st, "p50_us", &a);
    rb_jspread(st, "throughput_cps", &b);
    rd->stationarity = (rb_stationarity){ { a.lo, a.hi }, { b.lo, b.hi }, { 0, 0 },
        rb_jnum(st, "p50_drift"), rb_jnum(st, "throughput_drift"), rb_jnum(st, "threshold"),
        rb_jtrue(st, "flagged") };
    for (int h = 0; h < 2; h++) {
        const json_t *n = json_array_get(json_object_get(st, "samples"), (size_t)h);
        rd->stationarity.n[h] = json_is_integer(n) ? (size_t)json_integer_value(n) : 0;
    }
    read_tail(json_object_get(tl, "p50"), &rd->tail[0]);
    read_tail(json_object_get(tl, "p99"), &rd->tail[1]);
    read_tail(json_object_get(tl, "p99_9"), &rd->tail[2]);
    rd->little = (rb_little){ rb_jnum(li, "in_flight"), rb_jnum(li, "gap"),
                              rb_jnum(li, "threshold"), rb_jtrue(li, "flagged") };
}

static void read_state(const json_t *o, rb_machine *m)
{
    const json_t *la = json_object_get(o, "loadavg");
    memset(m, 0, sizeof *m);
    rb_jstr_copy(o, "cpuidle_driver", m->cpuidle_driver, sizeof m->cpuidle_driver);
    rb_jstr_copy(o, "governor", m->governor, sizeof m->governor);
    for (size_t i = 0; i < 3; i++) {
        const json_t *x = json_array_get(la, i);
        m->loadavg[i] = json_is_number(x) ? json_number_value(x) : NAN;
    }
    m->procs_running = json_is_integer(json_object_get(o, "procs_running"))
                           ? (int)rb_jint(o, "procs_running") : -1;
}

static void read_machine(const json_t *m, rb_round *rd)
{
    const json_t *fl = json_object_get(m, "flags"), *f;
    size_t i;
    rd->has_machine = json_is_object(m);
    if (!rd->has_machine)
        return;
    read_state(json_object_get(m, "before"), &rd->machine_before);
    read_state(json_object_get(m, "after"), &rd->machine_after);
    rb_interference *in = &rd->interference;
    in->steal_fraction = rb_jnum(m, "steal_fraction");
    in->loadavg_1m = rb_jnum(m, "loadavg_1m");
    in->own_cpu_ns = rb_jnum(m, "own_cpu_us") * 1000.0;
    in->others_fraction = rb_jnum(m, "others_fraction");
    json_array_foreach(fl, i, f) {
        in->steal_flag |= json_is_string(f) && strcmp(json_string_value(f), "steal") == 0;
        in->others_flag |= json_is_string(f) && strcmp(json_string_value(f), "others") == 0;
    }
    in->flagged = rb_jtrue(m, "interference");
}

/* The open-loop figures of a round (absent in closed loop: NAN, 0). */
static void read_open(const json_t *o, rb_round *rd)
{
    const json_t *rate = json_object_get(o, "rate_cps"), *fl = json_object_get(o, "schedule_flags"), *f;
    size_t i;
    rd->target_cps = rb_jnum(rate, "target");
    rd->achieved_cps = rb_jnum(rate, "achieved");
    rd->offered = count_of(o, "offered");
    rd->unsent = count_of(o, "unsent");
    rb_jlat(json_object_get(o, "service_time_us"), &rd->svc);
    rb_jlat(json_object_get(o, "send_lag_us"), &rd->lag);
    rb_jlat(json_object_get(o, "generator_lag_us"), &rd->gen_lag);
    json_array_foreach(fl, i, f) {
        rd->rate_short |= json_is_string(f) && strcmp(json_string_value(f), "rate_short") == 0;
        rd->lag_grows |= json_is_string(f) && strcmp(json_string_value(f), "lag_grows") == 0;
    }
}

int rb_read_round(rb_results *r, const json_t *o, rb_round *rd)
{
    memset(rd, 0, sizeof *rd);
    read_figures(o, rd);
    read_validity(json_object_get(o, "validity"), rd);
    read_machine(json_object_get(o, "machine"), rd);
    read_open(o, rd);
    return rb_read_timeline(r, json_object_get(o, "timeline"), &rd->tl, &rd->ntl);
}

/* ---- faults -------------------------------------------------------------- */

int rb_read_faults(rb_results *r, const json_t *js, rb_scen_rec *rec)
{
    const json_t *f = json_object_get(js, "fault"), *per = json_object_get(js, "per_round");
    if (json_is_object(f)) {
        rb_fault_rec *fr = rec->fault = rb_results_alloc(r, 1, sizeof *fr);
        if (!fr)
            return RB_ENOMEM;
        rb_jstr_copy(f, "kind", fr->kind, sizeof fr->kind);
        fr->calls = rb_jnum(f, "calls");
        for (int c = 0; c < RB_FAULT_NCLASS; c++)
            fr->cls[c] = rb_jnum(f, rb_fault_class_key(c));
        if (rb_read_kvs(r, json_object_get(f, "failed_by_kind"), &fr->failed_by_kind,
                        &fr->nfailed) != RB_OK)
            return RB_ENOMEM;
        fr->first_ok_ms = rb_jnum(json_object_get(f, "recovery_ms"), "first_ok");
        fr->rate_restored_ms = rb_jnum(json_object_get(f, "recovery_ms"), "rate_restored");
    }
    for (size_t k = 0; k < rec->nrounds; k++) {
        const json_t *rf = json_object_get(json_array_get(per, k), "fault");
        if (!json_is_object(rf))
            continue;
        if (!rec->round_fault &&
            !(rec->round_fault = rb_results_alloc(r, rec->nrounds, sizeof *rec->round_fault)))
            return RB_ENOMEM;
        rb_round_fault *q = &rec->round_fault[k];
        q->present = 1;
        q->error = rb_jstr(rf, "error", NULL);
        q->has_timeline = json_is_array(json_object_get(rf, "timeline"));
        q->at_ms = rb_jnum(rf, "at_ms");
        q->target_cps = rb_jnum(rf, "target_cps");
        if (rb_read_timeline(r, json_object_get(rf, "timeline"), &q->tl, &q->ntl) != RB_OK)
            return RB_ENOMEM;
    }
    return RB_OK;
}

/* ---- the SLO search ------------------------------------------------------ */

/* One step of a search or of the load curve; the keys a schema-2 file
 * lacks read as not recorded (one measurement). */
static void read_slo_step(const json_t *st, rb_slo_step *p)
{
    const json_t *tail = json_object_get(st, "tail_samples");
    *p = (rb_slo_step){ .rate_cps = rb_jnum(st, "rate_cps"), .achieved_cps = rb_jnum(st, "achieved_cps"),
        .value_us = rb_jnum(st, "value_us"), .p50_us = rb_jnum(st, "p50_us"),
        .p99_us = rb_jnum(st, "p99_us"), .p99_9_us = rb_jnum(st, "p99_9_us"),
        .failures = rb_jint(st, "failures"), .pass = rb_jtrue(st, "pass"),
        .gen_lag_p99_us = rb_jnum(st, "generator_lag_p99_us"),
        .tail_samples = json_is_integer(tail) ? json_integer_value(tail) : -1,
        .tries = json_is_integer(json_object_get(st, "tries")) ? (int)rb_jint(st, "tries") : 1,
        .generator_limited = rb_jtrue(st, "generator_limited") };
    p->held = json_is_integer(json_object_get(st, "held")) ? (int)rb_jint(st, "held") : p->pass;
}

static int read_slo_round(rb_results *r, const json_t *o, rb_slo_round *q)
{
    const json_t *steps = json_object_get(o, "steps"), *st, *cf = json_object_get(o, "confirm");
    size_t i;
    q->round = (int)rb_jint(o, "round");
    q->confirm_tries = (int)rb_jint(o, "confirm_tries");
    q->start_cps = rb_jnum(o, "start_cps");
    q->max_rate_cps = rb_jnum(o, "max_rate_cps");
    q->searched_cps = rb_jnum(o, "searched_cps");
    q->fail_rate_cps = rb_jnum(o, "fail_rate_cps");
    q->capped = rb_jtrue(o, "capped");
    q->ceiling = rb_jtrue(o, "ceiling");
    q->floor = rb_jtrue(o, "floor");
    q->nsteps = json_array_size(steps);
    if (!(q->steps = rb_results_alloc(r, q->nsteps, sizeof *q->steps)))
        return RB_ENOMEM;
    json_array_foreach(steps, i, st)
        read_slo_step(st, &q->steps[i]);
    q->has_confirm = json_is_object(cf);
    if (!q->has_confirm)
        return RB_OK;
    q->confirm_value_us = rb_jnum(cf, "value_us");
    q->confirm_pass = rb_jtrue(cf, "pass");
    q->confirm_failures = rb_jint(cf, "failures");
    return rb_read_round(r, cf, &q->confirm);
}

static int read_slo_entry(rb_results *r, const json_t *e, rb_slo_rec *s)
{
    const json_t *per = json_object_get(e, "per_round"), *cf = json_object_get(e, "confirm"), *o;
    size_t i;
    rb_jstr_copy(e, "transport", s->transport, sizeof s->transport);
    rb_jstr_copy(e, "method", s->method, sizeof s->method);
    s->entries = json_is_integer(json_object_get(e, "entries")) ? (long)rb_jint(e, "entries") : -1;
    s->concurrency = rb_jnum(e, "concurrency");
    rb_jstr_copy(e, "percentile", s->percentile, sizeof s->percentile);
    s->percentile_value = rb_jnum(e, "percentile_value");
    s->bound_us = rb_jnum(e, "bound_us");
    s->confirm_runs = rb_jint(e, "confirm_runs");
    s->confirmed_rounds = rb_jint(e, "confirmed_rounds");
    rb_jratio(e, "max_rate_cps", &s->max_rate);
    rb_jratio(e, "start_cps", &s->start);
    s->capped = rb_jtrue(e, "capped");
    s->ceiling = rb_jtrue(e, "ceiling");
    s->floor = rb_jtrue(e, "floor");
    rb_jlat(json_object_get(cf, "latency_us"), &s->confirm_lat);
    s->confirm_svc_p99 = rb_jnum(json_object_get(cf, "service_time_us"), "p99");
    rb_jlat(json_object_get(cf, "service_time_us"), &s->confirm_svc);
    rb_jlat(json_object_get(cf, "send_lag_us"), &s->confirm_lag);
    s->confirm_target_cps = rb_jnum(json_object_get(cf, "rate_cps"), "target");
    s->confirm_achieved_cps = rb_jnum(json_object_get(cf, "rate_cps"), "achieved");
    s->confirm_calls = rb_jint(cf, "calls");
    s->confirm_failures = rb_jint(cf, "failures");
    s->confirm_value_us = rb_jnum(cf, "value_us");
    s->nrounds = json_array_size(per);
    if (!(s->per_round = rb_results_alloc(r, s->nrounds, sizeof *s->per_round)))
        return RB_ENOMEM;
    json_array_foreach(per, i, o)
        if (read_slo_round(r, o, &s->per_round[i]) != RB_OK)
            return RB_ENOMEM;
    const json_t *sw = json_object_get(e, "sweep");
    s->nsweep = json_array_size(sw);
    if (!(s->sweep = rb_results_alloc(r, s->nsweep, sizeof *s->sweep)))
        return RB_ENOMEM;
    json_array_foreach(sw, i, o)
        read_slo_step(o, &s->sweep[i]);
    return RB_OK;
}

int rb_read_slo(rb_results *r, const json_t *root)
{
    const json_t *slo = json_object_get(root, "slo"), *e;
    size_t i;
    r->nslo = json_array_size(slo);
    if (!(r->slo = rb_results_alloc(r, r->nslo, sizeof *r->slo)))
        return RB_ENOMEM;
    json_array_foreach(slo, i, e)
        if (read_slo_entry(r, e, &r->slo[i]) != RB_OK)
            return RB_ENOMEM;
    return RB_OK;
}

/* ---- the encodings and the environment ----------------------------------- */

int rb_read_codecs(rb_results *r, const json_t *root)
{
    const json_t *arr = json_object_get(root, "codecs"), *c;
    size_t i;
    r->ncodecs = json_array_size(arr);
    if (!(r->codecs = rb_results_alloc(r, r->ncodecs, sizeof *r->codecs)))
        return RB_ENOMEM;
    json_array_foreach(arr, i, c) {
        rb_codec_rec *k = &r->codecs[i];
        k->encoding = rb_jstr(c, "encoding", NULL);
        k->library = rb_jstr(c, "library", "");
        k->method = rb_jstr(c, "method", "");
        k->message = rb_jstr(c, "message", "");
        k->has_entries = json_is_integer(json_object_get(c, "entries"));
        k->entries = rb_jint(c, "entries");
        k->has_fib_n = json_is_integer(json_object_get(c, "fib_n"));
        k->fib_n = rb_jint(c, "fib_n");
        k->bytes = rb_jint(c, "bytes");
        k->repetitions = rb_jint(c, "repetitions");
        k->iterations = rb_jint(c, "iterations");
        k->encode_us = json_number_value(json_object_get(c, "encode_us"));
        k->decode_us = json_number_value(json_object_get(c, "decode_us"));
        k->error = rb_jstr(c, "error", NULL);
    }
    return RB_OK;
}

int rb_read_env(rb_results *r, const json_t *root)
{
    const json_t *env = json_object_get(root, "environment");
    rb_env *e = &r->env;
    e->present = json_is_object(env);
    e->has_libraries = json_is_object(json_object_get(env, "libraries"));
    e->has_parameters = json_is_object(json_object_get(env, "parameters"));
    if (rb_read_kvs(r, env, &e->top, &e->ntop) != RB_OK ||
        rb_read_kvs(r, json_object_get(env, "libraries"), &e->libraries, &e->nlib) != RB_OK ||
        rb_read_kvs(r, json_object_get(env, "parameters"), &e->parameters, &e->npar) != RB_OK)
        return RB_ENOMEM;
    return RB_OK;
}
