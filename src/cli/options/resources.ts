/**
 * The resource limit options of run, create and update, and the flags they
 * give the engine. What each means is podman's; they need cgroup v2 delegated
 * by systemd (tpod info says whether it is).
 */
import type { ResourceFlags } from '../../cgroups/resources.js';
import type { Args, OptionSpec } from '../spec.js';

export const resourceOptions: readonly OptionSpec[] = [
  { name: 'memory', alias: 'm', type: 'string', valueName: 'SIZE', describe: 'memory limit (e.g. 64m, 1g): over it, the kernel reclaims, then kills the container (inspect shows State.OOMKilled)' },
  { name: 'memory-swap', type: 'string', valueName: 'SIZE', describe: 'memory and swap together (at least --memory; -1: unlimited swap); without it, as much swap as memory' },
  { name: 'memory-reservation', type: 'string', valueName: 'SIZE', describe: 'memory the container keeps when the host runs short (memory.low)' },
  { name: 'cpus', type: 'string', valueName: 'N', describe: 'how many CPUs the container may use, e.g. 0.5 (a quota per 100 ms period)' },
  { name: 'cpu-period', type: 'string', valueName: 'MICROSECONDS', describe: 'the CPU quota\'s period' },
  { name: 'cpu-quota', type: 'string', valueName: 'MICROSECONDS', describe: 'CPU time the container may use per period' },
  { name: 'cpu-shares', alias: 'c', type: 'string', valueName: 'SHARES', describe: 'relative CPU weight (2-262144, 1024 by default), turned into cpu.weight' },
  { name: 'cpu-weight', type: 'string', valueName: 'WEIGHT', describe: 'cgroup v2 cpu.weight (1-10000, 100 by default)' },
  { name: 'cpuset-cpus', type: 'string', valueName: 'LIST', describe: 'the CPUs the container may run on, e.g. 0-1,3' },
  { name: 'cpuset-mems', type: 'string', valueName: 'LIST', describe: 'the memory nodes the container may use' },
  { name: 'pids-limit', type: 'string', valueName: 'N', describe: 'most processes and threads the container may have (-1: no limit)' },
  { name: 'blkio-weight', type: 'string', valueName: 'WEIGHT', describe: 'relative block I/O weight (10-1000)' },
];

/** memory-swap -> memorySwap: each option's field in ResourceFlags. */
const fieldOf = (option: string): string => option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function resourceFlags(args: Args): ResourceFlags {
  return Object.fromEntries(resourceOptions.filter((o) => args[o.name] !== undefined).map((o) => [fieldOf(o.name), String(args[o.name])])) as ResourceFlags;
}
