#!/usr/bin/env bash
# brokers/rabbitmq/rabbitmq.sh start|stop|status - rpcbench's private
# RabbitMQ node: the control script of the RabbitMQ broker tables
# (rabbitmq.c runs it; users run it as scripts/broker, which delegates here).
#
# A node of Debian's rabbitmq-server of its own, next to any system node:
#   node name  ${RPCBENCH_BROKER_NODE:-rpcbench@localhost}
#   AMQP       127.0.0.1:${RPCBENCH_BROKER_PORT:-5673}
#   Erlang distribution 127.0.0.1:${RPCBENCH_BROKER_DIST_PORT:-25673}
#   data, logs, config, Erlang cookie under <repo>/.run/rabbitmq/ (git-ignored)
#   (RPCBENCH_BROKER_NODE, _PORT, _DIST_PORT, _DIR override these, so a test
#   can run a second node of its own)
# `start` waits until the node is up (rabbitmqctl await_startup), creates a
# vhost and a user of its own with a random password (guest is deleted; the
# password is kept under the node's folder and reused when the node starts
# again, so URLs handed out stay valid), and writes <repo>/.run/broker.env
# (mode 0600):
#   RPCBENCH_AMQP_URL=amqp://USER:PASS@127.0.0.1:PORT/VHOST
#   RPCBENCH_BROKER_PID=<pid of the node's beam.smp>
# `restart [--node N]` stops the node (if it runs) and starts it again with
# the same user, password and callers (the broker faults of rpcbench run).
#
# `start --nodes 3`: a 3-node cluster on this machine, for quorum queues
# (RabbitMQ's "cluster on a single machine"). Node i (1..3) is
# NAME<i>@HOST (from RPCBENCH_BROKER_NODE=NAME@HOST), AMQP port PORT+i,
# distribution port DIST_PORT+20*i (the CLI tools take DIST_PORT+10000..+10010
# of each, so 20 apart never collide), data under .run/cluster/n<i>/, one
# Erlang cookie for all. Nodes 2 and 3 join node 1 (stop_app, reset,
# join_cluster, start_app). broker.env gets (the single node's lines kept):
#   RPCBENCH_AMQP_CLUSTER_URL=amqp://USER:PASS@127.0.0.1:PORT+1/VHOST,...+2...,...+3...
#   RPCBENCH_CLUSTER_PIDS=<pid1>,<pid2>,<pid3>
# `stop --nodes 3` stops the cluster; plain `stop` stops the single node and
# the cluster too. `--nodes 3 ctl ARGS` runs rabbitmqctl against node 1;
# `leader QUEUE` prints "I PID" of the cluster node leading quorum queue
# QUEUE (vhost rpcbench).
# `stop` stops this node only (and the epmd daemon if start launched it and no
# other node uses it). Both are idempotent. `status` exits 0 when the node
# runs, 1 when it does not. `ctl ARGS...` runs rabbitmqctl against the node
# (e.g. `scripts/broker ctl list_queues -p rpcbench name messages`).
#
# Several scripts may share the node (scripts/test and scripts/bench at the
# same time): `start` records the calling process (the shell that runs it),
# and `stop` from that process stops the node only when no other live caller
# of `start` remains; `stop --force` stops it regardless.
#
# Runs as root or as any user: the node runs as the caller, with HOME pointed
# at the private folder so the Erlang cookie is ours, not the system node's.
# The password never appears on a command line: rabbitmqctl add_user reads it
# from stdin.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
run="${RPCBENCH_BROKER_DIR:-$repo/.run}"   # another folder: another node (tests)
envfile="$run/broker.env"
node0="${RPCBENCH_BROKER_NODE:-rpcbench@localhost}"
port0="${RPCBENCH_BROKER_PORT:-5673}"
dist0="${RPCBENCH_BROKER_DIST_PORT:-25673}"
vhost="rpcbench"
user="rpcbench"
sbin=/usr/lib/rabbitmq/bin   # the real scripts: /usr/sbin's wrappers su to
                             # the rabbitmq user and drop our environment
export ERL_EPMD_ADDRESS=127.0.0.1    # an epmd we start listens on loopback only
export LC_ALL=C.UTF-8

# Select node $1: 0 the single node, 1..3 a cluster node. One environment
# for the server and every CLI call, so they agree on the node, its cookie
# and its folders, and never read /etc/rabbitmq.
use_node() {
    idx=$1
    if [ "$idx" -eq 0 ]; then
        node="$node0" port="$port0" dist_port="$dist0" base="$run/rabbitmq"
        users="$run/broker.users"    # "pid starttime" of every live caller of start
    else
        node="${node0%@*}$idx@${node0#*@}"
        port=$((port0 + idx)) dist_port=$((dist0 + 20 * idx)) base="$run/cluster/n$idx"
        users="$run/cluster.users"
    fi
    export HOME="$base"
    export RABBITMQ_NODENAME="$node"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT="$port"
    export RABBITMQ_DIST_PORT="$dist_port"
    export RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf"
    export RABBITMQ_CONFIG_FILE="$base/rabbitmq.conf"
    export RABBITMQ_ADVANCED_CONFIG_FILE="$base/advanced.config"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
    export RABBITMQ_MNESIA_BASE="$base/mnesia"
    export RABBITMQ_LOG_BASE="$base/log"
    export RABBITMQ_PID_FILE="$base/node.pid"
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}
use_node 0

caller=$PPID

die() { echo "broker: $*" >&2; exit 1; }

starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }

register() {   # add the caller, drop callers that are gone
    local me
    me="$caller $(starttime "$caller")"
    prune
    grep -qxF "$me" "$users" 2>/dev/null || echo "$me" >> "$users"
}

prune() {      # keep only callers that still run (same pid, same start time)
    local pid st keep=""
    [ -f "$users" ] || return 0
    while read -r pid st; do
        [ -n "$pid" ] && [ "$(starttime "$pid")" = "$st" ] && keep+="$pid $st"$'\n'
    done < "$users"
    printf '%s' "$keep" > "$users"
}

ctl() { "$sbin/rabbitmqctl" -q -n "$node" "$@" 9>&-; }

node_pid() {   # the beam.smp pid of our node, or nothing
    local pid
    [ -s "$RABBITMQ_PID_FILE" ] || return 0
    pid=$(tr -dc 0-9 < "$RABBITMQ_PID_FILE")
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = beam.smp ] \
        && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -F -- "-home $base " >/dev/null \
        && echo "$pid"
    return 0
}

running() { [ -n "$(node_pid)" ] && ctl status >/dev/null 2>&1; }

prepare() {
    mkdir -p "$base/mnesia" "$base/log"
    chmod 700 "$run" "$base"
    : > "$RABBITMQ_CONF_ENV_FILE"
    cat > "$RABBITMQ_CONFIG_FILE" <<EOF2
listeners.tcp.1 = 127.0.0.1:$port
loopback_users.guest = true
# Big enough for the suite's largest sendObj/getObj bodies (up to 16 MiB + JSON).
max_message_size = 134217728
log.file.level = warning
log.console = false
EOF2
    echo '[].' > "$RABBITMQ_ADVANCED_CONFIG_FILE"
    echo '[].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
    local cookie="$HOME/.erlang.cookie" shared="$run/cluster/.erlang.cookie"
    [ "$idx" -gt 0 ] && cookie="$shared"    # one cookie for every cluster node
    if [ ! -s "$cookie" ]; then
        (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -dc 0-9a-f \
            | tr a-f A-F > "$cookie")
        chmod 400 "$cookie"
    fi
    if [ "$idx" -gt 0 ] && ! cmp -s "$shared" "$HOME/.erlang.cookie"; then
        rm -f "$HOME/.erlang.cookie"
        cp "$shared" "$HOME/.erlang.cookie"
        chmod 400 "$HOME/.erlang.cookie"
    fi
}

# broker.env holds the single node's and the cluster's lines: replace the
# lines of the given keys (KEY=VALUE arguments; KEY= alone removes), keep the
# others. Mode 0600, replaced atomically; removed when empty.
env_put() {
    local tmp="$envfile.tmp.$$" kv key keys=()
    for kv in "$@"; do keys+=("${kv%%=*}="); done
    (umask 077
     { [ -f "$envfile" ] && grep -v -F "${keys[@]/#/-e}" "$envfile" || true
       for kv in "$@"; do [ -n "${kv#*=}" ] && printf '%s\n' "$kv"; done
       true; } > "$tmp")
    chmod 600 "$tmp"
    if [ -s "$tmp" ]; then mv -f "$tmp" "$envfile"; else rm -f "$tmp" "$envfile"; fi
}

url_of() { printf 'amqp://%s:%s@127.0.0.1:%s/%s' "$user" "$(cat "$1")" "$2" "$vhost"; }

write_env() {   # the user's password comes from the password file
    if [ "$idx" -eq 0 ]; then
        env_put "RPCBENCH_AMQP_URL=$(url_of "$base/password" "$port")" \
                "RPCBENCH_BROKER_PID=$(node_pid)"
        return
    fi
    local i urls=() pids=()
    for i in 1 2 3; do
        use_node "$i"
        urls+=("$(url_of "$run/cluster/password" "$port")")
        pids+=("$(node_pid)")
    done
    env_put "RPCBENCH_AMQP_CLUSTER_URL=$(IFS=,; echo "${urls[*]}")" \
            "RPCBENCH_CLUSTER_PIDS=$(IFS=,; echo "${pids[*]}")"
}

setup_user() {  # vhost, user with our random password (kept, reused), no guest
    local pass pwfile="$base/password"
    [ "$idx" -gt 0 ] && pwfile="$run/cluster/password"
    if [ -s "$pwfile" ]; then
        pass=$(cat "$pwfile")
    else
        pass=$(head -c 24 /dev/urandom | od -An -tx1 | tr -dc 0-9a-f)
    fi
    ctl list_vhosts | grep -x "$vhost" >/dev/null || ctl add_vhost "$vhost" >/dev/null
    if ctl list_users | awk '{print $1}' | grep -x "$user" >/dev/null; then
        # change_password also reads the password from stdin when omitted
        printf '%s\n' "$pass" | ctl change_password "$user" >/dev/null
    else
        printf '%s\n' "$pass" | ctl add_user "$user" >/dev/null
    fi
    ctl set_permissions -p "$vhost" "$user" '.*' '.*' '.*' >/dev/null
    if ctl list_users | awk '{print $1}' | grep -x guest >/dev/null; then
        ctl delete_user guest >/dev/null
    fi
    (umask 077; printf '%s' "$pass" > "$pwfile")
}

# Start the selected node (not running) and wait until it has booted.
boot() {
    [ -x "$sbin/rabbitmq-server" ] || die "rabbitmq-server is not installed (scripts/deps installs it)"
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port is taken by another process (set RPCBENCH_BROKER_PORT)"
    fi
    prepare
    rm -f "$RABBITMQ_PID_FILE"
    # Our own epmd on loopback when none runs; remembered so stop removes it.
    if ! epmd -names >/dev/null 2>&1; then
        epmd -address 127.0.0.1 -daemon 9>&-
        touch "$run/epmd.ours"
    fi
    # Detached: its own session, output to the log folder.
    # (fd 9, the lock, must not live on in the node)
    setsid "$sbin/rabbitmq-server" > "$base/log/startup.log" 2>&1 < /dev/null 9>&- &
}

# Wait for the selected node's boot to finish.
await_boot() {
    # `wait` blocks until the pid file exists and the app has started (or the
    # process died), then await_startup confirms the boot finished.
    if ! ctl wait --timeout 180 "$RABBITMQ_PID_FILE" >/dev/null 2>&1 \
       || ! ctl await_startup --timeout 180 >/dev/null 2>&1; then
        tail -n 20 "$base/log/startup.log" >&2 || true
        die "node $node did not start (logs in $base/log)"
    fi
}

# Stop the selected node and wait for its VM to exit.
halt() {
    local pid
    pid=$(node_pid)
    [ -n "$pid" ] || return 0
    ctl stop >/dev/null 2>&1 || true
    for _ in $(seq 1 300); do
        [ -d "/proc/$pid" ] || break
        sleep 0.1
    done
    if [ -d "/proc/$pid" ]; then
        kill -TERM "$pid" 2>/dev/null || true
    fi
    echo "broker: $node stopped" >&2
}

cmd_start() {
    if running; then
        [ -s "$envfile" ] && [ -s "$base/password" ] || { setup_user; }
        write_env
        register
        echo "broker: $node already running on 127.0.0.1:$port (pid $(node_pid))" >&2
        return 0
    fi
    boot
    await_boot
    setup_user
    write_env
    : > "$users"
    register
    echo "broker: $node up on 127.0.0.1:$port (pid $(node_pid)); environment in $envfile" >&2
}

# The members of the cluster node 1 knows of (running ones).
cluster_members() { use_node 1; ctl cluster_status --formatter json 2>/dev/null \
    | /usr/bin/python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin).get("running_nodes", [])))' 2>/dev/null || true; }

cmd_start_cluster() {
    local i up=() members
    mkdir -p "$run/cluster"
    chmod 700 "$run" "$run/cluster"
    for i in 1 2 3; do          # boot the missing ones side by side
        use_node "$i"
        if ! running; then boot; up+=("$i"); fi
    done
    for i in "${up[@]}"; do use_node "$i"; await_boot; done
    members=" $(cluster_members) "
    for i in 2 3; do
        use_node "$i"
        [[ "$members" == *" $node "* ]] && continue
        use_node 1; local first="$node"; use_node "$i"
        ctl stop_app >/dev/null
        ctl reset >/dev/null
        ctl join_cluster "$first" >/dev/null || die "node $node could not join $first"
        ctl start_app >/dev/null
    done
    use_node 1
    setup_user
    write_env
    [ ${#up[@]} -eq 3 ] && : > "$users"
    register
    echo "broker: cluster $(cluster_members) up on 127.0.0.1:$((port0 + 1))-$((port0 + 3)); environment in $envfile" >&2
}

# Drop the caller from the selected mode's callers; 0 when the node(s) may stop.
release() {
    local others
    [ -f "$users" ] || return 0
    grep -v "^$caller " "$users" > "$users.tmp" || true
    mv -f "$users.tmp" "$users"
    prune
    others=$(awk '{print $1}' "$users" | tr '\n' ' ')
    if [ -n "$others" ] && [ "${1:-}" != --force ]; then
        echo "broker: $node left running for pid ${others% } (stop --force stops it anyway)" >&2
        return 1
    fi
    rm -f "$users"
}

cmd_stop() {   # $1: --force or ""; $2: nodes (1: single and cluster, 3: cluster)
    local i
    if [ "$2" -eq 1 ]; then
        use_node 0
        if release "$1"; then
            halt
            env_put RPCBENCH_AMQP_URL= RPCBENCH_BROKER_PID=
            rm -f "$RABBITMQ_PID_FILE"
        fi
    fi
    use_node 1
    if [ -n "$(node_pid)" ] || [ -f "$users" ]; then
        if release "$1"; then
            for i in 3 2 1; do use_node "$i"; halt; rm -f "$RABBITMQ_PID_FILE"; done
            env_put RPCBENCH_AMQP_CLUSTER_URL= RPCBENCH_CLUSTER_PIDS=
        fi
    fi
    [ -e "$run/rabbitmq/epmd.ours" ] && mv -f "$run/rabbitmq/epmd.ours" "$run/epmd.ours"   # older layout
    if [ -e "$run/epmd.ours" ]; then
        # Only when no other Erlang node registered with it meanwhile.
        if ! epmd -names 2>/dev/null | grep '^name ' >/dev/null; then
            epmd -kill >/dev/null 2>&1 || true
            rm -f "$run/epmd.ours"
        fi
    fi
    return 0
}

cmd_restart() {   # $1: node index (0 single)
    use_node "$1"
    halt
    boot
    await_boot
    # user, vhost and password live in the node's data: URLs stay valid
    write_env
    echo "broker: $node restarted (pid $(node_pid))" >&2
}

cmd_leader() {    # the cluster node leading quorum queue $1: "I PID"
    local i out leader
    for i in 1 2 3; do
        use_node "$i"
        running || continue
        out=$(ctl list_queues -p "$vhost" name leader 2>/dev/null) || continue
        leader=$(awk -v q="$1" '$1 == q {print $2}' <<< "$out")
        [ -n "$leader" ] && break
    done
    [ -n "${leader:-}" ] || die "no leader for queue $1 (is the cluster up and the queue declared?)"
    for i in 1 2 3; do
        use_node "$i"
        [ "$node" = "$leader" ] && { echo "$i $(node_pid)"; return 0; }
    done
    die "queue $1 is led by $leader, not one of our nodes"
}

cmd_status() {
    if running; then
        echo "broker: $node running on 127.0.0.1:$port (pid $(node_pid))"
        return 0
    fi
    echo "broker: $node not running"
    return 1
}

# One start or stop at a time (scripts/test and scripts/bench may overlap).
lock() {
    mkdir -p "$run"
    chmod 700 "$run"
    exec 9>"$run/broker.lck"
    flock -w 600 9 || die "another scripts/broker holds $run/broker.lck"
}

nodes=1 one=0 force="" cmd=""
while [ $# -gt 0 ]; do
    case "$1" in
        --nodes) nodes="${2:-}"; shift 2 ;;
        --node) one="${2:-}"; shift 2 ;;
        --force) force=--force; shift ;;
        ctl) cmd=ctl; shift; break ;;
        leader) cmd=leader; shift; break ;;
        *) [ -z "$cmd" ] || die "unexpected argument '$1'"; cmd="$1"; shift ;;
    esac
done
case "$nodes" in 1|3) ;; *) die "--nodes wants 1 or 3, got '$nodes'" ;; esac
case "$one" in 0|1|2|3) ;; *) die "--node wants 1, 2 or 3, got '$one'" ;; esac
[ "$nodes" -eq 3 ] && use_node 1
case "$cmd" in
    start)   lock; if [ "$nodes" -eq 3 ]; then cmd_start_cluster; else cmd_start; fi ;;
    stop)    lock; cmd_stop "$force" "$nodes" ;;
    restart) lock; cmd_restart "$one" ;;
    status)  cmd_status ;;
    leader)  [ $# -eq 1 ] || die "usage: scripts/broker leader QUEUE"; cmd_leader "$1" ;;
    ctl)     running || die "$node is not running"; ctl "$@" ;;
    *) echo "usage: scripts/broker start|stop [--force]|restart|status|ctl RABBITMQCTL-ARGS...
       --nodes 3 start|stop|ctl ARGS...     the 3-node cluster
       restart --node N | leader QUEUE      a cluster node; the node leading a quorum queue" >&2; exit 2 ;;
esac
