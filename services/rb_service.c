#include "rb_service.h"
#include "rb_error.h"
#include "rb_journal.h"

#include <string.h>
#include <time.h>

static const char *const method_names[RB_M__COUNT] = {
    RB_METHOD_FIB, RB_METHOD_GET_OBJ, RB_METHOD_SEND_OBJ,
};

const char *rb_method_name(rb_method m)
{
    return (unsigned)m < RB_M__COUNT ? method_names[m] : "?";
}

int rb_method_from_name(const char *name, size_t len)
{
    for (int m = 0; m < RB_M__COUNT; m++)
        if (strlen(method_names[m]) == len && memcmp(method_names[m], name, len) == 0)
            return m;
    return -1;
}

int rb_fib(int64_t n, int64_t *out)
{
    if (n < 0 || n > RB_FIB_MAX)
        return RB_EINVAL;
    /* Unsigned: on the last step b reaches F(n+1), which for n = 92 no
     * longer fits int64 (signed overflow would be undefined). */
    uint64_t a = 0, b = 1;
    for (int64_t i = 0; i < n; i++) {
        uint64_t t = a + b;
        a = b;
        b = t;
    }
    *out = (int64_t)a;
    return RB_OK;
}

int rb_service_get_obj(size_t entries, rb_obj *out)
{
    return rb_obj_fill(out, "server", entries);
}

int rb_service_send_obj(const rb_obj *obj, int64_t *ack)
{
    rb_journal_note(obj);   /* fault runs only: see rb_journal.h */
    *ack = (int64_t)obj->count;
    return RB_OK;
}

static uint64_t work_us;   /* set before serving starts, read-only after */
static int work_sleep;

void rb_service_set_work(uint64_t us, int sleep)
{
    work_us = us;
    work_sleep = sleep;
}

uint64_t rb_service_work_us(void)
{
    return work_us;
}

static uint64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void rb_service_work(void)
{
    if (!work_us)
        return;
    if (work_sleep) {
        struct timespec ts = { .tv_sec = (time_t)(work_us / 1000000),
                               .tv_nsec = (long)(work_us % 1000000) * 1000 };
        while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) != 0)
            ;
        return;
    }
    /* Busy: the thread's own CPU time, so a descheduled server thread still
     * does all its work (as a real handler would), not just wait it out. */
    uint64_t end = clock_ns(CLOCK_THREAD_CPUTIME_ID) + work_us * 1000ull;
    while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < end)
        ;
}
