/* envinfo.h - the environment manifest written beside every result. */
#ifndef RB_ENVINFO_H
#define RB_ENVINFO_H

#include <jansson.h>

/* A new JSON object (caller owns, json_decref) with cpu, cores, kernel,
 * compiler, git_commit, host, started_utc (the string given) and libraries:
 * the Debian package version of each stack's library (dpkg-query), null
 * where a package is not installed. */
json_t *rb_env_manifest(const char *started_utc);

#endif
