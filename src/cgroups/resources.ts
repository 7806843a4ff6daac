/**
 * The resource flags of run, create and update (--memory, --cpus, ...) as the
 * OCI spec's linux.resources, checked as podman checks them, and which cgroup
 * controllers they need. Pure.
 */
import { TpodError } from '../errors.js';

export interface ResourceFlags {
  readonly memory?: string;
  readonly memorySwap?: string;
  readonly memoryReservation?: string;
  readonly cpus?: string;
  readonly cpuPeriod?: string;
  readonly cpuQuota?: string;
  readonly cpuShares?: string;
  readonly cpuWeight?: string;
  readonly cpusetCpus?: string;
  readonly cpusetMems?: string;
  readonly pidsLimit?: string;
  readonly blkioWeight?: string;
}

/** linux.resources as runc and crun read it (the parts tpod sets). */
export interface OciResources {
  memory?: { limit?: number; swap?: number; reservation?: number };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: { weight: number };
  /** cgroup v2 files by name: cpu.weight has no field of its own. */
  unified?: Record<string, string>;
}

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
// podman's floor: below it the container cannot even start its runtime's init.
const MIN_MEMORY = 6 * 1024 * 1024;
const CPU_PERIOD = 100_000;

/** 64m, 1g, 512k, 1.5GB, 1048576: binary units, as podman's RAMInBytes reads them. */
export function parseSize(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new TpodError(`invalid --${flag} "${text}": expected a size such as 512m or 1g`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] || 'b').toLowerCase()]!);
}

function integer(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text.trim()) || n < min || n > max) throw new TpodError(`invalid --${flag} "${text}": expected a whole number from ${min} to ${max}`);
  return n;
}

/** A size, or -1 for no limit (podman's --memory-swap=-1). */
function sizeOrUnlimited(flag: string, text: string): number {
  return text.trim() === '-1' ? -1 : parseSize(flag, text);
}

function memory(f: ResourceFlags): OciResources['memory'] | undefined {
  const limit = f.memory !== undefined ? parseSize('memory', f.memory) : undefined;
  if (limit !== undefined && limit < MIN_MEMORY) throw new TpodError(`invalid --memory "${f.memory}": the minimum memory limit is 6MB`);
  const reservation = f.memoryReservation !== undefined ? parseSize('memory-reservation', f.memoryReservation) : undefined;
  let swap: number | undefined;
  if (f.memorySwap !== undefined) {
    if (limit === undefined) throw new TpodError('--memory-swap needs --memory: it is the limit of memory and swap together');
    swap = sizeOrUnlimited('memory-swap', f.memorySwap);
    if (swap !== -1 && swap < limit) throw new TpodError(`invalid --memory-swap "${f.memorySwap}": it counts memory and swap together, so it cannot be below --memory`);
  } else if (limit !== undefined) {
    // As podman (and docker): as much swap as memory when not told.
    swap = 2 * limit;
  }
  if (limit !== undefined && reservation !== undefined && reservation > limit) throw new TpodError('--memory-reservation must be below --memory');
  if (limit === undefined && reservation === undefined) return undefined;
  return { ...(limit !== undefined ? { limit } : {}), ...(swap !== undefined ? { swap } : {}), ...(reservation !== undefined ? { reservation } : {}) };
}

function cpu(f: ResourceFlags): OciResources['cpu'] | undefined {
  const out: NonNullable<OciResources['cpu']> = {};
  if (f.cpus !== undefined) {
    if (f.cpuPeriod !== undefined || f.cpuQuota !== undefined) throw new TpodError('--cpus cannot be used with --cpu-period or --cpu-quota');
    const cpus = Number(f.cpus);
    if (!/^\d*\.?\d+$/.test(f.cpus.trim()) || !(cpus > 0)) throw new TpodError(`invalid --cpus "${f.cpus}": expected a number of CPUs above 0, such as 0.5 or 2`);
    out.period = CPU_PERIOD;
    out.quota = Math.round(cpus * CPU_PERIOD);
  }
  if (f.cpuPeriod !== undefined) out.period = integer('cpu-period', f.cpuPeriod, 1000, 1_000_000);
  if (f.cpuQuota !== undefined) {
    out.quota = integer('cpu-quota', f.cpuQuota, 1000, Number.MAX_SAFE_INTEGER);
    out.period ??= CPU_PERIOD;
  }
  if (f.cpuShares !== undefined) out.shares = integer('cpu-shares', f.cpuShares, 2, 262_144);
  if (f.cpusetCpus !== undefined) out.cpus = cpuset('cpuset-cpus', f.cpusetCpus);
  if (f.cpusetMems !== undefined) out.mems = cpuset('cpuset-mems', f.cpusetMems);
  return Object.keys(out).length ? out : undefined;
}

/** 0-3,5: the kernel's list format. */
function cpuset(flag: string, text: string): string {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text.trim())) throw new TpodError(`invalid --${flag} "${text}": expected a list such as 0-2,4`);
  return text.trim();
}

/** linux.resources for FLAGS, or undefined when none is set. Throws the one line podman would give. */
export function resourcesFrom(f: ResourceFlags): OciResources | undefined {
  if (f.cpuShares !== undefined && f.cpuWeight !== undefined) throw new TpodError('--cpu-shares and --cpu-weight set the same thing: give one');
  const mem = memory(f);
  const c = cpu(f);
  const pidsLimit = f.pidsLimit !== undefined ? integer('pids-limit', f.pidsLimit, -1, Number.MAX_SAFE_INTEGER) : undefined;
  const blkio = f.blkioWeight !== undefined ? integer('blkio-weight', f.blkioWeight, 10, 1000) : undefined;
  const weight = f.cpuWeight !== undefined ? integer('cpu-weight', f.cpuWeight, 1, 10_000) : undefined;
  const r: OciResources = {
    ...(mem ? { memory: mem } : {}),
    ...(c ? { cpu: c } : {}),
    // 0 and -1 both mean no limit, as with podman.
    ...(pidsLimit !== undefined && pidsLimit > 0 ? { pids: { limit: pidsLimit } } : {}),
    ...(blkio !== undefined ? { blockIO: { weight: blkio } } : {}),
    ...(weight !== undefined ? { unified: { 'cpu.weight': String(weight) } } : {}),
  };
  return Object.keys(r).length ? r : undefined;
}

/** The cgroup v2 controllers RESOURCES need delegated. */
export function controllersFor(r: OciResources | undefined): string[] {
  if (!r) return [];
  const needed = new Set<string>();
  if (r.memory) needed.add('memory');
  if (r.cpu?.quota !== undefined || r.cpu?.shares !== undefined || r.unified?.['cpu.weight']) needed.add('cpu');
  if (r.cpu?.cpus || r.cpu?.mems) needed.add('cpuset');
  if (r.pids) needed.add('pids');
  if (r.blockIO) needed.add('io');
  return [...needed];
}

/** NEW over OLD, as `tpod update` changes a container's limits: each part given replaces the old one. */
export function mergeResources(old: OciResources | undefined, changes: OciResources): OciResources {
  return {
    ...old,
    ...changes,
    ...(old?.memory || changes.memory ? { memory: { ...old?.memory, ...changes.memory } } : {}),
    ...(old?.cpu || changes.cpu ? { cpu: { ...old?.cpu, ...changes.cpu } } : {}),
    ...(old?.unified || changes.unified ? { unified: { ...old?.unified, ...changes.unified } } : {}),
  };
}
