/* costs.c - per-call costs of a measured window (costs.h). */
#include "load/costs.h"

#include <math.h>
#include <unistd.h>

#include "measure/procstat.h"


void rb_costs_sample(const rb_transport *t, const rb_server_proc *sp, rb_costs_point *p)
{
    p->wc_ok = sp->wire_port > 0 && rb_wire_snapshot(getpid(), sp->wire_port, &p->wc) == RB_OK;
    p->ws_ok = t->broker != RB_BROKER_NONE && sp->pid > 0 && sp->wire_port > 0 &&
               rb_wire_snapshot(sp->pid, sp->wire_port, &p->ws) == RB_OK;
    p->cpu_self = rb_self_cpu_ns();
    p->cpu_server_ok = sp->pid > 0 && sp->cpu.method < RB_CPU__COUNT &&
                       rb_cpu_meter_read(&sp->cpu, &p->cpu_server) == RB_OK;
    p->cpu_broker_ok = t->broker != RB_BROKER_NONE &&
                       rb_broker_cpu_ns(t->broker, &p->cpu_broker) > 0;
    p->tick_server_ok = sp->pid > 0 && rb_proc_cpu_ns(sp->pid, &p->tick_server) == RB_OK;
    p->tick_broker_ok = t->broker != RB_BROKER_NONE &&
                        rb_broker_cpu_ticks_ns(t->broker, &p->tick_broker) > 0;
}

/* CPU µs per call of one meter over the window; NAN when either reading
 * failed or the window is too short for the meter (procstat.h). */
static double cpu_per_call(int ok0, uint64_t a, int ok1, uint64_t b, uint64_t window_ns,
                           uint64_t res_ns, double per)
{
    return ok0 && ok1 ? rb_cpu_window_ns(a, b, window_ns, res_ns) / 1e3 * per : NAN;
}

void rb_costs_per_call(const rb_transport *t, const rb_server_proc *sp, rb_round *r,
                       rb_costs_point *p0, rb_costs_point *p1, uint64_t window_ns)
{
    rb_cpu_method bmethod = RB_CPU__COUNT;
    uint64_t bres = 0;
    rb_broker_cpu_method(t->broker, &bmethod, &bres);   /* none: stays RB_CPU__COUNT, 0 */
    uint64_t tick = rb_cpu_tick_ns();
    double per = r->calls ? 1.0 / (double)r->calls : NAN;
    uint64_t bc = 0, bs = 0;
    r->wire_client = p0->wc_ok && p1->wc_ok && rb_wire_diff(&p0->wc, &p1->wc, &bc) == RB_OK
                         ? (double)bc * per : NAN;
    if (t->broker == RB_BROKER_NONE)
        r->wire_total = r->wire_client;
    else
        r->wire_total = !isnan(r->wire_client) && p0->ws_ok && p1->ws_ok &&
                        rb_wire_diff(&p0->ws, &p1->ws, &bs) == RB_OK
                            ? (double)(bc + bs) * per : NAN;
    /* The pacer's spinning (pacer.h) is the generator's, not the client's. */
    uint64_t self = p1->cpu_self - p0->cpu_self;
    self = self > r->spin_cpu_ns ? self - r->spin_cpu_ns : 0;
    r->cpu_client = cpu_per_call(1, 0, 1, self, window_ns, 1, per);
    r->cpu_method_server = p0->cpu_server_ok ? sp->cpu.method : RB_CPU__COUNT;
    r->cpu_res_server = sp->cpu.resolution_ns;
    r->cpu_server = cpu_per_call(p0->cpu_server_ok, p0->cpu_server, p1->cpu_server_ok,
                                 p1->cpu_server, window_ns, sp->cpu.resolution_ns, per);
    r->cpu_method_broker = p0->cpu_broker_ok ? bmethod : RB_CPU__COUNT;
    r->cpu_res_broker = bres;
    r->cpu_broker = cpu_per_call(p0->cpu_broker_ok, p0->cpu_broker, p1->cpu_broker_ok,
                                 p1->cpu_broker, window_ns, r->cpu_res_broker, per);
    r->cpu_server_ticks = cpu_per_call(p0->tick_server_ok, p0->tick_server, p1->tick_server_ok,
                                       p1->tick_server, window_ns, tick, per);
    r->cpu_broker_ticks = cpu_per_call(p0->tick_broker_ok, p0->tick_broker, p1->tick_broker_ok,
                                       p1->tick_broker, window_ns, tick, per);
    rb_wire_snap_free(&p0->wc);
    rb_wire_snap_free(&p0->ws);
    rb_wire_snap_free(&p1->wc);
    rb_wire_snap_free(&p1->ws);
}

