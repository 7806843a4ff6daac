#!/bin/sh
# `npm test`. Started as root (as CI does), it prepares what the suite needs
# and runs it as an unprivileged user with subordinate ids; started as such a
# user, it just runs it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)

# Integration tests run the built launcher and bundle: build first, always,
# so a stale dist/ is never what gets tested.
if [ "$(id -u)" -ne 0 ]; then
  cd "$top"
  npm run --silent build
  exec npx vitest run "$@"
fi

user=tpod-test
nosub=tpod-nosub
# Test-only packages; install.sh brings tpod's own.
missing=""
for pkg in sudo zsh fish docker-registry busybox-static apache2-utils openssl tmux; do dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"; done
if [ -n "$missing" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# The test user, with one subordinate range of its own; and a user with none,
# for the single-id mapping.
id "$user" >/dev/null 2>&1 || useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$user"
id "$nosub" >/dev/null 2>&1 || useradd -m -s /bin/sh -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$nosub"
for f in /etc/subuid /etc/subgid; do
  touch "$f"
  sed -i "/^$nosub:/d" "$f"
  grep -q "^$user:" "$f" || echo "$user:400000:65536" >>"$f"
done

# The suite edits the test user's ranges to check that tpod follows them, and
# runs tpod as the user without ranges: only through these two doors.
install -d -m 0755 /usr/local/libexec/tpod-test
install -m 0755 "$top/test/fixtures/subid-extra-range.sh" /usr/local/libexec/tpod-test/subid-extra-range
cat >/etc/sudoers.d/tpod-test <<SUDO
$user ALL=(root) NOPASSWD: /usr/local/libexec/tpod-test/subid-extra-range
$user ALL=($nosub) NOPASSWD: ALL
SUDO
chmod 0440 /etc/sudoers.d/tpod-test

# 0600 on this machine, 0666 on normal distributions: pasta and fuse need them.
for dev in /dev/net/tun /dev/fuse; do [ -e "$dev" ] && chmod 0666 "$dev"; done

# The Debian guest with systemd and delegated cgroup v2, for what this host
# cannot show. Building it needs root; running it does not.
vm_run=""
vm="$top/../shared/vm"
if [ -x "$vm/build-image.sh" ]; then
  if "$vm/build-image.sh" >/tmp/tpod-test-vm-build.log 2>&1; then
    vm_run="$(cd "$vm" && pwd)/run.sh"
  else
    echo "run-suite: the test VM did not build (see /tmp/tpod-test-vm-build.log); its tests are skipped" >&2
  fi
fi

# The clone may sit where the test user cannot read (/root): test a copy.
(cd "$top" && npm run --silent build)
home=$(getent passwd "$user" | cut -d: -f6)
copy="$home/tpod"
rm -rf "$copy"
mkdir -p "$copy"
(cd "$top" && tar --exclude=./.git -cf - .) | (cd "$copy" && tar -xf -)
chown -R "$user:$user" "$copy"
chmod 0755 "$home"

exec runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" PATH="$PATH" LANG=C.UTF-8 \
  CI="${CI:-}" TPOD_TEST_NOSUB_USER="$nosub" TPOD_TEST_VM="$vm_run" sh -c 'cd "$1" && shift && exec npx vitest run "$@"' sh "$copy" "$@"
