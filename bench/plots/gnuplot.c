/* gnuplot.c - finding and running gnuplot. */
#include "plots/gnuplot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/spawn.h"

/* gnuplot's path: $RPCBENCH_GNUPLOT when set (empty: none), else PATH. */
int rb_gnuplot_find(char *buf, size_t cap)
{
    const char *env = getenv("RPCBENCH_GNUPLOT"), *path;

    if (env) {
        if (!*env || access(env, X_OK) != 0 || strlen(env) >= cap)
            return -1;
        strcpy(buf, env);
        return 0;
    }
    path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        if (len > 0 && len + sizeof "/gnuplot" <= cap) {
            memcpy(buf, path, len);
            strcpy(buf + len, "/gnuplot");
            if (access(buf, X_OK) == 0)
                return 0;
        }
        path += len;
        if (*path == ':')
            path++;
    }
    return -1;
}

int rb_gnuplot_run(const char *gnuplot, const char *pdir)
{
    return rb_gnuplot_run_script(gnuplot, pdir, "plots.gp", "gnuplot.log");
}

int rb_gnuplot_run_script(const char *gnuplot, const char *pdir, const char *script,
                          const char *log_name)
{
    char *const argv[] = { "gnuplot", (char *)script, NULL };
    rb_spawn_opts o = {
        .dir = pdir,
        .in = { .kind = RB_IO_NULL },
        .out = { .kind = RB_IO_FILE, .path = log_name },   /* relative to pdir */
        .err = { .kind = RB_IO_STDOUT },
        .flush = 1,
    };
    pid_t pid = rb_spawn(gnuplot, argv, &o);
    if (pid < 0)
        return -1;
    int st = rb_spawn_wait(pid, -1);
    return st < 0 ? -1 : st;
}

int rb_file_nonempty(const char *pdir, const char *name, const char *ext)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.%s", pdir, name, ext);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}
