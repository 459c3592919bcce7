/* run_cfg.h - what `rpcbench run` was asked to do: the run's options,
 * filled by the command line (cli/run_args.h), read by the run (run.h,
 * round.h, slo_run.h). */
#ifndef RB_RUN_CFG_H
#define RB_RUN_CFG_H

#include <stdint.h>

#include "fault/fault.h"
#include "load/schedule.h"
#include "load/slo.h"
#include "measure/timeline.h"
#include "proc/pin.h"
#include "results/model.h"
#include "rb_service.h"
#include "transport.h"

/* Most transports, concurrency or entries values in one run. */
#define RB_RUN_MAX 32

typedef struct rb_run_cfg {
    const rb_transport *ts[RB_RUN_MAX];
    const char *connect[RB_RUN_MAX]; /* --connect override per transport, or NULL */
    int nt;
    rb_method methods[RB_M__COUNT];
    int nm;
    long long calls;                 /* total per scenario and round; 0: use duration */
    double duration_s;               /* seconds per scenario and round */
    int warmup;                      /* untimed calls per thread */
    int conc[RB_RUN_MAX];            /* client threads */
    int nc;
    long entries[RB_RUN_MAX];        /* getObj/sendObj entries */
    int ne;
    int rounds;
    int timeout_ms;                  /* deadline of every call, ms */
    int fib_n;                       /* fib's argument, 0..RB_FIB_MAX */
    const char *out;                 /* results folder */
    int progress;                    /* stderr is a terminal */
    rb_fault_spec faults[RB_FAULT__COUNT]; /* --fault, each a scenario dimension */
    const char *fault_args[RB_FAULT__COUNT]; /* as given */
    int nf;                          /* 0: no fault */
    int methods_given;               /* --methods was on the command line */
    int pinned;                      /* --pin given */
    rb_pin pin;                      /* server and client CPUs (pin.h) */
    /* open loop (schedule.h), the SLO search (slo_run.h), server work */
    double rates[RB_RUN_MAX];        /* --rate: calls/s offered; none: closed loop */
    int nrates;
    rb_arrivals arrivals;            /* poisson (default) or uniform */
    uint64_t seed;                   /* the schedule's seed */
    int slo_set;                     /* --slo given */
    rb_slo_spec slo;
    const char *slo_arg;             /* as given, for the parameters */
    rb_method slo_methods[RB_M__COUNT]; /* searched methods (default: methods) */
    int nslo_m;
    double slo_step_s;               /* seconds per search step */
    int timeline_ms;                 /* timeline interval */
    int work_us;                     /* --work-us for the started servers */
    int work_sleep;                  /* --work sleep */
} rb_run_cfg;

/* Whether fault f applies to transport i of cfg (a broker fault to a
 * transport through that broker, a server fault to a server rpcbench
 * starts); when not, *why says what it needs (a static string). */
int rb_run_fault_applies(const rb_run_cfg *cfg, const rb_fault_spec *f, int i, const char **why);

/* The results model's record of cfg's options (results.json's
 * environment.parameters) into *p; its strings are borrowed from cfg. */
void rb_run_params(const rb_run_cfg *cfg, rb_params *p);

#endif
