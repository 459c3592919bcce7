/* nats.c - the NATS table (nats_broker.h): each call runs the control script
 * nats.sh and reads the broker.env it writes. */
#include "nats/nats_broker.h"

#include "ctl.h"
#include "rb_error.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RB_SOURCE_DIR
#define RB_SOURCE_DIR "."
#endif

static const char *script(void)
{
    const char *p = getenv("RPCBENCH_NATS_SCRIPT");
    return p && *p ? p : RB_SOURCE_DIR "/brokers/nats/nats.sh";
}

/* The pid broker.env held after this process restarted the server; until
 * then the environment's (pids_env). The environment is not rewritten:
 * other threads read it. Used by one thread at a time (the fault's). */
static char fresh_pid[64];

static pid_t node_pid(const rb_broker *b, int node)
{
    return rb_broker_pid_at(fresh_pid[0] ? fresh_pid : getenv(b->pids_env), node);
}

static int up(const rb_broker *b, int timeout_ms, char *err, size_t errlen)
{
    static const char *const args[] = { "start", NULL };
    fprintf(stderr, "rpcbench: starting %s (scripts/broker --broker nats start)\n", b->label);
    if (rb_broker_script(script(), args, timeout_ms, NULL, 0) != 0) {
        snprintf(err, errlen, "%s did not start (scripts/broker --broker nats start failed)",
                 b->label);
        return RB_EIO;
    }
    fresh_pid[0] = '\0';
    return rb_broker_load_env(b, err, errlen);
}

static void down(const rb_broker *b, int timeout_ms)
{
    static const char *const args[] = { "stop", NULL };
    (void)b;
    rb_broker_script(script(), args, timeout_ms, NULL, 0);
}

static int restart(const rb_broker *b, int node, int timeout_ms, char *err, size_t errlen)
{
    static const char *const args[] = { "restart", NULL };
    char path[4096];
    (void)node;   /* one node: the wrapper checked it is 1 */
    if (rb_broker_script(script(), args, timeout_ms, NULL, 0) != 0) {
        snprintf(err, errlen, "scripts/broker --broker nats restart failed: the broker stays down");
        return RB_EIO;
    }
    if (rb_broker_env_path(path, sizeof path) == RB_OK)
        rb_broker_env_get(path, b->pids_env, fresh_pid, sizeof fresh_pid);
    return RB_OK;
}

/* SIGTERM stops nats-server cleanly: it closes every client connection
 * (clients see the broker go) and flushes the JetStream store. */
const rb_broker rb_broker_nats = {
    .name = "nats",
    .label = "NATS (nats-server)",
    .url_env = "RPCBENCH_NATS_URL",
    .pids_env = "RPCBENCH_NATS_PID",
    .hint = "scripts/broker --broker nats start, then source .run/broker.env; "
            "a run naming a NATS transport starts it",
    .nodes = 1,
    .on_demand = 1,
    .stop_signal = SIGTERM,
    .up = up,
    .down = down,
    .restart = restart,
    .pid = node_pid,
    .leader = NULL,   /* one server holds every stream */
};
