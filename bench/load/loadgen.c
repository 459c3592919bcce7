/* loadgen.c - rb_loadgen_round: each round's clients in a process of
 * their own (loadgen.h says why and when), or on this one.
 *
 * The child is a fork of this process, so it has the run's whole state
 * (spec, server) as it stands; it drives the round with rb_clients_drive()
 * and writes back, through a pipe:
 *   the rb_round (its fault pointer is NULL: a round with a fault never
 *   forks; its timeline pointer is rewritten here),
 *   the timeline's ntl points,
 *   the latency samples and their completion times, each as a count and
 *   the values,
 *   the measured window's start and end, ns,
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

#include "load/clients.h"
#include "measure/procstat.h"
#include "proc/child.h"

static uint64_t child_cpu_ns;

uint64_t rb_loadgen_child_cpu_ns(void)
{
    return child_cpu_ns;
}

/* One sample array: its count, then its values. RB_OK or RB_EIO. */
static int send_samples(rb_child *c, const rb_samples *s)
{
    uint64_t n = s->n;
    if (rb_child_send(c, &n, sizeof n) != RB_OK ||
        rb_child_send(c, s->ns, s->n * sizeof *s->ns) != RB_OK)
        return RB_EIO;
    return RB_OK;
}

/* The child: drive the round, send it, end. */
_Noreturn static void child(rb_child *c, const rb_loadgen_spec *ls, const rb_server_proc *sp)
{
    rb_round r;
    rb_loadgen_samples out;
    memset(&out, 0, sizeof out);
    rb_clients_drive(ls, sp, &r, &out);
    uint64_t cpu = rb_self_cpu_ns();
    int bad = rb_child_send(c, &r, sizeof r) ||
              rb_child_send(c, r.tl, r.ntl * sizeof *r.tl) ||
              send_samples(c, &out.lat) || send_samples(c, &out.done) ||
              rb_child_send(c, &out.start_ns, sizeof out.start_ns) ||
              rb_child_send(c, &out.end_ns, sizeof out.end_ns) ||
              rb_child_send(c, &cpu, sizeof cpu);
    _exit(bad ? 1 : 0);
}

/* One sample array from the child, appended to *to. RB_OK, RB_EIO (the
 * child sent less) or RB_ENOMEM. */
static int recv_samples(rb_child *c, rb_samples *to)
{
    uint64_t n;
    if (rb_child_recv(c, &n, sizeof n) != RB_OK)
        return RB_EIO;
    rb_samples add = { .ns = n ? malloc(n * sizeof *add.ns) : NULL, .n = n, .cap = n };
    int rc = n && !add.ns ? RB_ENOMEM
             : rb_child_recv(c, add.ns, n * sizeof *add.ns) != RB_OK ? RB_EIO
             : rb_samples_append(to, &add);
    rb_samples_free(&add);
    return rc;
}

/* The round, its timeline and samples from the child into r and out;
 * RB_OK, or RB_EIO when the child sent less (r untouched). */
static int receive(rb_child *c, rb_round *r, rb_loadgen_samples *out)
{
    rb_round got;
    uint64_t cpu;
    if (rb_child_recv(c, &got, sizeof got) != RB_OK)
        return RB_EIO;
    rb_tl_point *tl = got.ntl ? malloc(got.ntl * sizeof *tl) : NULL;
    if ((got.ntl && !tl) || rb_child_recv(c, tl, got.ntl * sizeof *tl) != RB_OK ||
        recv_samples(c, &out->lat) != RB_OK || recv_samples(c, &out->done) != RB_OK ||
        rb_child_recv(c, &out->start_ns, sizeof out->start_ns) != RB_OK ||
        rb_child_recv(c, &out->end_ns, sizeof out->end_ns) != RB_OK ||
        rb_child_recv(c, &cpu, sizeof cpu) != RB_OK) {
        free(tl);
        rb_loadgen_samples_free(out);
        return RB_EIO;
    }
    child_cpu_ns += cpu;
    got.tl = tl;
    got.fault = NULL;
    *r = got;
    return RB_OK;
}

void rb_loadgen_round(const rb_loadgen_spec *ls, const rb_server_proc *sp, rb_round *r,
                      rb_loadgen_samples *out)
{
    rb_child c;
    int where = ls->fault ? RB_EUNSUPP : rb_child_start(&c, &rb_run_interrupted);
    if (where < 0) {   /* a fault round, or no process to spare: here */
        rb_clients_drive(ls, sp, r, out);
        return;
    }
    if (where == 1)
        child(&c, ls, sp);
    int rc = receive(&c, r, out), st = rb_child_wait(&c);
    if (rc == RB_OK)
        return;
    memset(r, 0, sizeof *r);   /* not run: rb_round.ran == 0 */
    if (WIFSIGNALED(st))
        fprintf(stderr, "rpcbench: %s client process killed by signal %d; round not measured\n",
                ls->t->name, WTERMSIG(st));
    else
        fprintf(stderr, "rpcbench: %s client process ended (status %d) without its results; "
                "round not measured\n", ls->t->name, WEXITSTATUS(st));
}
