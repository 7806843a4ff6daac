#!/bin/sh
# npm run bench:pull. As root, runs as the test user that `npm test` creates
# (override with BENCH_USER): tpod and rootless podman want a user.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -eq 0 ]; then
  user=${BENCH_USER:-tpod-test}
  chmod -R a+rX "$top"
  exec runuser -u "$user" -- env -i HOME="$(getent passwd "$user" | cut -d: -f6)" PATH="$PATH" \
    BENCH_RUNS="${BENCH_RUNS:-3}" BENCH_SIZE_MIB="${BENCH_SIZE_MIB:-100}" sh -c 'cd "$1" && exec npx vite-node bench/pull.ts' sh "$top"
fi
cd "$top" && exec npx vite-node bench/pull.ts
