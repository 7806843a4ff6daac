/**
 * stats, pause and unpause where systemd delegates cgroup v2 to the user, in
 * the Debian guest of ../shared/vm, in one boot (the guest is slow under
 * emulation): a busy and an idle container, each in its own cgroup; CPU %,
 * memory, PIDs and the JSON of stats; a paused busy container uses no CPU,
 * ps says Paused, exec is refused, unpause lets it run on; stop, kill and
 * rm -f still end a paused container.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyboxLayer } from '../registry/images.js';
import { tar } from '../registry/tar-writer.js';
import { bootGuest, noGuest } from './guest.js';

const skip = noGuest;
const project = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
// The guest sees the project (and nothing else of the host): the image goes there, where git ignores it.
const rootfsTar = 'test/.vm-tmp/stats-rootfs.tar';

// Each check prints one line "name<TAB>output", so one boot answers many.
const script = String.raw`check() { name=$1; shift; printf '%s\t%s\n' "$name" "$("$@" 2>&1 | tr '\n' ' ')"; }
T=native/tpod
cg() { sed -n 's/^0:://p' /proc/$($T inspect --format '{{.State.Pid}}' $1)/cgroup; }
$T import ${rootfsTar} statsimg >/dev/null
$T run -d --network none --name busy statsimg sh -c 'while :; do :; done' >/dev/null
$T run -d --network none --name idle statsimg sleep 1000 >/dev/null
check cgroups echo "$(cg busy) $(cg idle) $(sed -n 's/^0:://p' /proc/$($T inspect --format '{{.State.ConmonPid}}' busy)/cgroup)"
sleep 3
check json $T stats --no-stream --format json
check table $T stats --no-stream
check named $T stats --no-stream --format '{{.Name}} {{.PIDS}} {{.MemUsage}}' idle
check running-stream timeout 10 $T stats -i 1 --format '{{.Name}} {{.CPUPerc}}'
check pause $T pause busy
check frozen cat /sys/fs/cgroup$(cg busy)/cgroup.events
check ps-paused $T ps -a --format '{{.Names}} {{.Status}} {{.State}}'
check ps-running $T ps --format '{{.Names}}'
check inspect-paused $T inspect --format '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' busy
check paused-stream timeout 10 $T stats -i 1 --format '{{.Name}} {{.CPUPerc}}' busy
check exec-paused sh -c "$T exec busy true; echo exit=\$?"
check pause-again sh -c "$T pause busy; echo exit=\$?"
check unpause $T unpause busy
check ps-unpaused $T ps --format '{{.Names}} {{.State}}' --filter name=busy
check unpaused-stream timeout 10 $T stats -i 1 --format '{{.Name}} {{.CPUPerc}}' busy
$T pause busy >/dev/null
$T pause idle >/dev/null
check paused-both $T ps -a --format '{{.Names}} {{.State}}'
check stop-paused sh -c "$T stop -t 2 busy; echo exit=\$?; $T ps -a --format '{{.Status}}' --filter name=busy"
check kill-paused sh -c "$T kill idle; echo exit=\$?; $T wait idle; $T ps -a --format '{{.Status}}' --filter name=idle"
$T run -d --network none --name third statsimg sleep 1000 >/dev/null
$T pause third >/dev/null
check rm-paused sh -c "$T rm -f third; echo exit=\$?; $T ps -a -q --filter name=third"
`;

/** NAME's CPU % in each sample of a stream ("busy 98.13% idle 0.00% ...") but the first, which is measured from the container's start. */
function laterSamples(stream: string | undefined, name: string): number[] {
  const words = (stream ?? '').split(/\s+/);
  return words.flatMap((w, i) => (w === name && words[i + 1]?.endsWith('%') ? [parseFloat(words[i + 1]!)] : [])).slice(1);
}

describe.skipIf(skip)(`stats and pause with delegated cgroup v2${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let results = new Map<string, string>();
  beforeAll(async () => {
    mkdirSync(join(project, dirname(rootfsTar)), { recursive: true });
    writeFileSync(join(project, rootfsTar), tar(busyboxLayer()));
    ({ results } = await bootGuest(['--share', project, '--', 'sh', '-c', script]));
  }, 1_100_000);

  it('gives each container a cgroup of its own, apart from its conmon', () => {
    const [busy, idle, conmon] = (results.get('cgroups') ?? '').split(' ');
    expect(busy).toMatch(/^\/user\.slice\/.+/);
    expect(new Set([busy, idle, conmon]).size).toBe(3);
  });

  it('shows a busy container near 100 % CPU, an idle one near 0, their memory and processes, in podman\'s JSON', () => {
    const stats = JSON.parse(results.get('json') ?? '[]') as Record<string, string>[];
    const byName = new Map(stats.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual(['busy', 'idle']);
    const busy = byName.get('busy')!;
    const idle = byName.get('idle')!;
    expect(Object.keys(busy)).toEqual(['id', 'name', 'cpu_time', 'cpu_percent', 'avg_cpu', 'mem_usage', 'mem_percent', 'net_io', 'block_io', 'pids']);
    // Measured from its start, which includes the start itself: well over half a CPU under emulation.
    expect(parseFloat(busy.cpu_percent!)).toBeGreaterThan(50);
    // Its own start (a few hundred ms of CPU under emulation) is all an idle one has used.
    expect(parseFloat(idle.cpu_percent!)).toBeLessThan(15);
    expect(busy.cpu_time).toMatch(/^\d+(\.\d+)?s$/);
    expect(busy.pids).toBe('1');
    expect(idle.pids).toBe('1');
    // Some memory of its own, against the guest's RAM (no limit was set).
    expect(busy.mem_usage).toMatch(/^\d+(\.\d+)?[kM]B \/ [12](\.\d+)?GB$/);
    expect(busy.net_io).toBe('0B / 0B');
  });

  it("prints podman's table, and one container by name through a template", () => {
    expect((results.get('table') ?? '').replace(/\s+/g, ' ').startsWith('ID NAME CPU % MEM USAGE / LIMIT MEM % NET IO BLOCK IO PIDS CPU TIME AVG CPU %')).toBe(true);
    expect(results.get('named')).toMatch(/^idle 1 \d+(\.\d+)?[kM]B \/ [12](\.\d+)?GB$/);
  });

  it('measures CPU % between samples when streaming: near 100 for the busy one, 0 for the idle one', () => {
    const busy = laterSamples(results.get('running-stream'), 'busy');
    const idle = laterSamples(results.get('running-stream'), 'idle');
    expect(busy.length).toBeGreaterThan(0);
    expect(idle.length).toBeGreaterThan(0);
    for (const cpu of busy) expect(cpu).toBeGreaterThan(50);
    for (const cpu of idle) expect(cpu).toBeLessThan(2);
  });

  it('freezes a paused container: no CPU, Paused in ps -a, paused in inspect, exec refused', () => {
    expect(results.get('pause')).toBe('busy');
    expect(results.get('frozen')).toContain('frozen 1');
    expect(results.get('ps-paused')).toContain('busy Paused paused');
    expect(results.get('ps-running')).toBe('idle');
    expect(results.get('inspect-paused')).toBe('paused true false');
    const later = laterSamples(results.get('paused-stream'), 'busy');
    expect(later.length).toBeGreaterThan(0);
    for (const cpu of later) expect(cpu).toBeLessThan(2);
    expect(results.get('exec-paused')).toBe('Error: can only create exec sessions on running containers: container state improper exit=125');
    expect(results.get('pause-again')).toMatch(/^Error: "[0-9a-f]{64}" is already paused: container state improper exit=125$/);
  });

  it('lets an unpaused container run on', () => {
    expect(results.get('unpause')).toBe('busy');
    expect(results.get('ps-unpaused')).toBe('busy running');
    const later = laterSamples(results.get('unpaused-stream'), 'busy');
    expect(later.length).toBeGreaterThan(0);
    for (const cpu of later) expect(cpu).toBeGreaterThan(50);
  });

  it('still stops, kills and removes a paused container', () => {
    expect(results.get('paused-both')).toMatch(/^(busy paused idle paused|idle paused busy paused)$/);
    // The busy shell, pid 1, ignores SIGTERM: SIGKILL after 2 s ends it.
    expect(results.get('stop-paused')).toMatch(/^Warning: StopSignal SIGTERM failed to stop container busy in 2 seconds, resorting to SIGKILL busy exit=0 Exited \(137\) /);
    expect(results.get('kill-paused')).toMatch(/^idle exit=0 137 Exited \(137\) /);
    expect(results.get('rm-paused')).toBe('third exit=0');
  });
});
