/* rabbitmq.c - the RabbitMQ tables (rabbitmq.h): each call runs the
 * control script rabbitmq.sh and reads the broker.env it writes. */
#include "rabbitmq/rabbitmq.h"

#include "ctl.h"
#include "rb_error.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef RB_SOURCE_DIR
#define RB_SOURCE_DIR "."
#endif

#define LEADER_MS 60000   /* rabbitmqctl list_queues on up to 3 nodes */

static const char *script(void)
{
    const char *p = getenv("RPCBENCH_BROKER_SCRIPT");
    return p && *p ? p : RB_SOURCE_DIR "/brokers/rabbitmq/rabbitmq.sh";
}

/* The pids broker.env held after this process restarted a node of a
 * table; until then the environment's (pids_env) hold. The environment is
 * not rewritten: other threads read it. Used by one thread at a time (the
 * fault's). */
static struct {
    const rb_broker *b;
    char pids[256];
} fresh[2];

static char *fresh_of(const rb_broker *b)
{
    for (size_t i = 0; i < sizeof fresh / sizeof fresh[0]; i++)
        if (fresh[i].b == b || !fresh[i].b) {
            fresh[i].b = b;
            return fresh[i].pids;
        }
    return NULL;
}

static pid_t node_pid(const rb_broker *b, int node)
{
    char *f = fresh_of(b);
    return rb_broker_pid_at(f && f[0] ? f : getenv(b->pids_env), node);
}

static int up(const rb_broker *b, int timeout_ms, char *err, size_t errlen)
{
    static const char *const one[] = { "start", NULL };
    static const char *const cluster[] = { "start", "--nodes", "3", NULL };
    fprintf(stderr, "rpcbench: starting %s (scripts/broker start%s)\n", b->label,
            b->nodes > 1 ? " --nodes 3" : "");
    if (rb_broker_script(script(), b->nodes > 1 ? cluster : one, timeout_ms, NULL, 0) != 0) {
        snprintf(err, errlen, "%s did not start (scripts/broker start%s failed)", b->label,
                 b->nodes > 1 ? " --nodes 3" : "");
        return RB_EIO;
    }
    return rb_broker_load_env(b, err, errlen);
}

static void down(const rb_broker *b, int timeout_ms)
{
    static const char *const one[] = { "stop", NULL };
    static const char *const cluster[] = { "stop", "--nodes", "3", NULL };
    rb_broker_script(script(), b->nodes > 1 ? cluster : one, timeout_ms, NULL, 0);
}

static int restart(const rb_broker *b, int node, int timeout_ms, char *err, size_t errlen)
{
    char n[16], path[4096];
    snprintf(n, sizeof n, "%d", node);
    const char *one[] = { "restart", NULL };
    const char *cluster[] = { "restart", "--node", n, NULL };
    if (rb_broker_script(script(), b->nodes > 1 ? cluster : one, timeout_ms, NULL, 0) != 0) {
        snprintf(err, errlen, "scripts/broker restart%s%s failed: the broker stays down",
                 b->nodes > 1 ? " --node " : "", b->nodes > 1 ? n : "");
        return RB_EIO;
    }
    char *f = fresh_of(b);
    if (f && rb_broker_env_path(path, sizeof path) == RB_OK)
        rb_broker_env_get(path, b->pids_env, f, sizeof fresh[0].pids);
    return RB_OK;
}

static int leader(const rb_broker *b, const char *queue, int *node, pid_t *pid,
                  char *err, size_t errlen)
{
    const char *args[] = { "leader", queue, NULL };
    char out[256] = "";
    int which = 0, p = 0;
    if (rb_broker_script(script(), args, LEADER_MS, out, sizeof out) != 0 ||
        sscanf(out, "%d %d", &which, &p) != 2 || which < 1 || which > b->nodes || p <= 0) {
        snprintf(err, errlen, "scripts/broker leader %s: no leader found (%.100s)", queue, out);
        return RB_EIO;
    }
    *node = which;
    *pid = (pid_t)p;
    return RB_OK;
}

/* SIGTERM stops the node's Erlang VM cleanly: it shuts RabbitMQ down,
 * closing every connection with 320 CONNECTION_FORCED. */
const rb_broker rb_broker_rabbitmq = {
    .name = "rabbitmq",
    .label = "RabbitMQ",
    .url_env = "RPCBENCH_AMQP_URL",
    .pids_env = "RPCBENCH_BROKER_PID",
    .hint = "scripts/broker start, then source .run/broker.env",
    .nodes = 1,
    .on_demand = 0,
    .stop_signal = SIGTERM,
    .up = up,
    .down = down,
    .restart = restart,
    .pid = node_pid,
    .leader = NULL,   /* one node leads every queue */
};

const rb_broker rb_broker_rabbitmq_cluster = {
    .name = "rabbitmq-cluster",
    .label = "a 3-node RabbitMQ cluster",
    .url_env = "RPCBENCH_AMQP_CLUSTER_URL",
    .pids_env = "RPCBENCH_CLUSTER_PIDS",
    .hint = "name it in --transports, or add --fault broker-node-kill: the run starts the cluster",
    .nodes = 3,
    .on_demand = 1,
    .stop_signal = SIGTERM,
    .up = up,
    .down = down,
    .restart = restart,
    .pid = node_pid,
    .leader = leader,
};
