/* loadgen_proc.c - rb_loadgen_run: each round's clients in a process of
 * their own (loadgen.h says why and when).
 *
 * The child is a fork of this process, so it has the run's whole state
 * (configuration, scenario, server) as it stands; it runs the round with
 * rb_loadgen_run_here() and writes back, through a pipe:
 *   the rb_round (its fault pointer is NULL: a round with a fault never
 *   forks; its timeline pointer is rewritten here),
 *   the timeline's ntl points,
 *   the latency samples the round appended to s->all,
 *   the child's CPU time, ns,
 * and exits with _exit(0), so the libraries' exit handlers never run in a
 * copy of this process. The process, the pipe and passing ^C on to the
 * child are child.h's. A child that ends without sending all of it leaves
 * the round not run, with the reason on stderr.
 */
#include "load/loadgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/child.h"
#include "measure/procstat.h"
#include "run/servers.h"   /* rb_run_interrupted */

static uint64_t child_cpu_ns;

uint64_t rb_loadgen_child_cpu_ns(void)
{
    return child_cpu_ns;
}

/* The child: run the round, send it, end. */
_Noreturn static void child(rb_child *c, const rb_run_cfg *cfg, const rb_load_spec *ls,
                            rb_scenario *s, int round, int position, const rb_server_proc *sp)
{
    size_t kept = s->all.n;
    rb_loadgen_run_here(cfg, ls, s, round, position, sp);
    const rb_round *r = &s->rounds[round];
    uint64_t nsamp = s->all.n - kept, cpu = rb_self_cpu_ns();
    int bad = rb_child_send(c, r, sizeof *r) ||
              rb_child_send(c, r->tl, r->ntl * sizeof *r->tl) ||
              rb_child_send(c, &nsamp, sizeof nsamp) ||
              rb_child_send(c, s->all.ns + kept, nsamp * sizeof *s->all.ns) ||
              rb_child_send(c, &cpu, sizeof cpu);
    _exit(bad ? 1 : 0);
}

/* The round, its timeline and samples from the child into s; RB_OK, or
 * RB_EIO when the child sent less (r untouched). */
static int receive(rb_child *c, rb_scenario *s, int round)
{
    rb_round got;
    uint64_t nsamp, cpu;
    if (rb_child_recv(c, &got, sizeof got))
        return RB_EIO;
    rb_tl_point *tl = got.ntl ? malloc(got.ntl * sizeof *tl) : NULL;
    if ((got.ntl && !tl) || rb_child_recv(c, tl, got.ntl * sizeof *tl) ||
        rb_child_recv(c, &nsamp, sizeof nsamp)) {
        free(tl);
        return RB_EIO;
    }
    rb_samples add = { .ns = nsamp ? malloc(nsamp * sizeof *add.ns) : NULL, .n = nsamp,
                       .cap = nsamp };
    if ((nsamp && !add.ns) || rb_child_recv(c, add.ns, nsamp * sizeof *add.ns) ||
        rb_child_recv(c, &cpu, sizeof cpu) || rb_samples_append(&s->all, &add) != RB_OK) {
        free(tl);
        rb_samples_free(&add);
        return RB_EIO;
    }
    rb_samples_free(&add);
    child_cpu_ns += cpu;
    got.tl = tl;
    got.fault = NULL;
    s->rounds[round] = got;
    return RB_OK;
}

void rb_loadgen_run(const rb_run_cfg *cfg, const rb_load_spec *ls, rb_scenario *s, int round,
                    int position, const rb_server_proc *sp)
{
    rb_child c;
    int where = s->fault ? -1 : rb_child_start(&c, &rb_run_interrupted);
    if (where < 0) {   /* a fault round, or no process to spare: here */
        rb_loadgen_run_here(cfg, ls, s, round, position, sp);
        return;
    }
    if (where == 1)
        child(&c, cfg, ls, s, round, position, sp);
    int rc = receive(&c, s, round), st = rb_child_wait(&c);
    if (rc == RB_OK)
        return;
    rb_round *r = &s->rounds[round];
    memset(r, 0, sizeof *r);   /* not run: rb_round.ran == 0 */
    if (WIFSIGNALED(st))
        fprintf(stderr, "rpcbench: %s client process killed by signal %d; round %d not measured\n",
                s->t->name, WTERMSIG(st), round + 1);
    else
        fprintf(stderr, "rpcbench: %s client process ended (status %d) without its results; "
                "round %d not measured\n", s->t->name, WEXITSTATUS(st), round + 1);
}
