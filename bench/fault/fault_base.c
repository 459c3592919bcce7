/* fault_base.c - the pieces every fault shares (fault_base.h). */
#include "fault/fault_base.h"

#include "rb_error.h"
#include "transport.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

volatile sig_atomic_t rb_fault_aborted;

int rb_fault_err(rb_fault_times *tm, int rc, const char *fmt, ...)
{
    if (tm->rc == RB_OK && rc != RB_OK) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(tm->err, sizeof tm->err, fmt, ap);
        va_end(ap);
        tm->rc = rc;
    }
    return rc;
}

void rb_fault_abort(void)
{
    rb_fault_aborted = 1;
}

void rb_fault_rearm(void)
{
    rb_fault_aborted = 0;
}

int rb_fault_sleep_ms(int64_t ms)
{
    uint64_t end = rb_now_ns() + (uint64_t)(ms > 0 ? ms : 0) * 1000000ull;
    for (;;) {
        if (rb_fault_aborted)
            return RB_EINTR;
        uint64_t now = rb_now_ns();
        if (now >= end)
            return RB_OK;
        uint64_t left = end - now;
        struct timespec ts = { 0, (long)(left < 10000000ull ? left : 10000000ull) };
        nanosleep(&ts, NULL);
    }
}

static int gone(pid_t pid)
{
    int st;
    pid_t w = waitpid(pid, &st, WNOHANG);
    if (w == pid || (w < 0 && errno == ECHILD && kill(pid, 0) < 0 && errno == ESRCH))
        return 1;
    return 0;
}

int rb_fault_kill(pid_t pid, int sig, int wait_ms)
{
    if (pid <= 0)
        return RB_EINVAL;
    if (kill(pid, sig) < 0)
        return RB_EIO;
    uint64_t end = rb_now_ns() + (uint64_t)wait_ms * 1000000ull;
    do {
        if (gone(pid))
            return RB_OK;
        struct timespec ts = { 0, 2000000 };
        nanosleep(&ts, NULL);
    } while (rb_now_ns() < end);
    return gone(pid) ? RB_OK : RB_ETIMEDOUT;
}

int rb_fault_has_netadmin(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long caps = 0;
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "CapEff: %llx", &caps) == 1)
            break;
    fclose(f);
    return (caps >> 12) & 1;   /* CAP_NET_ADMIN */
}
