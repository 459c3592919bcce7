/* envinfo.c - the environment manifest (envinfo.h). */
#include "measure/envinfo.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef RB_SOURCE_DIR
#define RB_SOURCE_DIR "."
#endif

/* First line of a command's output into buf; 1, or 0 when the command
 * failed or printed nothing. */
static int command_line(const char *cmd, char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (!p)
        return 0;
    char *ok = fgets(buf, (int)cap, p);
    int st = pclose(p);
    buf[strcspn(buf, "\n")] = '\0';
    if (!ok || st != 0 || !buf[0]) {
        buf[0] = '\0';
        return 0;
    }
    return 1;
}

static int cpu_model(char *buf, size_t cap)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    int found = 0;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c += 2;
                c[strcspn(c, "\n")] = '\0';
                snprintf(buf, cap, "%s", c);
                found = 1;
            }
            break;
        }
    }
    if (f)
        fclose(f);
    return found;
}

/* The package version of library `lib` (Debian package `pkg`), once per
 * library name. */
static void add_library(rb_manifest *m, const char *lib, const char *pkg)
{
    char cmd[200];
    for (size_t i = 0; i < m->nlibs; i++)
        if (strcmp(m->libs[i].name, lib) == 0)
            return;
    if (m->nlibs == RB_ENV_MAX_LIBS)
        return;
    rb_env_library *l = &m->libs[m->nlibs++];
    l->name = lib;
    snprintf(cmd, sizeof cmd, "dpkg-query -W -f='${Version}' '%s' 2>/dev/null", pkg);
    l->installed = command_line(cmd, l->version, sizeof l->version);
}

static void host_info(rb_manifest *m)
{
    struct utsname u;
    m->has_cpu = cpu_model(m->cpu, sizeof m->cpu);
    m->cores = sysconf(_SC_NPROCESSORS_ONLN);
    m->has_kernel = uname(&u) == 0;
    if (m->has_kernel)
        snprintf(m->kernel, sizeof m->kernel, "%s %s %s", u.sysname, u.release, u.machine);
    m->compiler = "gcc " __VERSION__;
    m->has_git_commit = command_line("git -C '" RB_SOURCE_DIR "' describe --always --dirty "
                                     "--abbrev=12 2>/dev/null",
                                     m->git_commit, sizeof m->git_commit);
    gethostname(m->host, sizeof m->host - 1);
}

void rb_env_manifest(rb_manifest *m, const char *started_utc, const rb_transport *const *ts,
                     size_t n)
{
    memset(m, 0, sizeof *m);
    host_info(m);
    m->started_utc = started_utc;
    m->ts = ts;
    m->nts = n;
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < RB_MAX_PACKAGES && ts[i]->packages[k].library; k++)
            add_library(m, ts[i]->packages[k].library, ts[i]->packages[k].debian_package);
    /* The harness's own: results.json and report.md are read and written
     * with it. */
    add_library(m, "jansson", "libjansson4");
}
