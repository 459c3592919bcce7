/* envinfo.h - the environment manifest written beside every result: the
 * machine, the build and the libraries a run had, as typed data (the
 * results writer, results/results.h, writes it as results.json's
 * "environment"). */
#ifndef RB_ENVINFO_H
#define RB_ENVINFO_H

#include <stddef.h>

#include "transport.h"

/* More libraries than every package of every transport of one run lists. */
#define RB_ENV_MAX_LIBS 200

/* One library of the manifest: its Debian package's version. */
typedef struct rb_env_library {
    const char *name;          /* the library (rb_package.library, static) */
    char version[128];         /* dpkg-query's version */
    int installed;             /* 0: the package is not installed (null) */
} rb_env_library;

/* The manifest. A has_ flag 0 means the figure could not be read (null). */
typedef struct rb_manifest {
    char cpu[256];             /* /proc/cpuinfo's first model name */
    int has_cpu;
    long cores;                /* online CPUs */
    char kernel[600];          /* "sysname release machine" */
    int has_kernel;
    const char *compiler;      /* "gcc VERSION", static */
    char git_commit[128];      /* git describe of the source tree */
    int has_git_commit;
    char host[256];
    const char *started_utc;   /* borrowed */
    rb_env_library libs[RB_ENV_MAX_LIBS]; /* each library once, in the order
                                  the transports list them, the harness's own
                                  (jansson) last */
    size_t nlibs;
    const rb_transport *const *ts; /* the run's transports (borrowed): their
                                  descriptors go into "transports" */
    size_t nts;
} rb_manifest;

/* Fill *m (about 60 KiB: allocate it) for the n transports ts[] (borrowed,
 * as is started_utc, the run's start as text): the machine, the compiler,
 * the source tree's commit, and the Debian package version (dpkg-query) of
 * every package the transports list and of the harness's own. Libraries
 * beyond RB_ENV_MAX_LIBS are left out. */
void rb_env_manifest(rb_manifest *m, const char *started_utc, const rb_transport *const *ts,
                     size_t n);

#endif
