import { describe, expect, it } from 'vitest';
import { cgroupsPath, planCgroups } from '../../src/cgroups/plan.js';
import { controllersFor, mergeResources, parseSize, resourcesFrom } from '../../src/cgroups/resources.js';

const MiB = 1024 * 1024;

describe('resource flags', () => {
  it('reads sizes in binary units, as podman does', () => {
    expect(parseSize('memory', '64m')).toBe(64 * MiB);
    expect(parseSize('memory', '1G')).toBe(1024 * MiB);
    expect(parseSize('memory', '1.5gb')).toBe(1536 * MiB);
    expect(parseSize('memory', '512k')).toBe(512 * 1024);
    expect(parseSize('memory', '4096')).toBe(4096);
    expect(() => parseSize('memory', 'lots')).toThrow('invalid --memory "lots": expected a size such as 512m or 1g');
  });

  it('gives as much swap as memory unless told, and -1 for unlimited swap', () => {
    expect(resourcesFrom({ memory: '64m' })).toEqual({ memory: { limit: 64 * MiB, swap: 128 * MiB } });
    expect(resourcesFrom({ memory: '64m', memorySwap: '-1' })).toEqual({ memory: { limit: 64 * MiB, swap: -1 } });
    expect(resourcesFrom({ memory: '64m', memorySwap: '64m' })).toEqual({ memory: { limit: 64 * MiB, swap: 64 * MiB } });
  });

  it('refuses what podman refuses, in one line', () => {
    expect(() => resourcesFrom({ memory: '4m' })).toThrow('the minimum memory limit is 6MB');
    expect(() => resourcesFrom({ memorySwap: '1g' })).toThrow('--memory-swap needs --memory');
    expect(() => resourcesFrom({ memory: '1g', memorySwap: '512m' })).toThrow('cannot be below --memory');
    expect(() => resourcesFrom({ cpus: '1', cpuQuota: '50000' })).toThrow('--cpus cannot be used with --cpu-period or --cpu-quota');
    expect(() => resourcesFrom({ cpus: '0' })).toThrow('invalid --cpus "0"');
    expect(() => resourcesFrom({ blkioWeight: '5' })).toThrow('invalid --blkio-weight "5": expected a whole number from 10 to 1000');
    expect(() => resourcesFrom({ cpusetCpus: '0-' })).toThrow('invalid --cpuset-cpus "0-"');
    expect(() => resourcesFrom({ cpuShares: '512', cpuWeight: '50' })).toThrow('give one');
  });

  it('turns --cpus into a quota per 100 ms period', () => {
    expect(resourcesFrom({ cpus: '0.5' })).toEqual({ cpu: { period: 100_000, quota: 50_000 } });
    expect(resourcesFrom({ cpus: '2', cpusetCpus: '0-1', cpuShares: '512' })).toEqual({ cpu: { period: 100_000, quota: 200_000, cpus: '0-1', shares: 512 } });
  });

  it('sets nothing without flags, and no pids limit for 0 or -1', () => {
    expect(resourcesFrom({})).toBeUndefined();
    expect(resourcesFrom({ pidsLimit: '-1' })).toBeUndefined();
    expect(resourcesFrom({ pidsLimit: '100' })).toEqual({ pids: { limit: 100 } });
    expect(resourcesFrom({ cpuWeight: '50', blkioWeight: '500' })).toEqual({ unified: { 'cpu.weight': '50' }, blockIO: { weight: 500 } });
  });

  it('names the controllers each limit needs', () => {
    expect(controllersFor(resourcesFrom({ memory: '64m', cpus: '1', pidsLimit: '10', cpusetCpus: '0', blkioWeight: '100' })).sort()).toEqual(['cpu', 'cpuset', 'io', 'memory', 'pids']);
    expect(controllersFor(resourcesFrom({ cpuWeight: '10' }))).toEqual(['cpu']);
    expect(controllersFor(undefined)).toEqual([]);
  });

  it('changes only the parts an update names', () => {
    const old = resourcesFrom({ memory: '64m', cpus: '1', pidsLimit: '10' })!;
    expect(mergeResources(old, resourcesFrom({ memory: '128m' })!)).toEqual({ memory: { limit: 128 * MiB, swap: 256 * MiB }, cpu: { period: 100_000, quota: 100_000 }, pids: { limit: 10 } });
  });
});

describe('cgroup plan', () => {
  const delegated = { available: true, controllers: ['cpu', 'memory', 'pids'], reason: 'systemd delegates cpu memory pids' };
  const hybrid = { available: false, controllers: [], reason: 'cgroups are v1/v2 hybrid; limits need the unified v2 hierarchy' };

  it('gives each container a systemd scope where systemd delegates, conmon one too unless told', () => {
    const plan = planCgroups({ delegation: delegated, needs: ['memory'] });
    expect(plan).toEqual({ manager: 'systemd', conmonScope: true });
    expect(cgroupsPath(plan, 'abc')).toBe('user.slice:tpod:abc');
    expect(planCgroups({ delegation: delegated, mode: 'no-conmon', needs: [] }).conmonScope).toBe(false);
    expect(planCgroups({ delegation: delegated, mode: 'split', needs: [] }).conmonScope).toBe(false);
  });

  it('runs without a cgroup where none can be had, and refuses a limit there with the reason', () => {
    expect(planCgroups({ delegation: hybrid, needs: [] })).toEqual({ manager: 'none', conmonScope: false });
    expect(cgroupsPath({ manager: 'none', conmonScope: false }, 'abc')).toBeUndefined();
    expect(() => planCgroups({ delegation: hybrid, needs: ['memory'] })).toThrow('cannot set resource limits: cgroups are v1/v2 hybrid');
    expect(() => planCgroups({ delegation: delegated, needs: ['io'] })).toThrow('systemd does not delegate the io controller(s) to your user');
    expect(() => planCgroups({ delegation: delegated, mode: 'disabled', needs: ['pids'] })).toThrow('--cgroups=disabled');
    expect(() => planCgroups({ delegation: delegated, manager: 'cgroupfs', needs: ['pids'] })).toThrow('--cgroup-manager=cgroupfs');
    expect(planCgroups({ delegation: delegated, manager: 'cgroupfs', needs: [] }).manager).toBe('none');
  });
});

describe('OOM kills', () => {
  it('reads oom_kill from memory.events', async () => {
    const { oomKills } = await import('../../src/cgroups/oom.js');
    expect(oomKills('low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n')).toBe(1);
    expect(oomKills('low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n')).toBe(0);
    expect(oomKills('')).toBe(0);
  });
});

describe('resource options', () => {
  it('gives each option given its ResourceFlags field, and nothing for the others', async () => {
    const { resourceFlags } = await import('../../src/cli/options/resources.js');
    expect(resourceFlags({ _: [], memory: '64m', 'memory-swap': '-1', 'cpuset-cpus': '0-1', 'pids-limit': '10', 'blkio-weight': '100' })).toEqual({
      memory: '64m',
      memorySwap: '-1',
      cpusetCpus: '0-1',
      pidsLimit: '10',
      blkioWeight: '100',
    });
    expect(resourceFlags({ _: [] })).toEqual({});
  });
});
