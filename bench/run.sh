#!/bin/sh
# npm run bench / bench:pull: runs bench/SCRIPT as an unprivileged user. As
# root, that is the test user `npm test` creates (override with BENCH_USER),
# since tpod and rootless podman want a user with subordinate ids.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
script=$1
if [ "$(id -u)" -eq 0 ]; then
  user=${BENCH_USER:-tpod-test}
  chmod -R a+rX "$top"
  exec runuser -u "$user" -- env -i HOME="$(getent passwd "$user" | cut -d: -f6)" PATH="$PATH" \
    BENCH_RUNS="${BENCH_RUNS:-}" BENCH_SIZE_MIB="${BENCH_SIZE_MIB:-}" BENCH_CONTAINERS="${BENCH_CONTAINERS:-}" sh "$0" "$script"
fi
cd "$top"
case "$script" in
  *.ts) exec npx vite-node "bench/$script" ;;
  *) exec node "bench/$script" ;;
esac
