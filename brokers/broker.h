/* broker.h - the one interface bench/ uses for a message broker.
 *
 * A transport whose requests go through a broker names it in its table
 * (rb_transport.broker, transports/transport.h): a pointer to one of the
 * rb_broker tables below, NULL for a transport that talks to its server
 * directly. Everything bench/ knows about a broker comes through this
 * header: its name (results.json's key), the words the report and the
 * errors print, the environment variable holding its URL, how a node is
 * stopped, killed and started again, its nodes and their processes (for
 * their CPU time and the broker faults), the node that leads a queue, and
 * how a run starts the broker it needs (the cluster, on demand).
 *
 * Each broker stack lives in brokers/<name>/ (brokers/README.md) and
 * defines its const rb_broker tables with designated initializers; the
 * registry (rb_brokers, rb_broker_find) lists them. Callers use the rb_broker_*
 * functions, never a table's function pointers.
 *
 * A broker runs as one or more node processes on this machine, started by
 * its control script (scripts/broker for the user). The script writes the
 * broker's variables (url_env, pids_env, KEY=VALUE lines) to broker.env in
 * RPCBENCH_BROKER_DIR (default: <source tree>/.run).
 */
#ifndef RB_BROKER_H
#define RB_BROKER_H

#include <stddef.h>
#include <sys/types.h>

typedef struct rb_broker rb_broker;

struct rb_broker {
    const char *name;      /* registry and results.json key ("broker"),
                              lower case, unique */
    const char *label;     /* what the report says a transport needs, a noun
                              phrase */
    const char *url_env;   /* the environment variable holding the URL (a
                              cluster's: one URL per node, comma-separated) */
    const char *pids_env;  /* the environment variable holding the pid of
                              each node's process, comma-separated, node 1
                              first */
    const char *hint;      /* how a user gets url_env set, for a message;
                              NULL: a neutral text */
    int nodes;             /* node processes, >= 1; > 1 is a cluster (the
                              faults that kill one node need one) */
    int on_demand;         /* 1: a run that needs it and finds url_env unset
                              starts it (rb_broker_up) and stops it after
                              (rb_broker_down); 0: the user starts it */
    int stop_signal;       /* the signal that stops a node cleanly (its
                              clients see the broker close their
                              connections), e.g. SIGTERM */

    /* Start the broker (every node), waiting up to timeout_ms, and put
     * url_env and pids_env from broker.env into this process's environment
     * (setenv: call before any thread starts). RB_OK, or RB_EIO with the
     * reason in err[0..errlen). */
    int (*up)(const rb_broker *b, int timeout_ms, char *err, size_t errlen);

    /* Stop what up started (every node), waiting up to timeout_ms. */
    void (*down)(const rb_broker *b, int timeout_ms);

    /* Start node `node` (1..nodes) again after it was stopped or killed,
     * waiting up to timeout_ms; its pid changes (b->pid gives the new one).
     * RB_OK, or RB_EIO with the reason in err. */
    int (*restart)(const rb_broker *b, int node, int timeout_ms, char *err, size_t errlen);

    /* The pid of node `node` (1..nodes) now, or 0 when unknown. */
    pid_t (*pid)(const rb_broker *b, int node);

    /* The node (1..nodes) that leads queue `queue` and its pid, asked of
     * the broker (seconds). RB_OK, or RB_EIO with the reason in err. May be
     * NULL: the broker has no leaders (rb_broker_leader says RB_EUNSUPP). */
    int (*leader)(const rb_broker *b, const char *queue, int *node, pid_t *pid,
                  char *err, size_t errlen);
};

/* ---- the registry ------------------------------------------------------------- */

/* Every broker this build knows, NULL-terminated: generated from the tables
 * of brokers/<name>/<name>.c (brokers/CMakeLists.txt). */
extern const rb_broker *const rb_brokers[];

/* The broker named `name` (rb_broker.name, exact), or NULL for NULL, "none"
 * or a name no table has. */
const rb_broker *rb_broker_find(const char *name);

/* ---- what bench/ asks of a broker (b may be NULL: no broker) ------------------ */

/* b->name; "none" for NULL (results.json's "broker" of a direct transport).
 * Never NULL. */
const char *rb_broker_key(const rb_broker *b);

/* b->label; NULL for NULL. */
const char *rb_broker_label(const rb_broker *b);

/* b->url_env; NULL for NULL. */
const char *rb_broker_url_env(const rb_broker *b);

/* b->hint, else a neutral text ("set it to the broker's URL"). Never NULL. */
const char *rb_broker_hint(const rb_broker *b);

/* b->nodes; 0 for NULL. */
int rb_broker_nodes(const rb_broker *b);

/* 1 when b is on demand and its URL variable is unset (a run must start it). */
int rb_broker_wanted(const rb_broker *b);

/* The wrappers of the table's functions: RB_EINVAL for NULL b or a node
 * outside 1..nodes, RB_EUNSUPP when b lacks the function; else its result
 * (see rb_broker). err is always a C string afterwards (errlen >= 1). */
int rb_broker_up(const rb_broker *b, int timeout_ms, char *err, size_t errlen);
void rb_broker_down(const rb_broker *b, int timeout_ms);
int rb_broker_restart(const rb_broker *b, int node, int timeout_ms, char *err, size_t errlen);
int rb_broker_leader(const rb_broker *b, const char *queue, int *node, pid_t *pid,
                     char *err, size_t errlen);

/* The pid of node `node` (1..nodes) of b, or 0 (NULL b, no such node, or
 * unknown). */
pid_t rb_broker_node_pid(const rb_broker *b, int node);

#endif
