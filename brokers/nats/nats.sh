#!/usr/bin/env bash
# brokers/nats/nats.sh start|stop [--force]|restart|status - rpcbench's
# private nats-server: the control script of the NATS broker table (nats.c
# runs it; users run it as `scripts/broker --broker nats ...`).
#
# A nats-server of Debian's package of its own, next to any system one:
#   client port  127.0.0.1:${RPCBENCH_NATS_PORT:-4250} (loopback only)
#   JetStream    on, its store under <run>/nats/js
#   config, pid, log, password under <run>/nats/ (<run> is
#   $RPCBENCH_BROKER_DIR, default <repo>/.run, git-ignored; mode 0700)
# The configuration file (mode 0600) holds the port, the store, the limits
# and the one user with a random password: the password is never on a
# command line. It is kept in <run>/nats/password and reused when the
# server starts again, so URLs handed out stay valid. `start` waits until
# the server accepts clients and writes (mode 0600, other lines such as
# RabbitMQ's kept) to <run>/broker.env:
#   RPCBENCH_NATS_URL=nats://rpcbench:PASS@127.0.0.1:PORT
#   RPCBENCH_NATS_PID=<pid of the nats-server process>
# `stop` removes those two lines only. `restart` stops the server (if it
# runs) and starts it again with the same password, store and callers (the
# broker faults of rpcbench run); its pid changes. `status` exits 0 when it
# runs, 1 when it does not.
#
# Several scripts may share the server (scripts/test and a run at once):
# `start` records the calling process (the shell or program that ran it);
# `stop` from that process stops the server only when no other live caller
# of `start` remains; `stop --force` stops it regardless. Both idempotent.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
run="${RPCBENCH_BROKER_DIR:-$repo/.run}"
envfile="$run/broker.env"
port="${RPCBENCH_NATS_PORT:-4250}"
base="$run/nats"
conf="$base/nats.conf"
pidfile="$base/nats.pid"
log="$base/nats.log"
users="$run/nats.users"      # "pid starttime" of every live caller of start
user=rpcbench
server=/usr/sbin/nats-server
caller=$PPID

die() { echo "broker: $*" >&2; exit 1; }

starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }

prune() {      # keep only callers that still run (same pid, same start time)
    local pid st keep=""
    [ -f "$users" ] || return 0
    while read -r pid st; do
        [ -n "$pid" ] && [ "$(starttime "$pid")" = "$st" ] && keep+="$pid $st"$'\n'
    done < "$users"
    printf '%s' "$keep" > "$users"
}

register() {   # add the caller, drop callers that are gone
    local me
    me="$caller $(starttime "$caller")"
    prune
    grep -qxF "$me" "$users" 2>/dev/null || echo "$me" >> "$users"
}

# Drop the caller; 0 when the server may stop.
release() {
    local others
    [ -f "$users" ] || return 0
    grep -v "^$caller " "$users" > "$users.tmp" || true
    mv -f "$users.tmp" "$users"
    prune
    others=$(awk '{print $1}' "$users" | tr '\n' ' ')
    if [ -n "$others" ] && [ "${1:-}" != --force ]; then
        echo "broker: nats-server left running for pid ${others% } (stop --force stops it anyway)" >&2
        return 1
    fi
    rm -f "$users"
}

server_pid() { # the pid of our nats-server (its config is ours), or nothing
    local pid
    [ -s "$pidfile" ] || return 0
    pid=$(tr -dc 0-9 < "$pidfile")
    [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = nats-server ] \
        && tr '\0' ' ' < "/proc/$pid/cmdline" | grep -F -- "$conf" >/dev/null \
        && echo "$pid"
    return 0
}

# Does the server answer on its port? Its first line is the INFO banner.
answers() {
    ( exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
      read -r -t 2 line <&3 || exit 1
      [[ "$line" == INFO* ]] ) 2>/dev/null
}

running() { [ -n "$(server_pid)" ] && answers; }

# broker.env holds other brokers' lines too: replace the lines of the given
# keys (KEY=VALUE; KEY= alone removes), keep the others. Mode 0600, replaced
# atomically under the lock every control script takes for broker.env;
# removed when empty.
env_put() {
    local tmp="$envfile.tmp.$$" kv keys=()
    for kv in "$@"; do keys+=("${kv%%=*}="); done
    (flock -w 600 8 || exit 1
     umask 077
     { [ -f "$envfile" ] && grep -v -F "${keys[@]/#/-e}" "$envfile" || true
       for kv in "$@"; do [ -n "${kv#*=}" ] && printf '%s\n' "$kv"; done
       true; } > "$tmp"
     chmod 600 "$tmp"
     if [ -s "$tmp" ]; then mv -f "$tmp" "$envfile"; else rm -f "$tmp" "$envfile"; fi
    ) 8>>"$run/broker.lck"
}

write_env() {
    env_put "RPCBENCH_NATS_URL=nats://$user:$(cat "$base/password")@127.0.0.1:$port" \
            "RPCBENCH_NATS_PID=$(server_pid)"
}

prepare() {    # folders, password (kept), configuration (mode 0600)
    mkdir -p "$base/js"
    chmod 700 "$run" "$base"
    if [ ! -s "$base/password" ]; then
        (umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -dc 0-9a-f > "$base/password")
    fi
    (umask 077
     cat > "$conf" <<EOF2
# rpcbench's private nats-server (brokers/nats/nats.sh writes this file)
listen: "127.0.0.1:$port"
server_name: "rpcbench_nats_$port"
pid_file: "$pidfile"
log_file: "$log"
# the suite's largest bodies (sendObj/getObj up to 16 MiB) and more; 64 MiB
# is the server's ceiling
max_payload: 67108864
max_pending: 134217728
# a client that stops reading for 10 s is cut off
write_deadline: "10s"
jetstream {
  store_dir: "$base/js"
  max_memory_store: 268435456
  max_file_store: 4294967296
}
authorization {
  user: "$user"
  password: "$(cat "$base/password")"
}
EOF2
    )
    chmod 600 "$conf"
}

boot() {       # start the server (not running) and wait until it answers
    local pid
    [ -x "$server" ] || die "nats-server is not installed (scripts/deps installs it)"
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port is taken by another process (set RPCBENCH_NATS_PORT)"
    fi
    prepare
    rm -f "$pidfile"
    # Detached, its own session; the locks (fds 8, 9) must not live on in it.
    setsid "$server" -c "$conf" > "$base/startup.log" 2>&1 < /dev/null 8>&- 9>&- &
    pid=$!
    for _ in $(seq 1 300); do
        [ -d "/proc/$pid" ] || break
        [ -n "$(server_pid)" ] && answers && return 0
        sleep 0.1
    done
    tail -n 20 "$base/startup.log" "$log" >&2 2>/dev/null || true
    kill -KILL "$pid" 2>/dev/null || true
    die "nats-server did not start on 127.0.0.1:$port (logs in $base)"
}

# Does process $1 run? An exited server whose parent has not reaped it yet
# (a zombie, state Z) does not.
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "$st" != Z ]; }

halt() {       # stop the server and wait for it to exit
    local pid
    pid=$(server_pid)
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do
        alive "$pid" || break
        sleep 0.05
    done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    echo "broker: nats-server on 127.0.0.1:$port stopped" >&2
}

cmd_start() {
    if running; then
        write_env
        register
        echo "broker: nats-server already running on 127.0.0.1:$port (pid $(server_pid))" >&2
        return 0
    fi
    halt    # one that does not answer
    boot
    write_env
    : > "$users"
    register
    echo "broker: nats-server up on 127.0.0.1:$port (pid $(server_pid)); environment in $envfile" >&2
}

cmd_stop() {
    if release "$1"; then
        halt
        env_put RPCBENCH_NATS_URL= RPCBENCH_NATS_PID=
    fi
    return 0
}

cmd_restart() {
    halt
    boot
    write_env
    echo "broker: nats-server restarted (pid $(server_pid))" >&2
}

cmd_status() {
    if running; then
        echo "broker: nats-server running on 127.0.0.1:$port (pid $(server_pid))"
        return 0
    fi
    echo "broker: nats-server not running on 127.0.0.1:$port"
    return 1
}

lock() {       # one start, stop or restart at a time
    mkdir -p "$run"
    chmod 700 "$run"
    exec 9>"$run/nats.lck"
    flock -w 600 9 || die "another scripts/broker holds $run/nats.lck"
}

force="" cmd=""
while [ $# -gt 0 ]; do
    case "$1" in
        --force) force=--force; shift ;;
        --node) [ "${2:-}" = 1 ] || die "--node: nats has one node (1)"; shift 2 ;;
        *) [ -z "$cmd" ] || die "unexpected argument '$1'"; cmd="$1"; shift ;;
    esac
done
case "$cmd" in
    start)   lock; cmd_start ;;
    stop)    lock; cmd_stop "$force" ;;
    restart) lock; cmd_restart ;;
    status)  cmd_status ;;
    *) echo "usage: scripts/broker --broker nats start|stop [--force]|restart|status" >&2; exit 2 ;;
esac
