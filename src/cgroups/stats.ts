/**
 * A container's resource use as `podman stats` reports it, from the files of
 * its cgroup v2 directory and its network namespace's /proc/PID/net/dev.
 * Pure: the files' text comes in, numbers go out. Times are microseconds
 * (cgroup v2 counts CPU in them; nanoseconds since 1970 would not fit a
 * double exactly).
 */

/** The v2 ("0::") cgroup of a /proc/PID/cgroup, relative to the cgroup root; undefined when there is none. */
export function parseProcCgroup(text: string): string | undefined {
  return /^0::(\/.*)$/m.exec(text)?.[1];
}

/** A flat-keyed cgroup file (cpu.stat, memory.stat): "key value" lines. */
export function parseKeyed(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && /^\d+$/.test(value)) values.set(key, Number(value));
  }
  return values;
}

/** A single-value file that may say "max" (memory.max, pids.max): undefined for no limit. */
export function parseLimit(text: string): number | undefined {
  const value = text.trim();
  return value === 'max' || value === '' ? undefined : Number(value);
}

/** Bytes read and written, summed over the devices of an io.stat ("MAJ:MIN rbytes=N wbytes=N ..."). */
export function parseIoStat(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const m of text.matchAll(/\b([rw])bytes=(\d+)/g)) {
    if (m[1] === 'r') read += Number(m[2]);
    else write += Number(m[2]);
  }
  return { read, write };
}

export interface InterfaceCounters {
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly rxErrors: number;
  readonly rxDropped: number;
  readonly txBytes: number;
  readonly txPackets: number;
  readonly txErrors: number;
  readonly txDropped: number;
}

/**
 * The interfaces of a /proc/PID/net/dev but loopback, as podman counts them:
 * traffic a port forwarder hands in over lo is not the container's own.
 */
export function parseNetDev(text: string): Record<string, InterfaceCounters> {
  const interfaces: Record<string, InterfaceCounters> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (name === 'lo' || f.length < 16) continue;
    interfaces[name] = { rxBytes: f[0]!, rxPackets: f[1]!, rxErrors: f[2]!, rxDropped: f[3]!, txBytes: f[8]!, txPackets: f[9]!, txErrors: f[10]!, txDropped: f[11]! };
  }
  return interfaces;
}

/** What one read of a container's cgroup files gives. */
export interface CgroupSample {
  /** cpu.stat usage_usec and system_usec. */
  readonly cpuUsec: number;
  readonly cpuSystemUsec: number;
  /** memory.current, and memory.stat's inactive_file (page cache the kernel drops first). */
  readonly memoryCurrent: number;
  readonly inactiveFile: number;
  /** memory.max; undefined for "max". */
  readonly memoryMax: number | undefined;
  readonly pids: number;
  readonly ioRead: number;
  readonly ioWrite: number;
}

/** podman's define.ContainerStats, in microseconds where podman has nanoseconds. */
export interface ContainerStats {
  readonly id: string;
  readonly name: string;
  /** CPU % since the previous sample (the container's start for the first). */
  readonly cpu: number;
  /** CPU % since the container's start. */
  readonly avgCpu: number;
  readonly cpuUsec: number;
  readonly cpuSystemUsec: number;
  /** When this sample was taken, microseconds since 1970. */
  readonly systemUsec: number;
  readonly memUsage: number;
  readonly memLimit: number;
  readonly memPerc: number;
  readonly network: Readonly<Record<string, InterfaceCounters>>;
  readonly blockInput: number;
  readonly blockOutput: number;
  readonly pids: number;
}

/** A container that does not run: podman lists it with zeros. */
export function idleStats(id: string, name: string): ContainerStats {
  return { id, name, cpu: 0, avgCpu: 0, cpuUsec: 0, cpuSystemUsec: 0, systemUsec: 0, memUsage: 0, memLimit: 0, memPerc: 0, network: {}, blockInput: 0, blockOutput: 0, pids: 0 };
}

/** CPU time used over wall-clock time passed, in percent: one busy thread is 100 %, as in podman (not divided by the CPUs). */
export function cpuPercent(cpuDeltaUsec: number, wallDeltaUsec: number): number {
  return wallDeltaUsec > 0 && cpuDeltaUsec > 0 ? (cpuDeltaUsec / wallDeltaUsec) * 100 : 0;
}

export interface StatsInput {
  readonly id: string;
  readonly name: string;
  readonly sample: CgroupSample;
  readonly network: Readonly<Record<string, InterfaceCounters>>;
  readonly nowUsec: number;
  readonly startedUsec: number;
  /** The host's RAM: the limit of a container without one, and the cap of any. */
  readonly hostMemory: number;
  /** This container's last sample, undefined for the first. */
  readonly previous: ContainerStats | undefined;
}

/** One sample's report, with CPU % against the previous one as podman computes it. */
export function computeStats(input: StatsInput): ContainerStats {
  const { sample, nowUsec, startedUsec } = input;
  // Less CPU used than last time: it was restarted in a new cgroup, so measure from its start.
  const previous = input.previous && input.previous.cpuUsec <= sample.cpuUsec ? input.previous : undefined;
  const base = previous ? { cpu: previous.cpuUsec, at: previous.systemUsec } : { cpu: 0, at: startedUsec };
  // docker's and podman's usage: what the container holds, less page cache it can give back.
  const memUsage = Math.max(0, sample.memoryCurrent - sample.inactiveFile);
  const memLimit = sample.memoryMax === undefined || sample.memoryMax <= 0 || sample.memoryMax > input.hostMemory ? input.hostMemory : sample.memoryMax;
  return {
    id: input.id,
    name: input.name,
    cpu: cpuPercent(sample.cpuUsec - base.cpu, nowUsec - base.at),
    avgCpu: cpuPercent(sample.cpuUsec, nowUsec - startedUsec),
    cpuUsec: sample.cpuUsec,
    cpuSystemUsec: sample.cpuSystemUsec,
    systemUsec: nowUsec,
    memUsage,
    memLimit,
    memPerc: memLimit > 0 ? (memUsage / memLimit) * 100 : 0,
    network: input.network,
    blockInput: sample.ioRead,
    blockOutput: sample.ioWrite,
    pids: sample.pids,
  };
}
