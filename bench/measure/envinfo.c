#include "measure/envinfo.h"
#include "results/descriptor.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef RB_SOURCE_DIR
#define RB_SOURCE_DIR "."
#endif

/* First line of a command's output, or NULL. */
static json_t *command_line(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    if (!p)
        return json_null();
    char buf[256] = "";
    char *ok = fgets(buf, sizeof buf, p);
    int st = pclose(p);
    buf[strcspn(buf, "\n")] = '\0';
    if (!ok || st != 0 || !buf[0])
        return json_null();
    return json_string(buf);
}

static json_t *cpu_model(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    json_t *v = json_null();
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *c = strchr(line, ':');
            if (c) {
                c += 2;
                c[strcspn(c, "\n")] = '\0';
                json_decref(v);
                v = json_string(c);
            }
            break;
        }
    }
    if (f)
        fclose(f);
    return v;
}

/* The package version of library `lib` (Debian package `pkg`) into l,
 * once per library name. */
static void add_library(json_t *l, const char *lib, const char *pkg)
{
    char cmd[200];
    if (json_object_iter_at(l, lib))   /* the object being built, not results.json */
        return;
    snprintf(cmd, sizeof cmd, "dpkg-query -W -f='${Version}' '%s' 2>/dev/null", pkg);
    json_object_set_new(l, lib, command_line(cmd));
}

static json_t *host_json(const char *started_utc)
{
    json_t *env = json_object();
    struct utsname u;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    json_object_set_new(env, "cpu", cpu_model());
    json_object_set_new(env, "cores", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
    if (uname(&u) == 0) {
        char k[600];
        snprintf(k, sizeof k, "%s %s %s", u.sysname, u.release, u.machine);
        json_object_set_new(env, "kernel", json_string(k));
    } else {
        json_object_set_new(env, "kernel", json_null());
    }
    json_object_set_new(env, "compiler", json_string("gcc " __VERSION__));
    json_object_set_new(env, "git_commit",
        command_line("git -C '" RB_SOURCE_DIR "' describe --always --dirty --abbrev=12 2>/dev/null"));
    json_object_set_new(env, "host", json_string(host));
    json_object_set_new(env, "started_utc", json_string(started_utc));
    return env;
}

json_t *rb_env_manifest(const char *started_utc, const rb_transport *const *ts, size_t n)
{
    json_t *env = host_json(started_utc);
    json_t *l = json_object(), *tr = json_object();
    for (size_t i = 0; i < n; i++) {
        const rb_transport *t = ts[i];
        for (int k = 0; k < RB_MAX_PACKAGES && t->packages[k].library; k++)
            add_library(l, t->packages[k].library, t->packages[k].debian_package);
        json_object_set_new(tr, t->name, rb_desc_json(t));
    }
    /* The harness's own: results.json and report.md are read and written
     * with it. */
    add_library(l, "jansson", "libjansson4");
    json_object_set_new(env, "libraries", l);
    json_object_set_new(env, "transports", tr);
    return env;
}
