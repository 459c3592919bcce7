# scripts/lib.sh - shared by scripts/bench and scripts/test (sourced).
# Installs what is missing, builds, and starts the private brokers the built
# transports go through (`rpcbench list --brokers`: each one with a control
# script of its own, brokers/NAME/NAME.sh; the RabbitMQ cluster,
# rabbitmq-cluster, has none and is started by the runs that need it),
# stopping them again when the calling script exits (normally, on failure or
# on Ctrl-C).

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build="$repo/build"

rb_build() {
  scripts/deps
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j"$(nproc)" >/dev/null
}

rb_brokers=()

rb_brokers_down() {
  local b
  for b in "${rb_brokers[@]}"; do
    scripts/broker --broker "$b" stop >/dev/null 2>&1 || true
  done
}

rb_broker_up() {
  local b
  for b in $("$build/rpcbench" list --brokers); do
    [ -x "$repo/brokers/$b/$b.sh" ] && rb_brokers+=("$b")
  done
  [ ${#rb_brokers[@]} -gt 0 ] || return 0
  trap rb_brokers_down EXIT
  trap 'exit 130' INT TERM
  for b in "${rb_brokers[@]}"; do
    scripts/broker --broker "$b" start
  done
  set -a
  # shellcheck disable=SC1091
  . "$repo/.run/broker.env"
  set +a
}
