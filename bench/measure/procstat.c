/* procstat.c - CPU time and peak memory of a process (procstat.h). */
#include "measure/procstat.h"
#include "rb_error.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int rb_proc_cpu_ns(pid_t pid, uint64_t *ns)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return RB_EIO;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: fields follow the
     * last ')'. utime and stime are fields 14 and 15, i.e. the 12th and
     * 13th after the state field. */
    char *p = strrchr(buf, ')');
    if (!p)
        return RB_EIO;
    unsigned long long ut, st;
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return RB_EIO;
    *ns = (uint64_t)(ut + st) * rb_cpu_tick_ns();
    return RB_OK;
}

uint64_t rb_cpu_tick_ns(void)
{
    long hz = sysconf(_SC_CLK_TCK);
    return 1000000000ull / (uint64_t)(hz > 0 ? hz : 100);
}

uint64_t rb_self_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int rb_proc_max_rss_kb(pid_t pid, long *kb)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return RB_EIO;
    int rc = RB_EIO;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", kb) == 1) {
            rc = RB_OK;
            break;
        }
    fclose(f);
    return rc;
}

/* ---- CPU meters ------------------------------------------------------------ */

static const char *const method_names[RB_CPU__COUNT] = {
    [RB_CPU_CGROUP] = "cgroup-cpuacct",
    [RB_CPU_CLOCK] = "process-cpu-clock",
    [RB_CPU_SCHEDSTAT] = "schedstat",
    [RB_CPU_TICKS] = "proc-stat-ticks",
};

const char *rb_cpu_method_name(rb_cpu_method method)
{
    return (unsigned)method < RB_CPU__COUNT ? method_names[method] : "none";
}

int rb_cpu_method_counts_exited(rb_cpu_method method)
{
    return method != RB_CPU_SCHEDSTAT;
}

static int read_u64_file(const char *path, uint64_t *v)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return RB_EIO;
    unsigned long long x;
    int ok = fscanf(f, "%llu", &x) == 1;
    fclose(f);
    if (!ok)
        return RB_EIO;
    *v = x;
    return RB_OK;
}

static int write_str_file(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return RB_EIO;
    ssize_t n = write(fd, s, strlen(s));
    close(fd);
    return n == (ssize_t)strlen(s) ? RB_OK : RB_EIO;
}

/* Mount point of the cgroup v1 hierarchy carrying cpuacct into out:
 * RB_OK, or RB_EUNSUPP (none, or /proc/mounts unreadable). */
static int cpuacct_mount(char *out, size_t len)
{
    FILE *f = fopen("/proc/mounts", "r");
    if (!f)
        return RB_EUNSUPP;
    char line[1024], dir[512], type[64], opts[512];
    int found = RB_EUNSUPP;
    while (found < 0 && fgets(line, sizeof line, f)) {
        if (sscanf(line, "%*s %511s %63s %511s", dir, type, opts) != 3 || strcmp(type, "cgroup"))
            continue;
        for (char *save = NULL, *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
            if (strcmp(o, "cpuacct") == 0 && strlen(dir) < len) {
                snprintf(out, len, "%s", dir);
                found = RB_OK;
                break;
            }
    }
    fclose(f);
    return found;
}

/* pid's cpuacct group, relative to the mount ("/" or "/a/b"), into out:
 * RB_OK, or RB_EUNSUPP (none, or pid's cgroup file unreadable). */
static int cpuacct_group_of(pid_t pid, char *out, size_t len)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return RB_EUNSUPP;
    int found = RB_EUNSUPP;
    while (found < 0 && fgets(line, sizeof line, f)) {
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = '\0';
        line[strcspn(line, "\n")] = '\0';
        c2[1 + strcspn(c2 + 1, "\n")] = '\0';
        for (char *save = NULL, *o = strtok_r(c1 + 1, ",", &save); o; o = strtok_r(NULL, ",", &save))
            if (strcmp(o, "cpuacct") == 0 && strlen(c2 + 1) < len) {
                snprintf(out, len, "%s", c2 + 1);
                found = RB_OK;
                break;
            }
    }
    fclose(f);
    return found;
}

/* Move every task of folder `from` into folder `to` (cgroup.procs). */
static void move_all(const char *from, const char *to)
{
    char path[1024], line[32];
    snprintf(path, sizeof path, "%s/cgroup.procs", from);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    snprintf(path, sizeof path, "%s/cgroup.procs", to);
    while (fgets(line, sizeof line, f))
        write_str_file(path, line);
    fclose(f);
}

void rb_cpu_cgroup_cleanup_stale(void)
{
    char mnt[256], run[600], sub[900];
    if (cpuacct_mount(mnt, sizeof mnt))
        return;
    DIR *d = opendir(mnt);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        int owner;
        if (sscanf(e->d_name, "rpcbench-%d", &owner) != 1 || owner <= 0 ||
            (kill(owner, 0) == 0 || errno != ESRCH))
            continue;
        snprintf(run, sizeof run, "%s/%s", mnt, e->d_name);
        DIR *r = opendir(run);
        struct dirent *g;
        while (r && (g = readdir(r))) {
            if (g->d_type != DT_DIR || g->d_name[0] == '.')
                continue;
            snprintf(sub, sizeof sub, "%s/%s", run, g->d_name);
            move_all(sub, mnt);
            rmdir(sub);
        }
        if (r)
            closedir(r);
        rmdir(run);
    }
    closedir(d);
}

static int name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 64 || name[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)name[i]) || strchr("_.-", name[i])))
            return 0;
    return 1;
}

static int cgroup_start(rb_cpu_meter *m, const char *name)
{
    static int cleaned;
    char mnt[128], rel[128], run[200], pidbuf[32];
    if (cpuacct_mount(mnt, sizeof mnt) || access(mnt, W_OK) ||
        cpuacct_group_of(m->pid, rel, sizeof rel))
        return RB_EIO;
    if (!cleaned++)
        rb_cpu_cgroup_cleanup_stale();
    /* Back home afterwards, unless home is another run's group (it may be
     * gone by then): the root group. */
    snprintf(m->home, sizeof m->home, "%s%s", mnt, strstr(rel, "/rpcbench-") ? "" : rel);
    snprintf(run, sizeof run, "%s/rpcbench-%d", mnt, (int)getpid());
    snprintf(m->group, sizeof m->group, "%s/%s", run, name);
    if ((mkdir(run, 0755) && errno != EEXIST) || (mkdir(m->group, 0755) && errno != EEXIST))
        goto fail;
    char path[300];
    snprintf(path, sizeof path, "%s/cgroup.procs", m->group);
    snprintf(pidbuf, sizeof pidbuf, "%d\n", (int)m->pid);
    if (write_str_file(path, pidbuf))
        goto fail;
    return RB_OK;
fail:
    rmdir(m->group);
    rmdir(run);
    m->group[0] = m->home[0] = '\0';
    return RB_EIO;
}

/* Is m->pid still in our group? Another run may have moved it. */
static int cgroup_still_ours(const rb_cpu_meter *m)
{
    char mnt[128], rel[256], want[400];
    if (cpuacct_mount(mnt, sizeof mnt) || cpuacct_group_of(m->pid, rel, sizeof rel))
        return 0;
    snprintf(want, sizeof want, "%s%s", mnt, rel);
    return strcmp(want, m->group) == 0;
}

static int schedstat_ns(pid_t pid, uint64_t *ns)
{
    char path[64], tp[400];
    snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
    DIR *d = opendir(path);
    if (!d)
        return RB_EIO;
    uint64_t sum = 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        uint64_t v;
        snprintf(tp, sizeof tp, "%s/%s/schedstat", path, e->d_name);
        if (read_u64_file(tp, &v) == RB_OK) {   /* first field: ns on a CPU */
            sum += v;
            n++;
        }
    }
    closedir(d);
    *ns = sum;
    return n ? RB_OK : RB_EIO;
}

int rb_cpu_meter_read(const rb_cpu_meter *m, uint64_t *ns)
{
    char path[300];
    struct timespec ts;
    switch (m->method) {
    case RB_CPU_CGROUP:
        snprintf(path, sizeof path, "%s/cpuacct.usage", m->group);
        if (!cgroup_still_ours(m))
            return RB_EIO;
        return read_u64_file(path, ns);
    case RB_CPU_CLOCK:
        if (clock_gettime(m->clock, &ts))
            return RB_EIO;
        *ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
        return RB_OK;
    case RB_CPU_SCHEDSTAT:
        return schedstat_ns(m->pid, ns);
    case RB_CPU_TICKS:
        return rb_proc_cpu_ns(m->pid, ns);
    default:
        return RB_EIO;
    }
}

int rb_cpu_meter_start(rb_cpu_meter *m, pid_t pid, const char *name, rb_cpu_method best)
{
    memset(m, 0, sizeof *m);
    if (pid <= 0 || !name_ok(name) || (unsigned)best >= RB_CPU__COUNT)
        return RB_EINVAL;
    m->pid = pid;
    for (rb_cpu_method k = best; k < RB_CPU__COUNT; k++) {
        uint64_t probe;
        m->method = k;
        m->resolution_ns = k == RB_CPU_TICKS ? rb_cpu_tick_ns() : 1;
        if (k == RB_CPU_CGROUP && cgroup_start(m, name) != RB_OK)
            continue;
        if (k == RB_CPU_CLOCK && clock_getcpuclockid(pid, &m->clock) != 0)
            continue;
        if (rb_cpu_meter_read(m, &probe) == RB_OK)
            return RB_OK;
        rb_cpu_meter_stop(m);
        m->pid = pid;
    }
    m->method = RB_CPU__COUNT;
    return RB_EIO;
}

void rb_cpu_meter_stop(rb_cpu_meter *m)
{
    if (m->method == RB_CPU_CGROUP && m->group[0]) {
        if (cgroup_still_ours(m)) {
            char path[300], pidbuf[32];
            snprintf(path, sizeof path, "%s/cgroup.procs", m->home);
            snprintf(pidbuf, sizeof pidbuf, "%d\n", (int)m->pid);
            write_str_file(path, pidbuf);
        }
        rmdir(m->group);
        char *slash = strrchr(m->group, '/');
        if (slash) {
            *slash = '\0';
            rmdir(m->group);   /* the run's folder, once empty */
        }
    }
    memset(m, 0, sizeof *m);
    m->method = RB_CPU__COUNT;
}

double rb_cpu_window_ns(uint64_t before, uint64_t after, uint64_t window_ns,
                        uint64_t resolution_ns)
{
    if (after < before || window_ns < resolution_ns)
        return NAN;
    uint64_t d = after - before;
    if (resolution_ns > 1000 && d < resolution_ns)
        return NAN;
    return (double)d;
}
