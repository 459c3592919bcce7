/* child.h - work done in a child process forked for it, with a pipe back.
 *
 * rpcbench's own process never starts a thread (loadgen.h says why: each
 * round's client process must be a fork of a process that never ran a
 * second thread, and gRPC's and ZeroMQ's libraries start threads when
 * initialised). So whatever loads a stack's client library runs in a
 * child: the transport checks and the server probe (rb_in_child), and each
 * round's clients (load/loadgen.c, with rb_child_start and the rest). */
#ifndef RB_CHILD_H
#define RB_CHILD_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* A child process and the pipe from it. */
typedef struct rb_child {
    pid_t pid;                            /* the child (parent side) */
    int fd;                               /* read end in the parent, write
                                             end in the child */
    const volatile sig_atomic_t *stop;    /* parent: ^C flag to pass on */
    int told;                             /* parent: SIGINT sent already */
} rb_child;

/* Fork a child with a pipe to this process, when this process has never
 * started a thread (__libc_single_threaded) and a pipe and a process can
 * be had. stdio buffers are flushed first, so nothing is written twice.
 * In the child, the child dies with SIGKILL when the parent does
 * (PR_SET_PDEATHSIG). stop (may be NULL) is the parent's interrupt flag:
 * while rb_child_recv() waits and the flag is set, the child gets one
 * SIGINT.
 * Returns 1 in the child, 0 in the parent, or, when no child was made (do
 * the work here; c holds nothing to release), RB_EUNSUPP (this process has
 * started a thread) or RB_EIO (no pipe or no process to be had). */
int rb_child_start(rb_child *c, const volatile sig_atomic_t *stop);

/* Child: write all n bytes of p to the parent. RB_OK, or RB_EIO. */
int rb_child_send(rb_child *c, const void *p, size_t n);

/* Parent: read exactly n bytes from the child into p. RB_OK, or RB_EIO
 * when the pipe ended first (the child exited or died) or failed. */
int rb_child_recv(rb_child *c, void *p, size_t n);

/* Parent: read what the child still sends, up to n bytes, until it closes
 * the pipe. Returns the bytes read. */
size_t rb_child_recv_rest(rb_child *c, void *p, size_t n);

/* Parent: close the pipe and wait for the child to end. Returns its wait
 * status (waitpid's; WIFEXITED/WIFSIGNALED apply). */
int rb_child_wait(rb_child *c);

/* What rb_in_child runs: returns 0..255; may write a message (a C string)
 * into msg (msglen bytes, msglen >= 1). */
typedef int (*rb_child_fn)(void *arg, char *msg, size_t msglen);

/* Run fn(arg, msg, msglen) in a child process forked for it (see
 * rb_child_start), or here when no child can be made. The child's writes
 * to memory stay in the child; msg comes back through the pipe. Returns
 * fn's result, or RB_EIO (msg says why) when the child died first. Blocks
 * until the child ends. */
int rb_in_child(rb_child_fn fn, void *arg, char *msg, size_t msglen);

#endif
