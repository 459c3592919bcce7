/* spawn.h - starting a program as a child process (fork + exec) and
 * waiting for it with a deadline: the one place the harness does it.
 * child.h is the other kind of child: a fork of this process that runs
 * harness code and answers through a pipe.
 *
 * Everything between fork and exec is async-signal-safe (no malloc, no
 * stdio), and so is rb_spawn itself unless opts->flush is set: a signal
 * handler's cleanup may spawn (e.g. a firewall rule removed on SIGTERM). */
#ifndef RB_SPAWN_H
#define RB_SPAWN_H

#include <sys/types.h>

/* Where one of the child's standard streams goes. */
typedef enum rb_io_kind {
    RB_IO_INHERIT = 0,   /* this process's (the zero value) */
    RB_IO_NULL,          /* /dev/null */
    RB_IO_FD,            /* the descriptor fd of this process (dup2'd) */
    RB_IO_FILE,          /* the file path, created or truncated (0644),
                            relative to opts->dir when set */
    RB_IO_STDOUT,        /* stderr only: wherever the child's stdout goes */
} rb_io_kind;

typedef struct rb_spawn_io {
    rb_io_kind kind;
    int fd;                /* RB_IO_FD */
    const char *path;      /* RB_IO_FILE */
} rb_spawn_io;

/* What the child gets besides its argv; all zero: this process's
 * environment, folder and streams, no death signal. */
typedef struct rb_spawn_opts {
    char *const *envp;     /* its environment (NULL: this process's) */
    const char *dir;       /* its working folder (NULL: this process's) */
    rb_spawn_io in, out, err;
    int pdeathsig;         /* signal it gets when the thread that spawned it
                              ends (PR_SET_PDEATHSIG; 0: none); a child
                              whose parent is gone already exits at once */
    int flush;             /* fflush(NULL) first, so that nothing buffered
                              is written twice (not async-signal-safe) */
} rb_spawn_opts;

/* Fork and exec path (a file name, not searched in PATH) with argv
 * (argv[0] first, NULL-terminated), as opts says (NULL: all zero).
 * Returns the child's pid (> 0), or RB_EIO when no process could be made.
 * The child exits 126 when its folder or a stream cannot be set up, 127
 * when path cannot be executed. The caller reaps it (rb_spawn_wait or
 * waitpid). */
pid_t rb_spawn(const char *path, char *const argv[], const rb_spawn_opts *opts);

/* Wait for child pid to end, up to timeout_ms (< 0: no limit); at the
 * deadline it gets SIGKILL and is reaped. Returns its exit status
 * (0..255), 128 + N when a signal N ended it, RB_ETIMEDOUT when the
 * deadline killed it, or RB_EIO when pid is not a child of this process.
 * Interrupting signals do not end the wait. */
int rb_spawn_wait(pid_t pid, int timeout_ms);

#endif
