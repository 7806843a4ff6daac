/** tpod stats' and pause's pure parts: cgroup v2 files, podman's CPU % maths, its columns, JSON and table formats. */
import { describe, expect, it } from 'vitest';
import { type CgroupSample, computeStats, cpuPercent, idleStats, parseIoStat, parseKeyed, parseLimit, parseNetDev, parseProcCgroup } from '../../src/cgroups/stats.js';
import { statsFields, statsJson, statsSelection } from '../../src/cli/commands/stats.js';
import { renderRows } from '../../src/cli/output/table-format.js';
import { goBytesSize, goHumanSize } from '../../src/cli/output/units.js';
import { statusOf } from '../../src/storage/container-status.js';
import type { ContainerRecord } from '../../src/storage/containers.js';

const CPU_STAT = 'usage_usec 15277709\nuser_usec 10168346\nsystem_usec 5109363\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n';
// From the Debian guest: lo is what a port forwarder uses, not the container's own traffic.
const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     840      12    0    0    0     0          0         0      840      12    0    0    0     0       0          0
enp0s1:    1500       3    1    2    0     0          0         0      516       6    0    4    0     0       0          0
`;

describe('cgroup v2 files', () => {
  it('finds the v2 cgroup in /proc/PID/cgroup, also beside v1 lines of a hybrid host', () => {
    expect(parseProcCgroup('0::/user.slice/user-1000.slice/user@1000.service/user.slice/tpod-abc.scope\n')).toBe('/user.slice/user-1000.slice/user@1000.service/user.slice/tpod-abc.scope');
    expect(parseProcCgroup('12:pids:/user.slice\n1:name=systemd:/user.slice\n0::/user.slice/session-1.scope\n')).toBe('/user.slice/session-1.scope');
    expect(parseProcCgroup('12:pids:/user.slice\n')).toBeUndefined();
  });

  it('reads flat-keyed files, limits that may be "max", and sums io.stat over devices', () => {
    const cpu = parseKeyed(CPU_STAT);
    expect(cpu.get('usage_usec')).toBe(15277709);
    expect(cpu.get('system_usec')).toBe(5109363);
    expect(parseLimit('max\n')).toBeUndefined();
    expect(parseLimit('536870912\n')).toBe(536870912);
    expect(parseIoStat('254:0 rbytes=50573312 wbytes=4026368 rios=550 wios=15 dbytes=0 dios=0\n8:0 rbytes=10 wbytes=5 rios=1 wios=1 dbytes=0 dios=0\n')).toEqual({ read: 50573322, write: 4026373 });
    expect(parseIoStat('')).toEqual({ read: 0, write: 0 });
  });

  it('counts the interfaces of /proc/PID/net/dev but loopback', () => {
    expect(parseNetDev(NET_DEV)).toEqual({ enp0s1: { rxBytes: 1500, rxPackets: 3, rxErrors: 1, rxDropped: 2, txBytes: 516, txPackets: 6, txErrors: 0, txDropped: 4 } });
  });
});

const sample = (over: Partial<CgroupSample> = {}): CgroupSample => ({
  cpuUsec: 0,
  cpuSystemUsec: 0,
  memoryCurrent: 100_000_000,
  inactiveFile: 20_000_000,
  memoryMax: undefined,
  pids: 3,
  ioRead: 1000,
  ioWrite: 2000,
  ...over,
});
const HOST = 2_000_000_000;
const START = 1_700_000_000_000_000;

describe("podman's numbers", () => {
  it('measures CPU % against the container start first, then against the last sample; one busy thread is 100 %', () => {
    // 4 s since the start, 3 s of CPU: 75 % for the first sample and on average.
    const first = computeStats({ id: 'a', name: 'n', sample: sample({ cpuUsec: 3_000_000 }), network: {}, nowUsec: START + 4_000_000, startedUsec: START, hostMemory: HOST, previous: undefined });
    expect(first.cpu).toBeCloseTo(75);
    expect(first.avgCpu).toBeCloseTo(75);
    // One more second, all of it busy: 100 % now, 80 % since the start.
    const second = computeStats({ id: 'a', name: 'n', sample: sample({ cpuUsec: 4_000_000 }), network: {}, nowUsec: START + 5_000_000, startedUsec: START, hostMemory: HOST, previous: first });
    expect(second.cpu).toBeCloseTo(100);
    expect(second.avgCpu).toBeCloseTo(80);
    // Frozen (paused) for a second: nothing used.
    const third = computeStats({ id: 'a', name: 'n', sample: sample({ cpuUsec: 4_000_000 }), network: {}, nowUsec: START + 6_000_000, startedUsec: START, hostMemory: HOST, previous: second });
    expect(third.cpu).toBe(0);
  });

  it('starts over from the start when less CPU was used than last time (restarted in a new cgroup)', () => {
    const before = computeStats({ id: 'a', name: 'n', sample: sample({ cpuUsec: 9_000_000 }), network: {}, nowUsec: START + 10_000_000, startedUsec: START, hostMemory: HOST, previous: undefined });
    const after = computeStats({ id: 'a', name: 'n', sample: sample({ cpuUsec: 1_000_000 }), network: {}, nowUsec: START + 12_000_000, startedUsec: START + 10_000_000, hostMemory: HOST, previous: before });
    expect(after.cpu).toBeCloseTo(50);
  });

  it('counts memory less inactive page cache, against memory.max or else the host memory', () => {
    const none = computeStats({ id: 'a', name: 'n', sample: sample(), network: {}, nowUsec: START + 1, startedUsec: START, hostMemory: HOST, previous: undefined });
    expect(none.memUsage).toBe(80_000_000);
    expect(none.memLimit).toBe(HOST);
    expect(none.memPerc).toBeCloseTo(4);
    const limited = computeStats({ id: 'a', name: 'n', sample: sample({ memoryMax: 160_000_000 }), network: {}, nowUsec: START + 1, startedUsec: START, hostMemory: HOST, previous: undefined });
    expect(limited.memLimit).toBe(160_000_000);
    expect(limited.memPerc).toBeCloseTo(50);
    // A limit above the host's memory cannot be reached: the host's is shown.
    expect(computeStats({ id: 'a', name: 'n', sample: sample({ memoryMax: 4 * HOST }), network: {}, nowUsec: START + 1, startedUsec: START, hostMemory: HOST, previous: undefined }).memLimit).toBe(HOST);
    expect(computeStats({ id: 'a', name: 'n', sample: sample({ inactiveFile: 2e9 }), network: {}, nowUsec: START + 1, startedUsec: START, hostMemory: HOST, previous: undefined }).memUsage).toBe(0);
  });

  it('gives no CPU % for no time or no use', () => {
    expect(cpuPercent(10, 0)).toBe(0);
    expect(cpuPercent(0, 10)).toBe(0);
    expect(cpuPercent(250, 1000)).toBe(25);
  });
});

describe("podman's columns", () => {
  const id = 'a9f807ffaacd3b33001239ee4a44a8f5c6a3e0d2cbfbb0e7c2b5c6f7a8d9e0f1';
  const s = computeStats({
    id,
    name: 'busy',
    sample: sample({ cpuUsec: 61_243_525, memoryCurrent: 120_294_656, inactiveFile: 20_000_000, memoryMax: 536_870_912, pids: 2, ioRead: 50_573_312, ioWrite: 4_026_368 }),
    network: parseNetDev(NET_DEV),
    nowUsec: START + 122_487_050,
    startedUsec: START,
    hostMemory: HOST,
    previous: undefined,
  });

  it('prints sizes as go-units does, percentages with two decimals and CPU time as a Go duration', () => {
    const f = statsFields(s, false);
    expect(f.ID).toBe('a9f807ffaacd');
    expect(f.CPUPerc).toBe('50.00%');
    expect(f.AVGCPU).toBe('50.00%');
    expect(f.MemUsage).toBe('100.3MB / 536.9MB');
    expect(f.MemUsageBytes).toBe('95.65MiB / 512MiB');
    expect(f.MemPerc).toBe('18.68%');
    expect(f.NetIO).toBe('1.5kB / 516B');
    expect(f.BlockIO).toBe('50.57MB / 4.026MB');
    expect(f.PIDS).toBe('2');
    expect(f.UpTime).toBe('1m1.243525s');
    expect(f.CPUNano).toBe(61_243_525_000n);
    expect(statsFields(s, true).ID).toBe(id);
    expect(goHumanSize(0)).toBe('0B');
    expect(goHumanSize(999_950)).toBe('1000kB');
    expect(goBytesSize(1536)).toBe('1.5KiB');
  });

  it("shows a container that does not run with zeros, as podman's --all does", () => {
    const f = statsFields(idleStats(id, 'idle'), false);
    expect([f.CPUPerc, f.MemUsage, f.MemPerc, f.NetIO, f.BlockIO, f.PIDS, f.UpTime, f.AVGCPU]).toEqual(['0.00%', '0B / 0B', '0.00%', '0B / 0B', '0B / 0B', '0', '0s', '0.00%']);
  });

  it("writes --format json with podman's keys and one-space indent", () => {
    const json = statsJson([statsFields(s, false)]);
    expect(json.split('\n')[2]).toBe('  "id": "a9f807ffaacd",');
    expect(JSON.parse(json)).toEqual([
      { id: 'a9f807ffaacd', name: 'busy', cpu_time: '1m1.243525s', cpu_percent: '50.00%', avg_cpu: '50.00%', mem_usage: '100.3MB / 536.9MB', mem_percent: '18.68%', net_io: '1.5kB / 516B', block_io: '50.57MB / 4.026MB', pids: '2' },
    ]);
  });

  it("renders 'table' formats with podman's headers, and other templates once per row", () => {
    const rows = [statsFields(s, false), statsFields(idleStats(id.replace('a', 'b'), 'idle'), false)];
    const headers = { ID: 'ID', MemUsage: 'MEM USAGE / LIMIT', CPUPerc: 'CPU %' };
    expect(renderRows('table {{.ID}} {{ .MemUsage }}\t{{.CPUPerc}} {{.ContainerID}}', rows.slice(0, 1), headers)).toBe(
      `ID            MEM USAGE / LIMIT  CPU %   CONTAINER ID\na9f807ffaacd  100.3MB / 536.9MB  50.00%  ${id}\n`,
    );
    expect(renderRows('{{.Name}}: {{.PIDS}}', rows, headers)).toBe('busy: 2\nidle: 0\n');
    expect(renderRows('table {{.CPUNano}} {{.PIDs}} {{.BlockInput}}', rows.slice(0, 1), headers).split('\n')[0]).toBe('CPU NANO     PI DS  BLOCK INPUT');
    expect(renderRows('{{.Name}}\\t{{.PIDs}}\\n', rows, headers)).toBe('busy\t2\nidle\t0\n');
  });

  it('takes --all, --latest or containers, one at a time', () => {
    expect(statsSelection([], false, false)).toEqual({ all: false });
    expect(statsSelection([], true, false)).toEqual({ all: true });
    expect(statsSelection([], false, true)).toEqual({ latest: true });
    expect(statsSelection(['a', 'b'], false, false)).toEqual({ names: ['a', 'b'] });
    expect(() => statsSelection(['a'], true, false)).toThrow('--all, --latest and containers cannot be used together');
    expect(() => statsSelection([], true, true)).toThrow('--all, --latest and containers cannot be used together');
  });
});

describe('a paused container', () => {
  it('is "paused" to ps and inspect while it runs, and what its state says otherwise', () => {
    const record = { state: 'running', paused: true } as ContainerRecord;
    expect(statusOf(record)).toBe('paused');
    expect(statusOf({ ...record, paused: undefined })).toBe('running');
    // A flag a crash left behind does not outlive the run.
    expect(statusOf({ ...record, state: 'exited' })).toBe('exited');
  });
});
