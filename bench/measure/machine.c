/* machine.c - the state of the machine around a round (machine.h). */
#include "measure/machine.h"

#include "measure/procstat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void read_word(const char *root, const char *path, char *out, size_t len)
{
    char p[512];
    snprintf(p, sizeof p, "%s%s", root, path);
    out[0] = '\0';
    FILE *f = fopen(p, "r");
    if (!f)
        return;
    if (fgets(out, (int)len, f))
        out[strcspn(out, " \n")] = '\0';
    fclose(f);
}

static void read_stat(const char *root, rb_machine *m)
{
    char p[512], line[512];
    snprintf(p, sizeof p, "%s/proc/stat", root);
    FILE *f = fopen(p, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        unsigned long long v[8] = { 0 };
        int d;
        if (strncmp(line, "cpu ", 4) == 0 &&
            sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                   &v[3], &v[4], &v[5], &v[6], &v[7]) >= 4) {
            /* user nice system idle iowait irq softirq steal; guest time is
             * already inside user. */
            m->total_ticks = 0;
            for (int i = 0; i < 8; i++)
                m->total_ticks += v[i];
            m->steal_ticks = v[7];
            m->busy_ticks = v[0] + v[1] + v[2] + v[5] + v[6];
            m->ok = 1;
        } else if (strncmp(line, "cpu", 3) == 0 && line[3] >= '0' && line[3] <= '9') {
            m->ncpu++;
        } else if (sscanf(line, "procs_running %d", &d) == 1) {
            m->procs_running = d;
        }
    }
    fclose(f);
}

void rb_machine_read(rb_machine *m, const char *root)
{
    memset(m, 0, sizeof *m);
    m->loadavg[0] = m->loadavg[1] = m->loadavg[2] = NAN;
    m->procs_running = -1;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    m->mono_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
    read_word(root, "/sys/devices/system/cpu/cpuidle/current_driver", m->cpuidle_driver,
              sizeof m->cpuidle_driver);
    read_word(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", m->governor,
              sizeof m->governor);
    char p[512];
    snprintf(p, sizeof p, "%s/proc/loadavg", root);
    FILE *f = fopen(p, "r");
    if (f) {
        double a, b, c;
        if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3) {
            m->loadavg[0] = a;
            m->loadavg[1] = b;
            m->loadavg[2] = c;
        }
        fclose(f);
    }
    read_stat(root, m);
}

void rb_machine_interference(const rb_machine *before, const rb_machine *after,
                             double own_cpu_ns, rb_interference *out)
{
    memset(out, 0, sizeof *out);
    out->steal_fraction = NAN;
    out->others_fraction = NAN;
    out->own_cpu_ns = own_cpu_ns;
    int stat_ok = before->ok && after->ok && after->total_ticks > before->total_ticks &&
                  after->steal_ticks >= before->steal_ticks &&
                  after->busy_ticks >= before->busy_ticks;
    if (stat_ok)
        out->steal_fraction = (double)(after->steal_ticks - before->steal_ticks) /
                              (double)(after->total_ticks - before->total_ticks);
    out->loadavg_1m = after->loadavg[0];
    if (stat_ok && !isnan(own_cpu_ns) && after->ncpu > 0 && after->mono_ns > before->mono_ns) {
        double tick = (double)rb_cpu_tick_ns();
        double others = (double)(after->busy_ticks - before->busy_ticks) * tick - own_cpu_ns;
        if (others < 0)
            others = 0;   /* tick accounting lags the ns-exact own figure */
        out->others_fraction = others / ((double)(after->mono_ns - before->mono_ns) * after->ncpu);
        out->others_flag = out->others_fraction > RB_MACHINE_OTHERS_MAX &&
                           others > RB_MACHINE_OTHERS_MIN_TICKS * tick;
    }
    out->steal_flag = !isnan(out->steal_fraction) && out->steal_fraction > RB_MACHINE_STEAL_MAX;
    out->flagged = out->steal_flag || out->others_flag;
}
