/* gnuplot.c - finding and running gnuplot. */
#include "plots/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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
    pid_t pid, w;
    int status;

    fflush(NULL);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY), log;
        if (chdir(pdir) != 0)
            _exit(126);
        log = open(log_name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in >= 0)
            dup2(in, 0);
        if (log >= 0) {
            dup2(log, 1);
            dup2(log, 2);
        }
        execl(gnuplot, "gnuplot", script, (char *)NULL);
        _exit(127);
    }
    do
        w = waitpid(pid, &status, 0);
    while (w < 0 && errno == EINTR);
    if (w < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int rb_file_nonempty(const char *pdir, const char *name, const char *ext)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.%s", pdir, name, ext);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}
