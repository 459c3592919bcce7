/* pacer.c - sleep, then spin, to a due time (pacer.h). */
#include "load/pacer.h"
#include "rb_error.h"

#include <errno.h>
#include <sys/prctl.h>
#include <time.h>

static uint64_t mono_ns(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int rb_pacer_init(rb_pacer *p, uint64_t spin_ns)
{
    p->spin_ns = spin_ns > 10000000ull ? 10000000ull : spin_ns;
    p->spin_cpu_ns = 0;
    (void)prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    return RB_OK;
}

/* Sleep until abs_ns, waking every 100 ms to look at *stop. */
static int sleep_until(uint64_t abs_ns, const volatile int *stop)
{
    for (;;) {
        if (stop && *stop)
            return RB_EINTR;
        uint64_t n = mono_ns(CLOCK_MONOTONIC);
        if (n >= abs_ns)
            return RB_OK;
        uint64_t until = abs_ns - n > 100000000ull ? n + 100000000ull : abs_ns;
        struct timespec ts = { .tv_sec = (time_t)(until / 1000000000ull),
                               .tv_nsec = (long)(until % 1000000000ull) };
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        if (rc && rc != EINTR)
            return RB_EIO;
    }
}

int rb_pacer_wait(rb_pacer *p, uint64_t due_ns, const volatile int *stop)
{
    uint64_t now = mono_ns(CLOCK_MONOTONIC);
    if (now >= due_ns)
        return stop && *stop ? RB_EINTR : RB_OK;
    if (due_ns - now > p->spin_ns) {
        int rc = sleep_until(due_ns - p->spin_ns, stop);
        if (rc)
            return rc;
    }
    if (p->spin_ns == 0)
        return sleep_until(due_ns, stop);
    uint64_t cpu0 = mono_ns(CLOCK_THREAD_CPUTIME_ID);
    while (mono_ns(CLOCK_MONOTONIC) < due_ns)
        if (stop && *stop)
            break;
    p->spin_cpu_ns += mono_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    return stop && *stop ? RB_EINTR : RB_OK;
}
