/* ctl.h - what every broker stack's table uses to control its nodes: its
 * control script run with a deadline, and the broker.env file the script
 * writes. Below the stacks (brokers/<name>/) and the interface
 * (broker.h); calls nothing of the harness.
 */
#ifndef RB_BROKER_CTL_H
#define RB_BROKER_CTL_H

#include <stddef.h>
#include <sys/types.h>

#include "broker.h"

/* The path of broker.env: $RPCBENCH_BROKER_DIR/broker.env, else
 * <source tree>/.run/broker.env. Written into out[0..outlen). RB_OK, or
 * RB_ETOOBIG when it does not fit. */
int rb_broker_env_path(char *out, size_t outlen);

/* One line of broker.env, "KEY=VALUE" with or without its newline: when
 * KEY is `key`, VALUE (the newline removed) into val[0..vallen) and 1; 0
 * when the line holds another key or is not KEY=VALUE; RB_ETOOBIG when
 * VALUE does not fit (val is then ""). */
int rb_broker_env_line(const char *line, const char *key, char *val, size_t vallen);

/* The value of `key` in the broker.env at `path` (the last line of that
 * key wins). RB_OK, RB_EIO when the file cannot be read or has no such
 * line, RB_ETOOBIG when the value does not fit. */
int rb_broker_env_get(const char *path, const char *key, char *val, size_t vallen);

/* The pid at position `node` (1..) of a comma-separated list of pids
 * ("4711,4712,4713"), or 0 when list is NULL, the position is missing, or
 * it is not a whole number > 0. */
pid_t rb_broker_pid_at(const char *list, int node);

/* Run the control script `script` with args (NULL-terminated, at most 14),
 * its stdout into out[0..outlen) (NUL-terminated) when out is not NULL,
 * else onto this process's stderr. Waits up to timeout_ms (>= 0), then
 * kills it (SIGKILL) and says so on stderr. Returns its exit status
 * (0..255; 127 when it could not be executed), or -1 when no pipe or
 * process could be had, it was killed at the deadline, or it died of a
 * signal. */
int rb_broker_script(const char *script, const char *const *args, int timeout_ms,
                     char *out, size_t outlen);

/* Put b's url_env and pids_env from broker.env (rb_broker_env_path) into
 * this process's environment (setenv: before any thread starts), for a
 * broker's up() once its control script has started it. RB_OK, or RB_EIO
 * with the reason in err[0..errlen) when either line is missing. */
int rb_broker_load_env(const rb_broker *b, char *err, size_t errlen);

#endif
