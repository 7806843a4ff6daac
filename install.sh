#!/bin/sh
# Takes a Debian 12 machine to a working `tpod` for every user: the system
# packages tpod drives, the launcher and the CLI built here, and the command,
# its completions and man pages in their system places. Safe to run again.
set -eu

prefix=${PREFIX:-/usr/local}
src=$(cd "$(dirname "$0")" && pwd)
dest="$prefix/lib/tpod"

if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run it as root (sudo ./install.sh)" >&2
  exit 1
fi

# What tpod runs (uidmap ... catatonit) and what builds the launcher.
packages="uidmap fuse-overlayfs passt slirp4netns crun runc conmon catatonit gcc libc6-dev make"
missing=""
for pkg in $packages; do dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"; done
if [ -n "$missing" ]; then
  echo "install.sh: installing$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

# Debian 12's own nodejs is 18; tpod needs a newer one (NodeSource's, or a
# nodejs.org build), which apt cannot bring here.
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "install.sh: tpod needs Node.js >= 20.19 on PATH (found: $(node --version 2>/dev/null || echo none)); install it from NodeSource or nodejs.org, then run install.sh again" >&2
  exit 1
fi

cd "$src"
npm ci --no-audit --no-fund --loglevel=error
npm run build --silent

# A fresh copy each time, with only what runs: the launcher, the compiled CLI
# and the production dependencies.
rm -rf "$dest.new"
mkdir -p "$dest.new/native"
cp -r dist package.json package-lock.json "$dest.new/"
cp native/tpod "$dest.new/native/tpod"
(cd "$dest.new" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
rm -rf "$dest"
mv "$dest.new" "$dest"
chmod -R a+rX "$dest"
ln -sf "$dest/native/tpod" "$prefix/bin/tpod"

install -D -m 0644 completions/tpod.bash "$prefix/share/bash-completion/completions/tpod"
install -D -m 0644 completions/_tpod "$prefix/share/zsh/site-functions/_tpod"
install -D -m 0644 completions/tpod.fish "$prefix/share/fish/vendor_completions.d/tpod.fish"
install -d "$prefix/share/man/man1" "$prefix/share/man/man5"
rm -f "$prefix"/share/man/man1/tpod*.1 "$prefix"/share/man/man5/tpod*.5
install -m 0644 man/*.1 "$prefix/share/man/man1/"
install -m 0644 man/*.5 "$prefix/share/man/man5/"

# The systemd user generator (tpod-systemd.unit(5)): systemd runs it at every
# `systemctl --user daemon-reload`, in an environment whose PATH may lack
# node, hence node's path written in; it needs no user namespace, so it runs
# dist/quadlet.cjs directly rather than through the launcher.
generators="$prefix/lib/systemd/user-generators"
install -d "$generators"
printf '#!/bin/sh\nexec %s %s "$@"\n' "$(command -v node)" "$dest/dist/quadlet.cjs" >"$generators/tpod-user-generator"
chmod 0755 "$generators/tpod-user-generator"
command -v mandb >/dev/null 2>&1 && mandb -q "$prefix/share/man" 2>/dev/null || true

echo "install.sh: installed $(tpod version --format '{{.Client.Version}}' 2>/dev/null || echo tpod) as $prefix/bin/tpod"
