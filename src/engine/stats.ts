/**
 * `tpod stats`: samples of containers' resource use from their cgroups and
 * network namespaces. A sampler keeps each container's last sample, so CPU %
 * is measured between two samples as podman does (the first against the
 * container's start).
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { type CgroupSample, type ContainerStats, computeStats, idleStats, parseIoStat, parseKeyed, parseLimit, parseNetDev } from '../cgroups/stats.js';
import { NotFound, errnoCode } from '../errors.js';
import { statusOf } from '../storage/container-status.js';
import type { ContainerRecord } from '../storage/containers.js';
import { NoCgroup, containerCgroup, requireDelegation } from './container-cgroup.js';
import { findContainer, listContainers } from './containers.js';
import type { Context } from './context.js';
import { configOf } from './start.js';

/** Which containers: the running ones (podman's default), all, the newest, or these by name or id. */
export type StatsSelection = { readonly all: boolean } | { readonly latest: true } | { readonly names: readonly string[] };

/** A cgroup file's text; '' when its controller is not enabled there (io is not delegated by default). */
function readOptional(dir: string, file: string): string {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return '';
    throw err;
  }
}

function readSample(dir: string): CgroupSample {
  // cpu.stat is there in every v2 cgroup: without it the cgroup is gone with its container.
  const cpu = parseKeyed(readFileSync(join(dir, 'cpu.stat'), 'utf8'));
  const io = parseIoStat(readOptional(dir, 'io.stat'));
  return {
    cpuUsec: cpu.get('usage_usec') ?? 0,
    cpuSystemUsec: cpu.get('system_usec') ?? 0,
    memoryCurrent: Number(readOptional(dir, 'memory.current').trim() || 0),
    inactiveFile: parseKeyed(readOptional(dir, 'memory.stat')).get('inactive_file') ?? 0,
    memoryMax: parseLimit(readOptional(dir, 'memory.max')),
    pids: Number(readOptional(dir, 'pids.current').trim() || 0),
    ioRead: io.read,
    ioWrite: io.write,
  };
}

/** Microseconds since 1970, finer than Date.now(). */
const nowUsec = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

export class StatsSampler {
  private readonly previous = new Map<string, ContainerStats>();

  constructor(
    private readonly ctx: Context,
    private readonly selection: StatsSelection,
  ) {
    requireDelegation(ctx, 'stats');
  }

  private targets(): ContainerRecord[] {
    const s = this.selection;
    if ('names' in s) return s.names.map((n) => findContainer(this.ctx, n));
    const all = listContainers(this.ctx);
    if ('latest' in s) return all.slice(0, 1);
    return s.all ? all : all.filter((c) => statusOf(c) === 'running');
  }

  private statsOf(c: ContainerRecord): ContainerStats {
    if (c.state !== 'running') return idleStats(c.id, c.name);
    const cgroup = containerCgroup(this.ctx, c);
    let sample: CgroupSample;
    try {
      sample = readSample(cgroup.dir);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new NoCgroup(`container ${c.name} is not running`);
      throw err;
    }
    // A container on the host's network has no interfaces of its own, and podman counts none.
    const network = configOf(c).network === 'host' ? {} : parseNetDev(readOptional(`/proc/${cgroup.pid}/net`, 'dev'));
    const started = Date.parse(c.startedAt ?? c.created) * 1000;
    return computeStats({ id: c.id, name: c.name, sample, network, nowUsec: nowUsec(), startedUsec: started, hostMemory: totalmem(), previous: this.previous.get(c.id) });
  }

  /**
   * One sample of every selected container. Containers named are each an
   * error when they cannot be measured; of those listed, one that ended or
   * went meanwhile, or has no cgroup of its own, is passed by, as podman does.
   */
  sample(): ContainerStats[] {
    const byName = 'names' in this.selection;
    return this.targets().flatMap((c) => {
      try {
        const stats = this.statsOf(c);
        this.previous.set(c.id, stats);
        return [stats];
      } catch (err) {
        if (!byName && (err instanceof NoCgroup || err instanceof NotFound)) return [];
        throw err;
      }
    });
  }
}
