#!/bin/sh
# The time of `run --rm --memory 64m IMAGE true`, tpod's against podman's, in
# the systemd guest of ../shared/vm (the only place here where limits work).
# The guest needs podman: build one image with it first, as root:
#   TPOD_VM_PACKAGES="crun runc conmon passt slirp4netns fuse-overlayfs catatonit tini podman" \
#     ../shared/vm/build-image.sh /var/cache/tpod-vm-podman
# then: TPOD_VM_DIR=/var/cache/tpod-vm-podman sh bench/limits.sh [RUNS]
# Emulation slows both engines alike; the ratio is what to read.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-10}
if [ "${BENCH_IN_GUEST:-}" != 1 ]; then
  cd "$top"
  npm run --silent build >/dev/null
  mkdir -p test/.vm-tmp
  npx vite-node bench/busybox-tar.ts test/.vm-tmp/busybox.tar
  exec "$top/../shared/vm/run.sh" --share "$top" --timeout 1500 -e BENCH_IN_GUEST=1 -- sh bench/limits.sh "$runs"
fi

tar=test/.vm-tmp/busybox.tar
native/tpod import "$tar" bb >/dev/null
podman import "$tar" bb >/dev/null 2>&1

# Median of RUNS timings (ms) of the command, after one warm-up run.
median() {
  "$@" >/dev/null 2>&1
  i=0
  while [ "$i" -lt "$runs" ]; do
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000000 ))
    i=$((i + 1))
  done | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

mine=$(median native/tpod run --rm --network none --memory 64m bb true)
theirs=$(median podman run --rm --network none --memory 64m bb true)
echo "tpod run --rm --memory 64m: median $mine ms of $runs"
echo "podman run --rm --memory 64m: median $theirs ms of $runs ($(podman --version), runtime $(podman info --format '{{.Host.OCIRuntime.Name}}'))"
awk -v a="$mine" -v b="$theirs" 'BEGIN { printf "ratio tpod/podman: %.2f\n", a / b }'
