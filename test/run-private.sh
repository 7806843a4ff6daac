#!/bin/sh
# As root: test/run-private.sh NAME [vitest args] builds this tree, copies it to
# ~tpod-test/NAME and runs vitest there as tpod-test (set up by one `npm test`
# as root first). Several people can test at once this way: `npm test` always
# uses ~tpod-test/tpod, so concurrent runs of it clobber each other. The guest's
# tests run when TPOD_TEST_VM names ../shared/vm/run.sh (built by `npm test`).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
name=$1
shift
(cd "$top" && npm run --silent build >/dev/null)
dest=/home/tpod-test/$name
rm -rf "$dest" && mkdir -p "$dest"
(cd "$top" && tar --exclude=./.git -cf - .) | (cd "$dest" && tar -xf -)
chown -R tpod-test: "$dest"
exec runuser -u tpod-test -- env -i HOME=/home/tpod-test PATH="$PATH" LANG=C.UTF-8 TPOD_TEST_NOSUB_USER=tpod-nosub TPOD_TEST_VM="${TPOD_TEST_VM:-}" \
  sh -c 'cd "$1" && shift && exec npx vitest run "$@"' sh "$dest" "$@"
