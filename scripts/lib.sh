# scripts/lib.sh - shared by scripts/bench and scripts/test (sourced).
# Installs what is missing, builds, and starts the private broker when a
# built transport goes through it (`rpcbench list --brokers` names the
# rabbitmq broker; the cluster, rabbitmq-cluster, is started by the runs that
# need it), stopping it again when the calling script exits (normally, on
# failure or on Ctrl-C).

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build="$repo/build"

rb_build() {
  scripts/deps
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j"$(nproc)" >/dev/null
}

rb_broker_up() {
  if "$build/rpcbench" list --brokers | grep -qx rabbitmq; then
    trap 'scripts/broker stop >/dev/null 2>&1 || true' EXIT
    trap 'exit 130' INT TERM
    scripts/broker start
    set -a
    # shellcheck disable=SC1091
    . "$repo/.run/broker.env"
    set +a
  fi
}
