#!/bin/sh
# bench/keep-id.sh: the first start of `run --rm --userns=keep-id IMAGE true`
# on a large image (BENCH_FILES files of BENCH_FILE_KIB KiB, 20000 x 16 KiB by
# default), tpod against podman, both with runc and --network none, the image
# imported into each from one tarball. podman's native overlay cannot shift
# ids, so its first keep-id start copies and chowns the image; tpod mounts it
# with fuse-overlayfs's uidmapping instead. A plain (--userns=host) start runs
# first, so that neither's one-time costs (driver probe, runtime choice, page
# cache) count as keep-id's; the second keep-id start is shown for scale, and
# what fuse-overlayfs costs later: reading every file of the image once.
# Run by hand, never in tests; as
# root it runs as the test user (BENCH_USER), since both want subordinate ids.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" -eq 0 ]; then
  user=${BENCH_USER:-tpod-test}
  chmod -R a+rX "$top"
  exec runuser -u "$user" -- env -i HOME="$(getent passwd "$user" | cut -d: -f6)" PATH="$PATH" \
    BENCH_FILES="${BENCH_FILES:-}" BENCH_FILE_KIB="${BENCH_FILE_KIB:-}" sh "$0"
fi
files=${BENCH_FILES:-20000}
kib=${BENCH_FILE_KIB:-16}
tpod="$top/native/tpod"
# On the disk, not a tmpfs: the copy podman makes is the cost being measured.
dir=$(mktemp -d /var/tmp/tpod-bench-keep-id-XXXXXX)
export XDG_DATA_HOME="$dir/data"
podman="podman --root $dir/podman-root --runroot $dir/podman-run --runtime runc --storage-driver overlay"
has_podman=$(command -v podman >/dev/null && echo yes || echo no)

cleanup() {
  "$tpod" system reset --force >/dev/null 2>&1 || true
  [ "$has_podman" = yes ] && podman unshare rm -rf "$dir/podman-root" "$dir/podman-run" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

# busybox, and the files spread over 100 directories, a tenth of them owned by 1000 as an app's would be.
root="$dir/rootfs"
mkdir -p "$root/bin" "$root/etc" "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
ln -s busybox "$root/bin/true"
ln -s busybox "$root/bin/cat"
printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/srv:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\napp:x:1000:\n' >"$root/etc/group"
node -e '
  const { mkdirSync, writeFileSync } = require("node:fs");
  const [root, files, kib] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
  const data = Buffer.alloc(kib * 1024, "tpod keep-id bench\n");
  for (let d = 0; d < 100; d++) mkdirSync(`${root}/srv/d${d}`, { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(`${root}/srv/d${i % 100}/f${i}`, data);
' "$root" "$files" "$kib"
tar -C "$root" --owner=0 --group=0 -cf "$dir/image.tar" bin etc tmp
tar -C "$root" --owner=1000 --group=1000 -rf "$dir/image.tar" srv
rm -rf "$root"
size=$(du -m "$dir/image.tar" | cut -f1)
echo "image: $files files of $kib KiB and busybox, $size MiB"

"$tpod" import -q "$dir/image.tar" bench >/dev/null
[ "$has_podman" = yes ] && $podman import -q "$dir/image.tar" bench >/dev/null

ms() { echo $(( $(date +%s%N) / 1000000 )); }
# Prints the milliseconds one run takes, failing loudly when it fails.
timed() {
  start=$(ms)
  "$@" >/dev/null 2>"$dir/err" || { echo "$* failed: $(cat "$dir/err")" >&2; exit 1; }
  echo $(( $(ms) - start ))
}
row() { printf '%-58s %8s ms\n' "$1" "$2"; }

t_host=$(timed "$tpod" run --rm --network none bench true)
t_first=$(timed "$tpod" run --rm --network none --userns=keep-id bench true)
t_second=$(timed "$tpod" run --rm --network none --userns=keep-id bench true)
row "tpod run --rm (--userns=host)" "$t_host"
row "tpod run --rm --userns=keep-id, first start" "$t_first"
row "tpod run --rm --userns=keep-id, second start" "$t_second"
read_all='cat /srv/*/* >/dev/null'
row "tpod, every file read (keep-id: fuse-overlayfs)" "$(timed "$tpod" run --rm --network none --userns=keep-id bench sh -c "$read_all")"
row "tpod, every file read (host: kernel overlay)" "$(timed "$tpod" run --rm --network none bench sh -c "$read_all")"
if [ "$has_podman" = yes ]; then
  p_host=$(timed $podman run --rm --network none bench true)
  p_first=$(timed $podman run --rm --network none --userns=keep-id bench true)
  p_second=$(timed $podman run --rm --network none --userns=keep-id bench true)
  row "podman $(podman version --format '{{.Client.Version}}') run --rm (--userns=host)" "$p_host"
  row "podman run --rm --userns=keep-id, first start" "$p_first"
  row "podman run --rm --userns=keep-id, second start" "$p_second"
  row "podman, every file read (keep-id: its chowned copy)" "$(timed $podman run --rm --network none --userns=keep-id bench sh -c "$read_all")"
  echo "first keep-id start, podman/tpod: $(awk "BEGIN { printf \"%.1f\", $p_first / $t_first }")x"
fi
