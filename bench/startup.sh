#!/bin/sh
# npm run bench. As root, runs as the test user that `npm test` creates
# (override with BENCH_USER), since tpod and rootless podman want a user.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -eq 0 ]; then
  user=${BENCH_USER:-tpod-test}
  chmod -R a+rX "$here/.."
  exec runuser -u "$user" -- env -i HOME="$(getent passwd "$user" | cut -d: -f6)" PATH="$PATH" \
    BENCH_RUNS="${BENCH_RUNS:-30}" sh -c 'cd / && exec node "$1"' sh "$here/startup.mjs"
fi
exec node "$here/startup.mjs"
