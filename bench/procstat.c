#include "procstat.h"
#include "rb_error.h"

#include <stdio.h>
#include <string.h>
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
    long hz = sysconf(_SC_CLK_TCK);
    *ns = (uint64_t)(ut + st) * (1000000000ull / (uint64_t)(hz > 0 ? hz : 100));
    return RB_OK;
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
