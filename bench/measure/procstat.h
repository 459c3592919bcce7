/* procstat.h - CPU time and peak memory of a process.
 *
 * CPU time of another process (a server, the broker) at the resolution the
 * machine allows, covering every thread of it, including threads that exit
 * inside the measured window (thread-per-connection servers start and end
 * threads all the time). A meter tries, most precise first:
 *
 *   cgroup-cpuacct     the process is moved (all its threads, and every
 *                      thread it creates later) into a cgroup v1 group of
 *                      its own with the cpuacct controller,
 *                      <mount>/rpcbench-<our pid>/<name>; cpuacct.usage is
 *                      the CPU time of all tasks that ran in it, exited ones
 *                      included, in ns. Needs the hierarchy mounted and
 *                      writable (root). Stopping the meter moves the process
 *                      back to the group it came from and removes ours.
 *   process-cpu-clock  the process's CPU-time clock (clock_getcpuclockid +
 *                      clock_gettime): ns, every thread, exited ones
 *                      included (the kernel keeps their sum); no privilege.
 *   schedstat          the sum of /proc/PID/task/TID/schedstat (time on a
 *                      CPU, ns) over the living threads: MISSES threads that
 *                      exited inside the window, so it is short for
 *                      thread-per-connection servers.
 *   proc-stat-ticks    /proc/PID/stat utime + stime, every thread, in clock
 *                      ticks (10 ms here): a window of a few ticks carries
 *                      tens of per cent of quantisation.
 *
 * rb_cpu_window_ns turns two readings into a figure and gives NAN (null in
 * results) when the window is too short for the meter to see: never 0.
 */
#ifndef RB_PROCSTAT_H
#define RB_PROCSTAT_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

typedef enum rb_cpu_method {
    RB_CPU_CGROUP,       /* cgroup v1 cpuacct.usage, ns, all threads */
    RB_CPU_CLOCK,        /* the process CPU-time clock, ns, all threads */
    RB_CPU_SCHEDSTAT,    /* /proc/PID/task/ * /schedstat, ns, living threads only */
    RB_CPU_TICKS,        /* /proc/PID/stat utime + stime, clock ticks */
    RB_CPU__COUNT
} rb_cpu_method;

typedef struct rb_cpu_meter {
    pid_t pid;
    rb_cpu_method method;
    uint64_t resolution_ns;      /* smallest step of the counter, ns */
    clockid_t clock;             /* RB_CPU_CLOCK: the process's clock */
    char group[256];             /* RB_CPU_CGROUP: our group's folder */
    char home[256];              /* RB_CPU_CGROUP: the folder it came from */
} rb_cpu_meter;

/* Start metering pid (> 0) with the most precise method available, trying
 * `best` first and then each less precise one (tests pass a lower one to
 * exercise the fallbacks). name names the cgroup ([A-Za-z0-9_.-], at most
 * 64 characters, unique within this process, e.g. "server-tcp"). Returns
 * RB_OK with m->method and m->resolution_ns set; RB_EINVAL for a bad name
 * or pid; RB_EIO when no method can read the process (it is gone). Pair
 * with rb_cpu_meter_stop, also on failure paths. */
int rb_cpu_meter_start(rb_cpu_meter *m, pid_t pid, const char *name, rb_cpu_method best);

/* CPU time the process used since some fixed point (all its threads as the
 * method allows), ns, into *ns. RB_OK; RB_EIO when the process is gone or,
 * for a cgroup, was moved out of our group by someone else (its usage would
 * stop counting: the window is then unmeasurable). */
int rb_cpu_meter_read(const rb_cpu_meter *m, uint64_t *ns);

/* Stop: a process in our cgroup goes back to the group it came from (the
 * root group when that was another run's), and our groups are removed when
 * empty. Safe on a zeroed or already stopped meter. */
void rb_cpu_meter_stop(rb_cpu_meter *m);

/* "cgroup-cpuacct", "process-cpu-clock", "schedstat", "proc-stat-ticks". */
const char *rb_cpu_method_name(rb_cpu_method method);

/* Does the method count threads that exited inside the window? */
int rb_cpu_method_counts_exited(rb_cpu_method method);

/* CPU time of a window from two readings, ns. NAN when the window
 * (window_ns, wall clock) is shorter than the counter's resolution, when
 * the counter went backwards, or when a coarse counter (resolution over
 * 1 µs) advanced by less than one step: "too short to see" is not 0. */
double rb_cpu_window_ns(uint64_t before, uint64_t after, uint64_t window_ns,
                        uint64_t resolution_ns);

/* Remove groups left by runs whose process no longer exists (their
 * processes move to the root group). Called by the first cgroup meter. */
void rb_cpu_cgroup_cleanup_stale(void);

/* User + system CPU time of process pid (all its threads, living and
 * exited), nanoseconds, from /proc/PID/stat utime + stime (clock ticks,
 * 10 ms each here). RB_OK, or RB_EIO when the process is gone. */
int rb_proc_cpu_ns(pid_t pid, uint64_t *ns);

/* One clock tick of /proc/PID/stat, ns (10 ms with USER_HZ 100). */
uint64_t rb_cpu_tick_ns(void);

/* This process's CPU time, ns, from CLOCK_PROCESS_CPUTIME_ID (exact, all
 * threads including exited ones). */
uint64_t rb_self_cpu_ns(void);

/* Peak resident set size of pid, KiB (VmHWM of /proc/PID/status).
 * RB_OK or RB_EIO. */
int rb_proc_max_rss_kb(pid_t pid, long *kb);

#endif
