/* machine.h - the state of the machine around a measured round.
 *
 * What can make one round slower than the next without any stack being at
 * fault: a busy neighbour (load average above the run's own threads), a
 * hypervisor taking CPU away (steal time), deep idle states (the cpuidle
 * driver: `haltpoll` makes a blocked round trip cost ~70 µs here) and the
 * frequency governor. Read before and after each round; the interference
 * check flags steal over RB_MACHINE_STEAL_MAX of the CPU time in between,
 * or a 1-minute load average above the threads the run itself keeps busy.
 * The cpuidle driver and the governor are recorded, never flagged.
 */
#ifndef RB_MACHINE_H
#define RB_MACHINE_H

#include <jansson.h>
#include <stdint.h>

#define RB_MACHINE_STEAL_MAX 0.01   /* fraction of CPU time stolen, at most */

typedef struct rb_machine {
    char cpuidle_driver[32];    /* e.g. "haltpoll", "intel_idle"; "" unknown */
    char governor[32];          /* cpufreq governor of cpu0; "" no cpufreq */
    double loadavg[3];          /* 1, 5, 15 minutes; NAN unknown */
    int procs_running;          /* runnable tasks now (/proc/stat), -1 unknown */
    uint64_t total_ticks;       /* all CPU time so far, /proc/stat "cpu" line, ticks */
    uint64_t steal_ticks;       /* of which stolen by the hypervisor */
    int ok;                     /* /proc/stat was read */
} rb_machine;

typedef struct rb_interference {
    double steal_fraction;      /* steal / total between the readings; NAN */
    double loadavg_1m;          /* after the round */
    int own_threads;            /* threads the run keeps busy (clients + servers) */
    int steal_flag, load_flag;
    int flagged;                /* either */
} rb_interference;

/* Read the machine's state now. root: "" for this machine, or a folder
 * holding proc/stat, proc/loadavg and sys/devices/system/cpu/... (tests).
 * Fields that cannot be read stay unknown (see above). Always fills m. */
void rb_machine_read(rb_machine *m, const char *root);

/* Compare two readings around a round; own_threads >= 1. */
void rb_machine_interference(const rb_machine *before, const rb_machine *after,
                             int own_threads, rb_interference *out);

/* {"before": {...}, "after": {...}, "steal_fraction", "loadavg_1m",
 *  "own_threads", "flags": [..], "interference": bool}; new reference. */
json_t *rb_machine_json(const rb_machine *before, const rb_machine *after,
                        const rb_interference *in);

#endif
