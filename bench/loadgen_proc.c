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
 * copy of this process. A child that ends without sending all of it leaves
 * the round not run, with the reason on stderr.
 */
#include "loadgen.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/single_threaded.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procstat.h"
#include "servers.h"   /* rb_run_interrupted */

static uint64_t child_cpu_ns;

uint64_t rb_loadgen_child_cpu_ns(void)
{
    return child_cpu_ns;
}

/* All n bytes from p to fd (peer == 0) or from fd into p (peer: the child
 * being read); -1 at EOF or an error. ^C while reading (rb_run_interrupted)
 * is passed on to the child once (*told), which ends its round and still
 * sends it. */
static int xfer(int fd, void *p, size_t n, pid_t peer, int *told)
{
    char *b = p;
    while (n) {
        ssize_t k = peer ? read(fd, b, n) : write(fd, b, n);
        if (k < 0 && errno == EINTR) {
            if (peer && rb_run_interrupted && !*told) {
                kill(peer, SIGINT);
                *told = 1;
            }
            continue;
        }
        if (k <= 0)
            return -1;
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

static int write_full(int fd, const void *p, size_t n)
{
    return xfer(fd, (void *)p, n, 0, NULL);
}

static int read_full(int fd, void *p, size_t n, pid_t child, int *told)
{
    return xfer(fd, p, n, child, told);
}

/* The child: run the round, send it, end. */
_Noreturn static void child(int fd, const rb_run_cfg *cfg, const rb_load_spec *ls,
                            rb_scenario *s, int round, int position, const rb_server_proc *sp)
{
    /* the client never outlives the run (a parent killed with SIGKILL) */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    size_t kept = s->all.n;
    rb_loadgen_run_here(cfg, ls, s, round, position, sp);
    const rb_round *r = &s->rounds[round];
    uint64_t nsamp = s->all.n - kept, cpu = rb_self_cpu_ns();
    int bad = write_full(fd, r, sizeof *r) ||
              write_full(fd, r->tl, r->ntl * sizeof *r->tl) ||
              write_full(fd, &nsamp, sizeof nsamp) ||
              write_full(fd, s->all.ns + kept, nsamp * sizeof *s->all.ns) ||
              write_full(fd, &cpu, sizeof cpu);
    _exit(bad ? 1 : 0);
}

/* The round, its timeline and samples from the child into s; RB_OK, or
 * RB_EIO when the child sent less (r untouched). */
static int receive(int fd, pid_t pid, rb_scenario *s, int round)
{
    rb_round got;
    uint64_t nsamp, cpu;
    int told = 0;
    if (read_full(fd, &got, sizeof got, pid, &told))
        return RB_EIO;
    rb_tl_point *tl = got.ntl ? malloc(got.ntl * sizeof *tl) : NULL;
    if ((got.ntl && !tl) || read_full(fd, tl, got.ntl * sizeof *tl, pid, &told) ||
        read_full(fd, &nsamp, sizeof nsamp, pid, &told)) {
        free(tl);
        return RB_EIO;
    }
    rb_samples add = { .ns = nsamp ? malloc(nsamp * sizeof *add.ns) : NULL, .n = nsamp,
                       .cap = nsamp };
    if ((nsamp && !add.ns) || read_full(fd, add.ns, nsamp * sizeof *add.ns, pid, &told) ||
        read_full(fd, &cpu, sizeof cpu, pid, &told) || rb_samples_append(&s->all, &add) != RB_OK) {
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
    int fd[2];
    if (s->fault || !__libc_single_threaded || pipe2(fd, O_CLOEXEC) != 0) {
        rb_loadgen_run_here(cfg, ls, s, round, position, sp);
        return;
    }
    fflush(NULL);   /* nothing buffered here is written twice */
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        child(fd[1], cfg, ls, s, round, position, sp);
    }
    close(fd[1]);
    if (pid < 0) {   /* no process to spare: the clients run here */
        close(fd[0]);
        rb_loadgen_run_here(cfg, ls, s, round, position, sp);
        return;
    }
    int rc = receive(fd[0], pid, s, round), st = 0;
    close(fd[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
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
