/* pacer.h - sending an open-loop call at its due time, punctually.
 *
 * A generator that sleeps until a call is due wakes late on its own: the
 * kernel's timer slack (50 µs by default for a thread), the scheduler, and
 * on a VM a vCPU that idled and must be woken by the hypervisor (measured
 * here: clock_nanosleep to an absolute time ~100 µs late at the median, up
 * to milliseconds at p99). Counted from the intended send time, that
 * oversleep would be charged to the stack under test. The pacer
 *   - sets the thread's timer slack to 1 ns (PR_SET_TIMERSLACK), and
 *   - sleeps (clock_nanosleep, TIMER_ABSTIME) only until spin_ns before the
 *     due time, then spins on CLOCK_MONOTONIC for the rest,
 * as Lancet's generator does on its own cores. Spinning burns the
 * generator's CPU: worthwhile where the generator has a CPU of its own
 * (`--pin`), harmful where it shares one with the server, so the caller
 * chooses spin_ns (0: sleep only). The CPU time spent spinning is counted
 * (spin_cpu_ns) so that the client's CPU per call can leave it out.
 *
 * Whatever the pacer manages, the generator's lateness on each call is
 * measured (schedule.h, rb_open_call) and reported on its own.
 *
 * A pacer is used by one thread; plain value, nothing to free. */
#ifndef RB_PACER_H
#define RB_PACER_H

#include <stdint.h>

/* Spin margin where the generator has its own CPU: covers this VM's usual
 * wake-up lateness (p50 ~50-100 µs with 1 ns slack) with room. */
#define RB_PACER_SPIN_PINNED_NS 200000ull

typedef struct rb_pacer {
    uint64_t spin_ns;          /* spin this long before a due time, ns; 0: none */
    uint64_t spin_cpu_ns;      /* this thread's CPU time spent spinning so far, ns */
} rb_pacer;

/* Set up a pacer for the calling thread with a spin margin of spin_ns
 * (0 .. 10 ms; larger is clamped) and lower the thread's timer slack to
 * 1 ns. Returns RB_OK (a failure to set the slack is not an error: the
 * lateness shows in the measured lag). */
int rb_pacer_init(rb_pacer *p, uint64_t spin_ns);

/* Return when CLOCK_MONOTONIC reaches due_ns (at once when it already has).
 * Long waits wake every 100 ms to look at *stop (NULL: never stop).
 * Returns RB_OK, RB_EINTR when *stop became non-zero, or RB_EIO when
 * clock_nanosleep fails. */
int rb_pacer_wait(rb_pacer *p, uint64_t due_ns, const volatile int *stop);

#endif
