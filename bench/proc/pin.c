/* pin.c - CPU lists and sched_setaffinity (pin.h). */
#include "proc/pin.h"
#include "rb_error.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One number of a list: digits only, below `limit`. RB_OK or RB_EINVAL. */
static int cpu_number(const char **p, long limit, long *out)
{
    if (!isdigit((unsigned char)**p))
        return RB_EINVAL;
    char *end;
    errno = 0;
    long v = strtol(*p, &end, 10);
    if (errno || v >= limit)
        return RB_EINVAL;
    *p = end;
    *out = v;
    return RB_OK;
}

int rb_cpus_parse(const char *list, rb_cpus *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    long limit = ncpu > 0 && ncpu < CPU_SETSIZE ? ncpu : CPU_SETSIZE;
    if (!list || !*list || strlen(list) >= sizeof out->text)
        goto bad;
    snprintf(out->text, sizeof out->text, "%s", list);
    for (const char *p = list;;) {
        long a, b;
        if (cpu_number(&p, limit, &a))
            goto bad;
        b = a;
        if (*p == '-') {
            p++;
            if (cpu_number(&p, limit, &b) || b < a)
                goto bad;
        }
        for (long c = a; c <= b; c++)
            CPU_SET((int)c, &out->set);
        if (*p == '\0')
            break;
        if (*p++ != ',')
            goto bad;
    }
    out->count = CPU_COUNT(&out->set);
    return RB_OK;
bad:
    snprintf(err, errlen, "bad CPU list '%s' (e.g. 0, 0-1, 0,2; CPUs 0-%ld here)",
             list ? list : "", limit - 1);
    return RB_EINVAL;
}

int rb_pin_parse(const char *arg, rb_pin *out, char *err, size_t errlen)
{
    char buf[160], why[160];
    memset(out, 0, sizeof *out);
    const char *colon = arg ? strchr(arg, ':') : NULL;
    if (!colon || strlen(arg) >= sizeof buf) {
        snprintf(err, errlen, "--pin wants SERVER_CPUS:CLIENT_CPUS, e.g. 0:1, not '%s'",
                 arg ? arg : "");
        return RB_EINVAL;
    }
    snprintf(buf, sizeof buf, "%.*s", (int)(colon - arg), arg);
    if (rb_cpus_parse(buf, &out->server, why, sizeof why) ||
        rb_cpus_parse(colon + 1, &out->client, why, sizeof why)) {
        snprintf(err, errlen, "--pin '%s': %s", arg, why);
        return RB_EINVAL;
    }
    return RB_OK;
}

int rb_cpus_apply(pid_t tid, const rb_cpus *cpus)
{
    return sched_setaffinity(tid, sizeof cpus->set, &cpus->set) == 0 ? RB_OK : RB_EIO;
}

int rb_cpus_apply_process(pid_t pid, const rb_cpus *cpus)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return RB_EIO;
    int rc = RB_OK, n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        n++;
        if (rb_cpus_apply((pid_t)atoi(e->d_name), cpus) != RB_OK && errno != ESRCH)
            rc = RB_EIO;   /* a thread that just exited needs no place */
    }
    closedir(d);
    return n ? rc : RB_EIO;
}
