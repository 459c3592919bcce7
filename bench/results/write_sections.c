/* write_sections.c - the SLO search, the environment and the encodings
 * written (write_sections.h). */
#include "results/write_sections.h"
#include "results/write.h"

#include "broker.h"

/* ---- the SLO search -------------------------------------------------------- */

static json_t *step_json(const rb_slo_step *p)
{
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:b,s:i,s:i,s:o,s:I,s:b}",
                     "rate_cps", rb_json_num(p->rate_cps),
                     "achieved_cps", rb_json_num(p->achieved_cps), "value_us", rb_json_num(p->value_us),
                     "p50_us", rb_json_num(p->p50_us), "p99_us", rb_json_num(p->p99_us),
                     "p99_9_us", rb_json_num(p->p99_9_us), "failures", (json_int_t)p->failures,
                     "pass", p->pass, "tries", p->tries, "held", p->held,
                     "generator_lag_p99_us", rb_json_num(p->gen_lag_p99_us),
                     "tail_samples", (json_int_t)p->tail_samples,
                     "generator_limited", p->generator_limited);
}

static json_t *confirm_round_json(const rb_slo_round *q)
{
    if (!q->has_confirm)
        return json_null();
    const rb_round *c = &q->confirm;
    json_t *o = json_object();
    rb_openloop_round_json(o, c, 1);
    json_object_set_new(o, "calls", json_integer((json_int_t)c->calls));
    json_object_set_new(o, "failures", json_integer((json_int_t)q->confirm_failures));
    json_object_set_new(o, "latency_us", rb_latency_json(&c->lat, c->lat.n == 0));
    json_object_set_new(o, "duration_s", rb_json_num(c->duration_s));
    json_object_set_new(o, "value_us", rb_json_num(q->confirm_value_us));
    json_object_set_new(o, "pass", json_boolean(q->confirm_pass));
    return o;
}

static json_t *slo_round_json(const rb_slo_round *q)
{
    json_t *steps = json_array();
    int again = 0, held = 0;
    for (size_t k = 0; k < q->nsteps; k++) {
        json_array_append_new(steps, step_json(&q->steps[k]));
        again += q->steps[k].tries > 1;
        held += q->steps[k].tries > 1 && q->steps[k].pass;
    }
    return json_pack("{s:i,s:i,s:i,s:o,s:o,s:o,s:i,s:o,s:b,s:b,s:b,s:o,s:o}", "round", q->round,
                     "remeasured_steps", again, "remeasured_held", held,
                     "start_cps", rb_json_num(q->start_cps), "max_rate_cps", rb_json_num(q->max_rate_cps),
                     "searched_cps", rb_json_num(q->searched_cps), "confirm_tries", q->confirm_tries,
                     "fail_rate_cps", rb_json_num(q->fail_rate_cps),
                     "capped", q->capped, "ceiling", q->ceiling, "floor", q->floor,
                     "steps", steps, "confirm", confirm_round_json(q));
}

/* {"median","lo","hi"}, each null when unknown. */
static json_t *over_rounds_json(rb_ratio q)
{
    return json_pack("{s:o,s:o,s:o}", "median", rb_json_num(q.median), "lo", rb_json_num(q.lo),
                     "hi", rb_json_num(q.hi));
}

/* The confirming runs summarised over rounds. */
static json_t *confirm_json(const rb_slo_rec *e)
{
    json_t *o = json_object();
    json_object_set_new(o, "rate_cps", json_pack("{s:o,s:o}",
        "target", rb_json_num(e->confirm_target_cps), "achieved", rb_json_num(e->confirm_achieved_cps)));
    json_object_set_new(o, "latency_us", rb_latency_json(&e->confirm_lat, 0));
    json_object_set_new(o, "service_time_us", rb_latency_json(&e->confirm_svc, 0));
    json_object_set_new(o, "send_lag_us", rb_latency_json(&e->confirm_lag, 0));
    json_object_set_new(o, "calls", json_integer((json_int_t)e->confirm_calls));
    json_object_set_new(o, "failures", json_integer((json_int_t)e->confirm_failures));
    json_object_set_new(o, "value_us", rb_json_num(e->confirm_value_us));
    return o;
}

static json_t *slo_entry_json(const rb_slo_rec *e)
{
    json_t *per = json_array(), *sweep = json_array();
    for (size_t r = 0; r < e->nrounds; r++)
        json_array_append_new(per, slo_round_json(&e->per_round[r]));
    for (size_t k = 0; k < e->nsweep; k++)
        json_array_append_new(sweep, step_json(&e->sweep[k]));
    return json_pack("{s:s,s:s,s:o,s:i,s:s,s:f,s:f,s:i,s:i,s:i,s:o,s:b,s:b,s:b,s:o,s:o,s:o,s:o}",
        "transport", e->transport, "method", e->method,
        "entries", e->entries < 0 ? json_null() : json_integer(e->entries),
        "concurrency", (int)e->concurrency, "percentile", e->percentile,
        "percentile_value", e->percentile_value, "bound_us", e->bound_us,
        "rounds", (int)e->nrounds, "confirm_runs", (int)e->confirm_runs,
        "confirmed_rounds", (int)e->confirmed_rounds,
        "max_rate_cps", over_rounds_json(e->max_rate), "capped", e->capped, "ceiling", e->ceiling,
        "floor", e->floor, "start_cps", over_rounds_json(e->start), "confirm", confirm_json(e),
        "per_round", per, "sweep", sweep);
}

json_t *rb_slo_list_json(const rb_slo_rec *e, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, slo_entry_json(&e[i]));
    return a;
}

/* ---- the environment ------------------------------------------------------- */

/* t's descriptor (descriptor.h): description, order, is_floor, broker,
 * wire, properties{...}, packages{library: package}, version (the runtime
 * one, when t has a version function). */
static json_t *desc_json(const rb_transport *t)
{
    const rb_transport_props *p = &t->props;
    json_t *pk = json_object();
    for (int i = 0; i < RB_MAX_PACKAGES && t->packages[i].library; i++)
        json_object_set_new(pk, t->packages[i].library,
                            json_string(t->packages[i].debian_package));
    return json_pack("{s:s?,s:i,s:b,s:s,s:s?,s:{s:s?,s:s?,s:s?,s:s?,s:s?},s:o,s:s?}",
        "description", t->description, "order", t->order, "is_floor", t->is_floor,
        "broker", rb_broker_key(t->broker), "wire", t->wire,
        "properties", "human_readable", p->human_readable, "schema", p->schema,
        "streaming", p->streaming, "stdlib", p->stdlib, "restart", p->restart,
        "packages", pk, "version", t->version ? t->version() : NULL);
}

static json_t *str_or_null(int has, const char *s)
{
    return has && s ? json_string(s) : json_null();
}

static void manifest_json(json_t *env, const rb_manifest *m)
{
    json_t *l = json_object(), *tr = json_object();
    json_object_set_new(env, "cpu", str_or_null(m->has_cpu, m->cpu));
    json_object_set_new(env, "cores", json_integer(m->cores));
    json_object_set_new(env, "kernel", str_or_null(m->has_kernel, m->kernel));
    json_object_set_new(env, "compiler", str_or_null(1, m->compiler));
    json_object_set_new(env, "git_commit", str_or_null(m->has_git_commit, m->git_commit));
    json_object_set_new(env, "host", json_string(m->host));
    json_object_set_new(env, "started_utc", str_or_null(1, m->started_utc));
    for (size_t i = 0; i < m->nlibs; i++)
        json_object_set_new(l, m->libs[i].name, str_or_null(m->libs[i].installed, m->libs[i].version));
    for (size_t i = 0; i < m->nts; i++)
        json_object_set_new(tr, m->ts[i]->name, desc_json(m->ts[i]));
    json_object_set_new(env, "libraries", l);
    json_object_set_new(env, "transports", tr);
}

/* The open-loop, SLO, timeline and server-work parameters, into o. */
static void load_params_json(json_t *o, const rb_params *p)
{
    json_t *r = json_array(), *sm = json_array();
    for (int i = 0; i < p->nrates; i++)
        json_array_append_new(r, json_real(p->rates[i]));
    for (int i = 0; i < p->nslo_m; i++)
        json_array_append_new(sm, json_string(rb_method_name(p->slo_methods[i])));
    json_object_set_new(o, "rate_cps", p->nrates ? json_incref(r) : json_null());
    json_object_set_new(o, "arrivals", str_or_null(1, p->arrivals));
    json_object_set_new(o, "seed", p->has_seed ? json_integer((json_int_t)p->seed) : json_null());
    json_object_set_new(o, "slo", str_or_null(1, p->slo));
    json_object_set_new(o, "slo_methods", p->slo ? json_incref(sm) : json_null());
    json_object_set_new(o, "slo_step_s", p->slo ? json_real(p->slo_step_s) : json_null());
    json_object_set_new(o, "timeline_ms", json_integer(p->timeline_ms));
    json_object_set_new(o, "work_us", json_integer(p->work_us));
    json_object_set_new(o, "work", json_string(p->work));
    json_decref(r);
    json_decref(sm);
}

static json_t *params_json(const rb_params *p)
{
    json_t *t = json_array(), *m = json_array(), *c = json_array(), *e = json_array();
    json_t *conn = json_object();
    for (int i = 0; i < p->nt; i++) {
        json_array_append_new(t, json_string(p->transports[i]));
        if (p->connect[i])
            json_object_set_new(conn, p->transports[i], json_string(p->connect[i]));
    }
    for (int i = 0; i < p->nm; i++)
        json_array_append_new(m, json_string(rb_method_name(p->methods[i])));
    for (int i = 0; i < p->nc; i++)
        json_array_append_new(c, json_integer(p->conc[i]));
    for (int i = 0; i < p->ne; i++)
        json_array_append_new(e, json_integer(p->entries[i]));
    json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:i,s:o,s:o,s:i,s:i,s:i,s:b,s:s,s:o,s:s}",
        "transports", t, "methods", m,
        "calls", p->calls ? json_integer(p->calls) : json_null(),
        "duration_s", p->calls ? json_null() : json_real(p->duration_s),
        "warmup", p->warmup, "concurrency", c, "entries", e, "rounds", p->rounds,
        "timeout_ms", p->timeout_ms, "fib_n", p->fib_n, "pinned", p->pinned,
        "loop", p->loop, "connect", conn, "server_threads", p->server_threads);
    if (!o)
        return NULL;
    load_params_json(o, p);
    if (p->nf) {
        json_t *f = json_array();
        for (int k = 0; k < p->nf; k++)
            json_array_append_new(f, json_string(p->faults[k]));
        json_object_set_new(o, "faults", f);
    }
    json_object_set_new(o, "pin", p->pin_server && p->pin_client
        ? json_pack("{s:s,s:s}", "server_cpus", p->pin_server, "client_cpus", p->pin_client)
        : json_null());
    return o;
}

json_t *rb_env_json(const rb_manifest *m, const rb_params *p)
{
    json_t *env = json_object();
    if (env && m)
        manifest_json(env, m);
    if (env && p)
        json_object_set_new(env, "parameters", params_json(p));
    return env;
}

/* ---- the encodings ----------------------------------------------------------- */

static json_t *codec_json(const rb_codec_rec *c)
{
    int bad = c->error != NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:i, s:o}",
        "encoding", c->encoding, "library", c->library,
        "method", c->method, "message", c->message,
        "entries", c->has_entries ? json_integer(c->entries) : json_null(),
        "fib_n", c->has_fib_n ? json_integer(c->fib_n) : json_null(),
        "bytes", bad ? json_null() : json_integer(c->bytes),
        "encode_us", bad ? json_null() : json_real(c->encode_us),
        "decode_us", bad ? json_null() : json_real(c->decode_us),
        "iterations", (json_int_t)c->iterations, "repetitions", (int)c->repetitions,
        "error", bad ? json_string(c->error) : json_null());
}

json_t *rb_codecs_json(const rb_codec_rec *c, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        json_t *row = codec_json(&c[i]);
        if (!row || json_array_append_new(a, row)) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}
