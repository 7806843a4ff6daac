#!/bin/sh
# Run in the guest as its user (see systemd-limits.test.ts): each check prints
# "name<TAB>output" on one line, so that one boot answers them all.
# $1: an image tarball (a busybox root) inside the shared project.
check() { name=$1; shift; printf '%s\t%s\n' "$name" "$("$@" 2>&1 | tr '\n' ' ')"; }
T=native/tpod
scopes=/sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service/user.slice
$T import "$1" bb >/dev/null

check limits $T run --rm --network none --memory 64m --memory-swap 96m --cpus 0.5 --pids-limit 50 --cpuset-cpus 0 --cpu-weight 50 bb \
  cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpuset.cpus.effective /sys/fs/cgroup/cpu.weight

# Over its memory limit, attached and detached: killed, and inspect says why.
check oom-attached sh -c "$T run --name oom1 --network none --memory 16m bb sh -c 'x=a; while :; do x=\$x\$x; done'; echo exit=\$?"
check oom-attached-inspect $T inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}}' oom1
$T run -d --name oom2 --network none --memory 16m bb sh -c 'x=a; while :; do x=$x$x; done' >/dev/null
check oom-detached $T wait oom2
check oom-detached-inspect $T inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}}' oom2
$T run --name fine --network none --memory 64m bb true
check no-oom $T inspect --format '{{.State.OOMKilled}} {{.State.ExitCode}}' fine

# A fork bomb stops at its pids limit: its cgroup's counts, read from outside.
id=$($T run -d --network none --pids-limit 10 bb sh -c '(for i in $(busybox seq 30); do sleep 60 & done) 2>/dev/null; sleep 60')
sleep 3
check pids cat "$scopes/tpod-$id.scope/container/pids.current" "$scopes/tpod-$id.scope/container/pids.max" "$scopes/tpod-$id.scope/container/pids.events"
$T rm -f "$id" >/dev/null

# A busy loop with --cpus 0.5 gets half a core: its scope's usage over 4 s of wall time, in permille.
id=$($T run -d --network none --cpus 0.5 bb sh -c 'while :; do :; done')
usage() { awk '/^usage_usec/ {print $2}' "$scopes/tpod-$id.scope/cpu.stat"; }
sleep 2
u0=$(usage); t0=$(date +%s%N)
sleep 4
u1=$(usage); t1=$(date +%s%N)
check cpu-permille echo $(( (u1 - u0) * 1000000 / (t1 - t0) ))
check scope systemctl --user is-active "tpod-$id.scope"

# update: new limits for the running container, and for its record.
check update $T update --memory 128m --cpus 0.25 "$id"
check updated $T exec "$id" cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max
check updated-inspect $T inspect --format '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' "$id"
$T rm -f "$id" >/dev/null
check scope-after-rm sh -c "systemctl --user is-active tpod-$id.scope; ls $scopes | grep -c tpod-$id.scope"
