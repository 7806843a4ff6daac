/**
 * conmon's own systemd scope and --sdnotify, in the Debian guest of
 * ../shared/vm (systemd as PID 1, the user's bus and manager), in one boot:
 * the guest is slow under emulation. The image is busybox and a static
 * sd-notify (test/fixtures/sd-notify.c), built here into test/.vm-tmp/, which
 * the guest sees through the shared project directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { findProgram } from '../../src/sys/programs.js';
import { busyboxLayer } from '../registry/images.js';
import { tar } from '../registry/tar-writer.js';
import { bootGuest, noGuest } from './guest.js';

const project = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
// The guest sees the project; the image goes in a directory of it that git ignores.
const guestDir = join(project, 'test', '.vm-tmp', 'sdnotify');
const skip = noGuest ?? (findProgram('gcc') ? undefined : 'no gcc to build the image\'s static sd-notify');

/** busybox, and sd-notify at /sd-notify, as a rootfs tarball for tpod import; returns its path in the project. */
function buildImage(): string {
  mkdirSync(guestDir, { recursive: true });
  const binary = join(guestDir, 'sd-notify');
  const cc = spawnSync('gcc', ['-static', '-O2', '-o', binary, join(project, 'test', 'fixtures', 'sd-notify.c')], { encoding: 'utf8' });
  expect(cc.status, cc.stderr).toBe(0);
  writeFileSync(join(guestDir, 'notify.tar'), tar([...busyboxLayer(), { name: 'sd-notify', mode: 0o755, data: readFileSync(binary) }]));
  return 'test/.vm-tmp/sdnotify/notify.tar';
}

// Each check prints one line "name<TAB>output", so one boot answers many.
const script = (tarball: string) => `
check() { name=$1; shift; printf '%s\\t%s\\n' "$name" "$("$@" 2>&1 | tr '\\n' ' ')"; }
T=$PWD/native/tpod
conmon() { $T inspect --format '{{.State.ConmonPid}}' "$1"; }
cgroup() { cat /proc/"$1"/cgroup; }
waitfor() { i=0; while [ $i -lt 120 ] && ! eval "$1" >/dev/null 2>&1; do sleep 0.5; i=$((i+1)); done; }
$T import ${tarball} nt >/dev/null

id=$($T run -d --network none nt sleep 1000)
check id echo $id
check conmon-cgroup cgroup $(conmon $id)
check container-cgroup cgroup $($T inspect --format '{{.State.Pid}}' $id)
check conmon-scope systemctl --user show -p Delegate -p DefaultDependencies -p Slice -p Description -p ActiveState tpod-conmon-$id.scope
id2=$($T run -d --network none --cgroups=no-conmon nt sleep 1000)
check no-conmon-cgroup cgroup $(conmon $id2)
check own-cgroup cgroup self

# Restarted from its own exit command, in the old conmon's scope: the new conmon joins the unit.
mkdir -p /tmp/go3
id3=$($T run -d --network none --restart=always -v /tmp/go3:/go3 nt sh -c '[ -e /go3/again ] && exec sleep 1000; touch /go3/again; exit 3')
check restart-id echo $id3
waitfor '[ "$($T inspect --format "{{.RestartCount}} {{.State.Status}}" $id3)" = "1 running" ]'
check restart-count $T inspect --format '{{.RestartCount}}' $id3
check restart-cgroup cgroup $(conmon $id3)
$T rm -f $id3 >/dev/null

# What the scope costs a run -d: whole runs, and the phase alone.
for i in 1 2 3; do
  s=$(date +%s%N); $T run -d --network none nt sleep 1000 >/dev/null; e=$(date +%s%N)
  s2=$(date +%s%N); $T run -d --network none --cgroups=no-conmon nt sleep 1000 >/dev/null; e2=$(date +%s%N)
  check timing-$i echo "enabled $(( (e - s) / 1000000 )) ms, no-conmon $(( (e2 - s2) / 1000000 )) ms"
done
check phase sh -c "$T --log-level=debug run -d --network none nt sleep 1000 2>&1 >/dev/null | grep -E 'phase (conmon scope|crun start)|tpod-conmon'"
# The same from systemd's own tools, for scale.
check tools sh -c 's=$(date +%s%N); busctl --user call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId >/dev/null; m=$(date +%s%N); systemd-run --user --scope --quiet true; e=$(date +%s%N); echo "busctl GetId $(( (m - s) / 1000000 )) ms, systemd-run --scope true $(( (e - m) / 1000000 )) ms"'

# --sdnotify=conmon: ready once the container runs, conmon the main process, no socket in anyone's environment.
systemd-run --user --quiet --unit t1 -p Type=notify -p NotifyAccess=all $T run -d --sdnotify=conmon --network none --name c1 nt sleep 1000
check t1-active systemctl --user is-active t1
check t1-mainpid systemctl --user show -p MainPID --value t1
check c1-conmon conmon c1
check c1-conmon-cgroup cgroup $(conmon c1)
check c1-conmon-env sh -c "tr '\\\\0' '\\\\n' </proc/$(conmon c1)/environ | grep -c NOTIFY_SOCKET"
check c1-env sh -c "tr '\\\\0' '\\\\n' </proc/$($T inspect --format '{{.State.Pid}}' c1)/environ | grep -c NOTIFY_SOCKET"

# --sdnotify=container: active only once the container says READY=1, which it does when told.
mkdir -p /tmp/go
systemd-run --user --quiet --no-block --unit t2 -p Type=notify -p NotifyAccess=all $T run -d --sdnotify=container --network none --name c2 -v /tmp/go:/go nt sh -c 'while [ ! -e /go/now ]; do sleep 0.2; done; /sd-notify READY=1; exec sleep 1000'
waitfor '[ "$(systemctl --user show -p MainPID --value t2)" = "$(conmon c2)" ]'
sleep 2
check t2-before systemctl --user is-active t2
touch /tmp/go/now
waitfor '[ "$(systemctl --user is-active t2)" = active ]'
check t2-after systemctl --user is-active t2
check t2-mainpid systemctl --user show -p MainPID --value t2
check c2-conmon conmon c2
`;

describe.skipIf(skip)(`conmon's scope and --sdnotify on a systemd host${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let results = new Map<string, string>();
  beforeAll(async () => {
    const tarball = buildImage();
    ({ results } = await bootGuest(['--share', project, '--', 'sh', '-c', script(tarball)], 560));
    // The numbers are for the report, not for a verdict: the guest is emulated.
    for (const [name, value] of results) if (name.startsWith('timing') || name === 'phase' || name === 'tools') console.log(`${name}: ${value}`);
    // Room for the second boot bootGuest makes when the guest itself fails.
  }, 1_200_000);

  it('moves conmon into tpod-conmon-ID.scope, a delegated scope in user.slice, and the container into tpod-ID.scope', () => {
    const id = results.get('id')!;
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(results.get('conmon-cgroup')).toMatch(new RegExp(`^0::/user\\.slice/user-1000\\.slice/user@1000\\.service/user\\.slice/tpod-conmon-${id}\\.scope$`));
    expect(results.get('container-cgroup')).toMatch(new RegExp(`/tpod-${id}\\.scope(/|$)`));
    expect(results.get('conmon-scope')).toContain('Delegate=yes');
    expect(results.get('conmon-scope')).toContain('DefaultDependencies=no');
    expect(results.get('conmon-scope')).toContain('Slice=user.slice');
    expect(results.get('conmon-scope')).toContain('ActiveState=active');
    expect(results.get('conmon-scope')).toMatch(/Description=tpod conmon of container \w+/);
  });

  it('leaves conmon in the caller\'s cgroup with --cgroups=no-conmon', () => {
    const own = results.get('own-cgroup');
    expect(own).toMatch(/session-.*\.scope$/);
    expect(results.get('no-conmon-cgroup')).toBe(own);
  });

  it('puts a restarted container\'s conmon, started from the old scope, in that scope', () => {
    expect(results.get('restart-count')).toBe('1');
    expect(results.get('restart-cgroup')).toMatch(new RegExp(`/tpod-conmon-${results.get('restart-id')}\\.scope$`));
  });

  it('makes a --sdnotify=conmon unit active, with conmon as its main process, in the unit\'s cgroup', () => {
    expect(results.get('t1-active')).toBe('active');
    expect(results.get('t1-mainpid')).toMatch(/^[1-9]\d*$/);
    expect(results.get('t1-mainpid')).toBe(results.get('c1-conmon'));
    expect(results.get('c1-conmon-cgroup')).toMatch(/\/t1\.service$/);
  });

  it('keeps NOTIFY_SOCKET out of conmon\'s and the container\'s environment', () => {
    expect(results.get('c1-conmon-env')).toBe('0');
    expect(results.get('c1-env')).toBe('0');
  });

  it('makes a --sdnotify=container unit active only once the container says READY=1', () => {
    expect(results.get('t2-before')).toBe('activating');
    expect(results.get('t2-after')).toBe('active');
    expect(results.get('t2-mainpid')).toBe(results.get('c2-conmon'));
  });
});
