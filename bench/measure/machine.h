/* machine.h - the state of the machine around a measured round.
 *
 * What can make one round slower than the next without any stack being at
 * fault: a busy neighbour, a hypervisor taking CPU away (steal time), deep
 * idle states (the cpuidle driver: `haltpoll` makes a blocked round trip
 * cost ~70 µs here) and the frequency governor. Read before and after each
 * round; the interference check flags
 *  - steal over RB_MACHINE_STEAL_MAX of the CPU time in between;
 *  - others' CPU: the machine's busy CPU time in between (/proc/stat, all
 *    CPUs, clock ticks) minus what the run's own processes used in the
 *    same interval (the client process, its server, the broker), over
 *    RB_MACHINE_OTHERS_MAX of the interval's CPU capacity (wall time x
 *    online CPUs) and over RB_MACHINE_OTHERS_MIN_TICKS ticks (the
 *    accounting's resolution). "Others" includes kernel threads working
 *    for the run (ksoftirqd under loopback load, the journal flushing a
 *    durable queue's writes: 5-8 % of this 2-CPU machine in a quiet
 *    default run), hence 10 %; a neighbour spinning on one CPU is 50 %.
 * The load average is recorded, never flagged: its 1-minute average still
 * holds the run's own previous scenarios (4 clients, their servers and the
 * broker), so it flagged every 1-client round after a 4-client one. The
 * cpuidle driver and the governor are recorded, never flagged.
 */
#ifndef RB_MACHINE_H
#define RB_MACHINE_H

#include <stdint.h>

#define RB_MACHINE_STEAL_MAX 0.01   /* fraction of CPU time stolen, at most */
#define RB_MACHINE_OTHERS_MAX 0.10  /* others' share of the CPU capacity, at most */
#define RB_MACHINE_OTHERS_MIN_TICKS 5

typedef struct rb_machine {
    char cpuidle_driver[32];    /* e.g. "haltpoll", "intel_idle"; "" unknown */
    char governor[32];          /* cpufreq governor of cpu0; "" no cpufreq */
    double loadavg[3];          /* 1, 5, 15 minutes; NAN unknown */
    int procs_running;          /* runnable tasks now (/proc/stat), -1 unknown */
    uint64_t total_ticks;       /* all CPU time so far, /proc/stat "cpu" line, ticks */
    uint64_t steal_ticks;       /* of which stolen by the hypervisor */
    uint64_t busy_ticks;        /* of which busy: not idle, iowait or steal */
    int ncpu;                   /* CPUs in /proc/stat ("cpuN" lines) */
    uint64_t mono_ns;           /* CLOCK_MONOTONIC at the reading */
    int ok;                     /* /proc/stat was read */
} rb_machine;

typedef struct rb_interference {
    double steal_fraction;      /* steal / total between the readings; NAN */
    double loadavg_1m;          /* after the round (recorded only) */
    double own_cpu_ns;          /* the run's own processes' CPU in between; NAN unknown */
    double others_fraction;     /* others' CPU / (wall time x CPUs); NAN unknown */
    int steal_flag, others_flag;
    int flagged;                /* either */
} rb_interference;

/* Read the machine's state now. root: "" for this machine, or a folder
 * holding proc/stat, proc/loadavg and sys/devices/system/cpu/... (tests).
 * Fields that cannot be read stay unknown (see above). Always fills m. */
void rb_machine_read(rb_machine *m, const char *root);

/* Compare two readings around a round. own_cpu_ns: the CPU time the run's
 * own processes used between the two readings, ns (NAN when unknown, e.g.
 * a server that is not ours: then others' CPU is unknown, never flagged). */
void rb_machine_interference(const rb_machine *before, const rb_machine *after,
                             double own_cpu_ns, rb_interference *out);

#endif
