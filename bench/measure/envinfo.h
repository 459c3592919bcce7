/* envinfo.h - the environment manifest written beside every result. */
#ifndef RB_ENVINFO_H
#define RB_ENVINFO_H

#include <jansson.h>
#include <stddef.h>

#include "transport.h"

/* A new JSON object (caller owns, json_decref) with cpu, cores, kernel,
 * compiler, git_commit, host, started_utc (the string given), libraries:
 * the Debian package version (dpkg-query) of every package the n
 * transports ts[] list, and of the harness's own, null where a package is
 * not installed; and transports: each one's descriptor (descriptor.h). */
json_t *rb_env_manifest(const char *started_utc, const rb_transport *const *ts, size_t n);

#endif
