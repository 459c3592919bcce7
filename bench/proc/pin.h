/* pin.h - `--pin SERVER_CPUS:CLIENT_CPUS`: where servers and clients run.
 *
 * Crossing vCPUs costs here (loopback RTT ~20 µs across, ~8 µs on one), so
 * a run can place the servers and the client threads on chosen CPUs with
 * sched_setaffinity, and records the placement in its manifest. A CPU list
 * is Linux's cpulist syntax: "0", "0-1", "0,2", "0-1,3".
 */
#ifndef RB_PIN_H
#define RB_PIN_H

#include <sched.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct rb_cpus {
    cpu_set_t set;
    int count;                /* CPUs in set */
    char text[64];            /* the list as given, e.g. "0-1" */
} rb_cpus;

typedef struct rb_pin {
    rb_cpus server, client;
} rb_pin;

/* Parse one CPU list into *out. Every CPU must exist on this machine
 * (< sysconf(_SC_NPROCESSORS_CONF)). RB_OK or RB_EINVAL with a message
 * naming the value in err (errlen bytes). */
int rb_cpus_parse(const char *list, rb_cpus *out, char *err, size_t errlen);

/* Parse "SERVER_CPUS:CLIENT_CPUS" (both lists required). RB_OK or RB_EINVAL
 * with a message that echoes the argument. */
int rb_pin_parse(const char *arg, rb_pin *out, char *err, size_t errlen);

/* sched_setaffinity of one task: tid 0 is the calling thread. Threads
 * created afterwards inherit it. RB_OK or RB_EIO (errno kept). */
int rb_cpus_apply(pid_t tid, const rb_cpus *cpus);

/* Every thread of process pid (each /proc/PID/task entry). RB_OK, or
 * RB_EIO when the process is gone or one thread could not be placed. */
int rb_cpus_apply_process(pid_t pid, const rb_cpus *cpus);

#endif
