/* procstat.h - CPU time and peak memory of a process, from /proc. */
#ifndef RB_PROCSTAT_H
#define RB_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>

/* User + system CPU time of process pid (all its threads, living and
 * exited), nanoseconds, from /proc/PID/stat utime + stime (clock ticks,
 * 10 ms each here: compare over windows of a second or more).
 * RB_OK, or RB_EIO when the process is gone. */
int rb_proc_cpu_ns(pid_t pid, uint64_t *ns);

/* This process's CPU time, ns, from CLOCK_PROCESS_CPUTIME_ID (exact). */
uint64_t rb_self_cpu_ns(void);

/* Peak resident set size of pid, KiB (VmHWM of /proc/PID/status).
 * RB_OK or RB_EIO. */
int rb_proc_max_rss_kb(pid_t pid, long *kb);

#endif
