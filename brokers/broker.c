/* broker.c - the calls of the broker interface (broker.h): a table's words
 * with NULL meaning "no broker", and the wrappers of its functions. */
#include "broker.h"

#include "rb_error.h"

#include <stdio.h>
#include <stdlib.h>

const char *rb_broker_key(const rb_broker *b)
{
    return b ? b->name : "none";
}

const char *rb_broker_label(const rb_broker *b)
{
    return b ? b->label : NULL;
}

const char *rb_broker_url_env(const rb_broker *b)
{
    return b ? b->url_env : NULL;
}

const char *rb_broker_hint(const rb_broker *b)
{
    return b && b->hint ? b->hint : "set it to the broker's URL";
}

int rb_broker_nodes(const rb_broker *b)
{
    return b ? b->nodes : 0;
}

int rb_broker_wanted(const rb_broker *b)
{
    return b && b->on_demand && b->url_env && !getenv(b->url_env);
}

/* The common checks of the wrappers (node -1: the call takes none):
 * RB_OK, or an error with err set. */
static int usable(const rb_broker *b, int node, int has_fn, char *err, size_t errlen)
{
    if (errlen)
        err[0] = '\0';
    if (!b) {
        snprintf(err, errlen, "no broker (the transport talks to its server directly)");
        return RB_EINVAL;
    }
    if (node != -1 && (node < 1 || node > b->nodes)) {
        snprintf(err, errlen, "%s has no node %d (1..%d)", b->label, node, b->nodes);
        return RB_EINVAL;
    }
    if (!has_fn) {
        snprintf(err, errlen, "%s cannot do that", b->label);
        return RB_EUNSUPP;
    }
    return RB_OK;
}

int rb_broker_up(const rb_broker *b, int timeout_ms, char *err, size_t errlen)
{
    int rc = usable(b, -1, b && b->up, err, errlen);
    return rc ? rc : b->up(b, timeout_ms, err, errlen);
}

void rb_broker_down(const rb_broker *b, int timeout_ms)
{
    if (b && b->down)
        b->down(b, timeout_ms);
}

int rb_broker_restart(const rb_broker *b, int node, int timeout_ms, char *err, size_t errlen)
{
    int rc = usable(b, node < 1 ? 0 : node, b && b->restart, err, errlen);
    return rc ? rc : b->restart(b, node, timeout_ms, err, errlen);
}

int rb_broker_leader(const rb_broker *b, const char *queue, int *node, pid_t *pid,
                     char *err, size_t errlen)
{
    int rc = usable(b, -1, b && b->leader, err, errlen);
    if (rc == RB_OK && !queue) {
        snprintf(err, errlen, "which queue's leader? (none given)");
        rc = RB_EINVAL;
    }
    return rc ? rc : b->leader(b, queue, node, pid, err, errlen);
}

pid_t rb_broker_node_pid(const rb_broker *b, int node)
{
    if (!b || !b->pid || node < 1 || node > b->nodes)
        return 0;
    return b->pid(b, node);
}
