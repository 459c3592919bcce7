/* run_cfg.c - what the run's options mean for a fault and for the
 * results model (run_cfg.h). */
#include "run/run_cfg.h"

#include <string.h>

/* Whether fault f applies to transport i of cfg (a broker fault to a
 * transport through that broker, a server fault to a server we start);
 * why not into *why. */
int rb_run_fault_applies(const rb_run_cfg *cfg, const rb_fault_spec *f, int i, const char **why)
{
    unsigned needs = rb_fault_needs(f->kind);
    const rb_transport *t = cfg->ts[i];
    *why = NULL;
    if (needs & RB_FAULT_NEEDS_SERVER && cfg->connect[i])
        *why = "a server rpcbench starts (not --connect)";
    if (needs & RB_FAULT_NEEDS_BROKER && rb_broker_nodes(t->broker) != 1)
        *why = "a transport through the private broker";
    if (needs & RB_FAULT_NEEDS_CLUSTER && rb_broker_nodes(t->broker) < 2)
        *why = "a transport through the broker cluster";
    return *why == NULL;
}

/* The open-loop, SLO, timeline and server-work parameters. */
static void load_params(const rb_run_cfg *cfg, rb_params *p)
{
    int open = cfg->nrates || cfg->slo_set;
    p->nrates = cfg->nrates;
    for (int i = 0; i < cfg->nrates; i++)
        p->rates[i] = cfg->rates[i];
    p->arrivals = open ? rb_arrivals_name(cfg->arrivals) : NULL;
    p->has_seed = open;
    p->seed = cfg->seed;
    p->slo = cfg->slo_set ? cfg->slo_arg : NULL;
    p->nslo_m = cfg->nslo_m;
    for (int i = 0; i < cfg->nslo_m; i++)
        p->slo_methods[i] = cfg->slo_methods[i];
    p->slo_step_s = cfg->slo_step_s;
    p->timeline_ms = cfg->timeline_ms;
    p->work_us = cfg->work_us;
    p->work = cfg->work_sleep ? "sleep" : "busy";
}

void rb_run_params(const rb_run_cfg *cfg, rb_params *p)
{
    memset(p, 0, sizeof *p);
    p->nt = cfg->nt;
    for (int i = 0; i < cfg->nt; i++) {
        p->transports[i] = cfg->ts[i]->name;
        p->connect[i] = cfg->connect[i];
    }
    p->nm = cfg->nm;
    for (int i = 0; i < cfg->nm; i++)
        p->methods[i] = cfg->methods[i];
    p->calls = cfg->calls;
    p->duration_s = cfg->duration_s;
    p->warmup = cfg->warmup;
    p->nc = cfg->nc;
    for (int i = 0; i < cfg->nc; i++)
        p->conc[i] = cfg->conc[i];
    p->ne = cfg->ne;
    for (int i = 0; i < cfg->ne; i++)
        p->entries[i] = cfg->entries[i];
    p->rounds = cfg->rounds;
    p->timeout_ms = cfg->timeout_ms;
    p->fib_n = cfg->fib_n;
    p->pinned = cfg->pinned;
    p->loop = cfg->nrates ? "open" : "closed";
    p->server_threads = "each transport's default";
    load_params(cfg, p);
    p->nf = cfg->nf;
    for (int k = 0; k < cfg->nf; k++)
        p->faults[k] = cfg->fault_args[k];
    if (cfg->pinned) {
        p->pin_server = cfg->pin.server.text;
        p->pin_client = cfg->pin.client.text;
    }
}
