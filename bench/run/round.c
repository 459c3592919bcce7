/* round.c - one round of one scenario (round.h). */
#include "run/round.h"
#include "load/pacer.h"

#include <math.h>
#include <string.h>

#include "load/loadgen.h"
#include "measure/machine.h"
#include "measure/procstat.h"
#include "measure/validity.h"

void rb_round_spec(const rb_run_cfg *cfg, const rb_scenario *s, int round, rb_loadgen_spec *ls)
{
    *ls = (rb_loadgen_spec){
        .t = s->t, .method = s->method, .entries = s->entries, .fib_n = cfg->fib_n,
        .connections = s->concurrency, .timeout_ms = cfg->timeout_ms,
        .rate_cps = s->rate_cps, .arrivals = cfg->arrivals,
        .seed = cfg->seed + (uint64_t)round * 0x9e3779b97f4a7c15ull,
        /* spinning pays only on a CPU of the generator's own */
        .spin_ns = cfg->pinned ? RB_PACER_SPIN_PINNED_NS : 0,
        .calls = cfg->calls, .duration_s = cfg->duration_s, .warmup = cfg->warmup,
        .timeline_ns = (uint64_t)cfg->timeline_ms * 1000000ull, .fault = s->fault,
    };
}

void rb_round_measure(const rb_loadgen_spec *ls, rb_scenario *s, int round, int position,
                      const rb_server_proc *sp)
{
    rb_round *r = &s->rounds[round];
    rb_loadgen_samples out;
    memset(&out, 0, sizeof out);
    rb_loadgen_round(ls, sp, r, &out);
    r->position = position;
    if (r->ran) {
        rb_samples_append(&s->all, &out.lat);
        rb_window w = { .lat_ns = out.lat.ns, .done_ns = out.done.ns, .n = out.lat.n,
                        .start_ns = out.start_ns, .end_ns = out.end_ns,
                        .throughput_cps = r->throughput_cps,
                        .mean_us = r->calls ? r->lat.mean : NAN,
                        .closed_threads = ls->rate_cps > 0 ? 0 : ls->connections };
        rb_validity_window(&w, &r->stationarity, r->tail, &r->little);
    }
    rb_loadgen_samples_free(&out);
}

/* CPU time the run's own processes have used so far, ns: this process
 * and its client processes (loadgen.h), the scenario's server and the
 * broker when there is one. NAN when the server is not ours (--connect) or
 * cannot be read. */
static double own_cpu_ns(const rb_server_proc *sp)
{
    uint64_t server = 0, broker = 0;
    if (sp->pid <= 0 || rb_cpu_meter_read(&sp->cpu, &server) != RB_OK)
        return NAN;
    if (rb_broker_cpu_ns(NULL, &broker) < 0)   /* 0: no broker metered, 0 ns */
        return NAN;
    return (double)(rb_self_cpu_ns() + rb_loadgen_child_cpu_ns()) + (double)server +
           (double)broker;
}

void rb_round_in_run(const rb_run_cfg *cfg, rb_scenario *s, int round, int position,
                     const rb_server_proc *sp)
{
    rb_machine m0, m1;
    rb_loadgen_spec ls;
    size_t kept = s->all.n;
    double own0 = own_cpu_ns(sp);
    rb_round_spec(cfg, s, round, &ls);
    rb_machine_read(&m0, "");
    rb_round_measure(&ls, s, round, position, sp);
    rb_machine_read(&m1, "");
    double own1 = own_cpu_ns(sp);
    rb_round *rd = &s->rounds[round];
    if (rb_run_interrupted) {      /* a round cut short did not finish */
        rd->ran = 0;
        s->all.n = kept;
        return;
    }
    rd->machine_before = m0;
    rd->machine_after = m1;
    rd->has_machine = 1;
    /* a server restarted inside the round (a fault) starts from 0 again:
     * its CPU in between is then unknown */
    rb_machine_interference(&m0, &m1, own1 >= own0 ? own1 - own0 : NAN, &rd->interference);
}
