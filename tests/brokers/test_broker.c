/* The broker interface: the registry finds each table by its name, the
 * tables say what bench/ needs, broker.env lines and pid lists parse, and
 * up, restart, leader and the pids go through the control script
 * ($RPCBENCH_BROKER_SCRIPT: a stand-in written here, so no broker runs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker.h"
#include "ctl.h"
#include "rb_error.h"

static char dir[64];

static void write_file(const char *name, const char *text, int mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, (mode_t)mode);
}

static void read_file(const char *name, char *buf, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, len - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
}

static void registry(void **state)
{
    (void)state;
    const rb_broker *one = rb_broker_find("rabbitmq");
    const rb_broker *three = rb_broker_find("rabbitmq-cluster");
    assert_non_null(one);
    assert_non_null(three);
    assert_string_equal(one->url_env, "RPCBENCH_AMQP_URL");
    assert_string_equal(one->pids_env, "RPCBENCH_BROKER_PID");
    assert_int_equal(one->nodes, 1);
    assert_int_equal(one->on_demand, 0);
    assert_string_equal(three->url_env, "RPCBENCH_AMQP_CLUSTER_URL");
    assert_string_equal(three->pids_env, "RPCBENCH_CLUSTER_PIDS");
    assert_int_equal(three->nodes, 3);
    assert_int_equal(three->on_demand, 1);
    /* results.json's keys of old runs still read */
    assert_string_equal(rb_broker_key(one), "rabbitmq");
    assert_string_equal(rb_broker_key(three), "rabbitmq-cluster");
    assert_string_equal(rb_broker_label(one), "RabbitMQ");
    assert_string_equal(rb_broker_label(three), "a 3-node RabbitMQ cluster");
    assert_null(rb_broker_find("none"));
    assert_null(rb_broker_find("rabbit"));
    assert_null(rb_broker_find("RabbitMQ"));
    assert_null(rb_broker_find(NULL));
    /* The registry is generated from the brokers/<name>/ folders: each
     * RabbitMQ table is in it exactly once, whatever other stacks add. */
    int n = 0, seen_one = 0, seen_three = 0;
    for (const rb_broker *const *p = rb_brokers; *p; p++, n++) {
        seen_one += *p == one;
        seen_three += *p == three;
        assert_ptr_equal(rb_broker_find((*p)->name), *p);   /* names unique */
        assert_non_null((*p)->label);
        assert_non_null((*p)->url_env);
        assert_non_null((*p)->pids_env);
        assert_true((*p)->nodes >= 1);
        assert_true((*p)->stop_signal > 0);
        assert_non_null((*p)->restart);
        assert_non_null((*p)->pid);
        assert_true((*p)->nodes == 1 || (*p)->leader);   /* a cluster names its leaders */
    }
    assert_int_equal(seen_one, 1);
    assert_int_equal(seen_three, 1);
    assert_true(n >= 2);
}

/* No broker: the words of a direct transport, and every call refused. */
static void no_broker(void **state)
{
    (void)state;
    char err[128];
    int node = 0;
    pid_t pid = 0;
    assert_string_equal(rb_broker_key(NULL), "none");
    assert_null(rb_broker_label(NULL));
    assert_null(rb_broker_url_env(NULL));
    assert_string_equal(rb_broker_hint(NULL), "set it to the broker's URL");
    assert_int_equal(rb_broker_nodes(NULL), 0);
    assert_int_equal(rb_broker_wanted(NULL), 0);
    assert_int_equal(rb_broker_node_pid(NULL, 1), 0);
    assert_int_equal(rb_broker_up(NULL, 1000, err, sizeof err), RB_EINVAL);
    assert_true(strstr(err, "no broker") != NULL);
    assert_int_equal(rb_broker_restart(NULL, 1, 1000, err, sizeof err), RB_EINVAL);
    assert_int_equal(rb_broker_leader(NULL, "q", &node, &pid, err, sizeof err), RB_EINVAL);
    rb_broker_down(NULL, 1000);   /* nothing to stop, no crash */
}

static void wanted_and_nodes(void **state)
{
    (void)state;
    const rb_broker *one = rb_broker_find("rabbitmq");
    const rb_broker *three = rb_broker_find("rabbitmq-cluster");
    char err[128];
    int node = 0;
    pid_t pid = 0;
    unsetenv("RPCBENCH_AMQP_CLUSTER_URL");
    unsetenv("RPCBENCH_AMQP_URL");
    assert_int_equal(rb_broker_wanted(three), 1);
    assert_int_equal(rb_broker_wanted(one), 0);   /* the user starts it */
    setenv("RPCBENCH_AMQP_CLUSTER_URL", "amqp://x", 1);
    assert_int_equal(rb_broker_wanted(three), 0); /* running already */
    unsetenv("RPCBENCH_AMQP_CLUSTER_URL");
    assert_int_equal(rb_broker_restart(three, 4, 1000, err, sizeof err), RB_EINVAL);
    assert_true(strstr(err, "no node 4") != NULL);
    assert_int_equal(rb_broker_restart(one, 0, 1000, err, sizeof err), RB_EINVAL);
    assert_int_equal(rb_broker_leader(one, "q", &node, &pid, err, sizeof err), RB_EUNSUPP);
    assert_int_equal(rb_broker_leader(three, NULL, &node, &pid, err, sizeof err), RB_EINVAL);
    setenv("RPCBENCH_CLUSTER_PIDS", "101,102,103", 1);
    assert_int_equal(rb_broker_node_pid(three, 1), 101);
    assert_int_equal(rb_broker_node_pid(three, 3), 103);
    assert_int_equal(rb_broker_node_pid(three, 0), 0);
    assert_int_equal(rb_broker_node_pid(three, 4), 0);
    setenv("RPCBENCH_BROKER_PID", "4242", 1);
    assert_int_equal(rb_broker_node_pid(one, 1), 4242);
    assert_int_equal(rb_broker_node_pid(one, 2), 0);
}

static void env_lines(void **state)
{
    (void)state;
    char v[16];
    assert_int_equal(rb_broker_env_line("RPCBENCH_BROKER_PID=4711\n", "RPCBENCH_BROKER_PID", v, sizeof v), 1);
    assert_string_equal(v, "4711");
    assert_int_equal(rb_broker_env_line("K=a=b\r\n", "K", v, sizeof v), 1);
    assert_string_equal(v, "a=b");
    assert_int_equal(rb_broker_env_line("K=", "K", v, sizeof v), 1);
    assert_string_equal(v, "");
    /* a key that only starts like another is not it, either way round */
    assert_int_equal(rb_broker_env_line("RPCBENCH_AMQP_URL_X=1", "RPCBENCH_AMQP_URL", v, sizeof v), 0);
    assert_int_equal(rb_broker_env_line("RPCBENCH_AMQP_URL=1", "RPCBENCH_AMQP", v, sizeof v), 0);
    assert_int_equal(rb_broker_env_line("K 1", "K", v, sizeof v), 0);
    assert_int_equal(rb_broker_env_line("K=0123456789abcdef", "K", v, sizeof v), RB_ETOOBIG);
    assert_string_equal(v, "");
}

static void env_file_and_pids(void **state)
{
    (void)state;
    char path[256], want[128], v[64];
    setenv("RPCBENCH_BROKER_DIR", dir, 1);
    assert_int_equal(rb_broker_env_path(path, sizeof path), RB_OK);
    snprintf(want, sizeof want, "%s/broker.env", dir);
    assert_string_equal(path, want);
    assert_int_equal(rb_broker_env_path(v, 8), RB_ETOOBIG);
    write_file("broker.env", "A=1\nB=two\nA=3\n", 0600);
    assert_int_equal(rb_broker_env_get(path, "A", v, sizeof v), RB_OK);
    assert_string_equal(v, "3");   /* the last line of a key wins */
    assert_int_equal(rb_broker_env_get(path, "B", v, sizeof v), RB_OK);
    assert_string_equal(v, "two");
    assert_int_equal(rb_broker_env_get(path, "C", v, sizeof v), RB_EIO);
    assert_int_equal(rb_broker_env_get(path, "B", v, 3), RB_ETOOBIG);
    assert_int_equal(rb_broker_env_get("/nonexistent/broker.env", "A", v, sizeof v), RB_EIO);
    assert_int_equal(rb_broker_pid_at("11,22,33", 1), 11);
    assert_int_equal(rb_broker_pid_at("11,22,33", 2), 22);
    assert_int_equal(rb_broker_pid_at("11,22,33", 3), 33);
    assert_int_equal(rb_broker_pid_at("11,22,33", 4), 0);
    assert_int_equal(rb_broker_pid_at("11,x,33", 2), 0);
    assert_int_equal(rb_broker_pid_at("12abc", 1), 0);
    assert_int_equal(rb_broker_pid_at("-5", 1), 0);
    assert_int_equal(rb_broker_pid_at("", 1), 0);
    assert_int_equal(rb_broker_pid_at(NULL, 1), 0);
    assert_int_equal(rb_broker_pid_at("11", 0), 0);
}

/* The stand-in control script: records its arguments, answers `start` by
 * writing broker.env (the cluster's lines), `restart` by new pids, `leader`
 * with node 2; exits 1 when $FAIL names the command. */
static const char script[] =
    "#!/bin/sh\n"
    "echo \"$*\" >> \"$RPCBENCH_BROKER_DIR/calls\"\n"
    "[ \"$FAIL\" = \"$1\" ] && exit 1\n"
    "case \"$1\" in\n"
    "start) printf 'RPCBENCH_AMQP_CLUSTER_URL=amqp://a,amqp://b,amqp://c\\n"
    "RPCBENCH_CLUSTER_PIDS=201,202,203\\n' > \"$RPCBENCH_BROKER_DIR/broker.env\" ;;\n"
    "restart) printf 'RPCBENCH_CLUSTER_PIDS=201,302,203\\n' > \"$RPCBENCH_BROKER_DIR/broker.env\" ;;\n"
    "leader) [ \"$2\" = q1 ] && echo '2 202' || echo 'no leader' ;;\n"
    "esac\n";

static void through_the_script(void **state)
{
    (void)state;
    const rb_broker *three = rb_broker_find("rabbitmq-cluster");
    char path[256], calls[512], err[256];
    int node = 0;
    pid_t pid = 0;
    setenv("RPCBENCH_BROKER_DIR", dir, 1);
    write_file("ctl.sh", script, 0700);
    write_file("calls", "", 0600);
    snprintf(path, sizeof path, "%s/ctl.sh", dir);
    setenv("RPCBENCH_BROKER_SCRIPT", path, 1);
    unsetenv("RPCBENCH_AMQP_CLUSTER_URL");
    unsetenv("RPCBENCH_CLUSTER_PIDS");

    setenv("FAIL", "start", 1);
    assert_int_equal(rb_broker_up(three, 10000, err, sizeof err), RB_EIO);
    assert_null(getenv("RPCBENCH_AMQP_CLUSTER_URL"));
    unsetenv("FAIL");
    assert_int_equal(rb_broker_up(three, 10000, err, sizeof err), RB_OK);
    assert_string_equal(getenv("RPCBENCH_AMQP_CLUSTER_URL"), "amqp://a,amqp://b,amqp://c");
    assert_int_equal(rb_broker_wanted(three), 0);
    assert_int_equal(rb_broker_node_pid(three, 2), 202);

    assert_int_equal(rb_broker_leader(three, "q1", &node, &pid, err, sizeof err), RB_OK);
    assert_int_equal(node, 2);
    assert_int_equal(pid, 202);
    node = 0;
    assert_int_equal(rb_broker_leader(three, "q2", &node, &pid, err, sizeof err), RB_EIO);
    assert_int_equal(node, 0);
    assert_true(strstr(err, "no leader") != NULL);

    assert_int_equal(rb_broker_restart(three, 2, 10000, err, sizeof err), RB_OK);
    assert_int_equal(rb_broker_node_pid(three, 2), 302);   /* broker.env's, after a restart */
    setenv("FAIL", "restart", 1);
    assert_int_equal(rb_broker_restart(three, 2, 10000, err, sizeof err), RB_EIO);
    assert_true(strstr(err, "stays down") != NULL);
    unsetenv("FAIL");
    rb_broker_down(three, 10000);

    read_file("calls", calls, sizeof calls);
    assert_string_equal(calls, "start --nodes 3\nstart --nodes 3\nleader q1\nleader q2\n"
                               "restart --node 2\nrestart --node 2\nstop --nodes 3\n");
}

/* A control script that outlives its deadline is killed: -1, in time. */
static void script_deadline(void **state)
{
    (void)state;
    char path[256], out[64];
    write_file("slow.sh", "#!/bin/sh\necho begun\nexec sleep 30\n", 0700);
    snprintf(path, sizeof path, "%s/slow.sh", dir);
    const char *args[] = { "x", NULL };
    assert_int_equal(rb_broker_script(path, args, 300, out, sizeof out), -1);
    assert_string_equal(out, "begun\n");
    write_file("exit3.sh", "#!/bin/sh\nexit 3\n", 0700);
    snprintf(path, sizeof path, "%s/exit3.sh", dir);
    assert_int_equal(rb_broker_script(path, args, 10000, NULL, 0), 3);
    assert_int_equal(rb_broker_script("/nonexistent/ctl", args, 10000, NULL, 0), 127);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/rb-broker-test-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(registry),
        cmocka_unit_test(no_broker),
        cmocka_unit_test(wanted_and_nodes),
        cmocka_unit_test(env_lines),
        cmocka_unit_test(env_file_and_pids),
        cmocka_unit_test(through_the_script),
        cmocka_unit_test(script_deadline),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
