/* child.h - work that loads a stack's client library, done in a child
 * process so that rpcbench's own process never starts a thread (loadgen.h
 * says why: each round's client process must be a fork of a process that
 * never ran a second thread, and gRPC's and ZeroMQ's libraries start
 * threads when initialised). */
#ifndef RB_CHILD_H
#define RB_CHILD_H

#include <stddef.h>

/* What rb_in_child runs: returns 0..255; may write a message (a C string)
 * into msg (msglen bytes, msglen >= 1). */
typedef int (*rb_child_fn)(void *arg, char *msg, size_t msglen);

/* Run fn(arg, msg, msglen) in a child process forked for it when this
 * process has never started a thread; else (or when no process can be
 * made) here. The child's writes to memory stay in the child; msg comes
 * back through a pipe. Returns fn's result, or -1 (msg says why) when the
 * child died first. Blocks until the child ends. */
int rb_in_child(rb_child_fn fn, void *arg, char *msg, size_t msglen);

#endif
