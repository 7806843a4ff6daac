/** What the spec builder needs to know about this host and this caller, read once per run. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { cgroupVersion } from '../cgroups/detect.js';
import { parseIdMap } from '../rootless/proc.js';
import { decodeCapabilityMask } from '../spec/capabilities.js';
import type { HostFacts, Limit } from '../spec/build.js';
import type { SeccompProfile } from '../spec/seccomp.js';
import { hostPlatform } from '../image/manifest.js';

const SECCOMP_PROFILE = '/usr/share/containers/seccomp.json';

/** One line of /proc/self/limits ("Max open files  1024  524288  files"). Pure. */
export function parseLimit(limits: string, name: string): Limit {
  const line = limits.split('\n').find((l) => l.startsWith(name));
  const [soft, hard] = (line?.slice(name.length).trim().split(/\s+/) ?? []).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
  return { soft: soft ?? 1024, hard: hard ?? 1024 };
}

function thermalThrottle(): string[] {
  try {
    return readdirSync('/sys/devices/system/cpu')
      .filter((d) => /^cpu\d+$/.test(d) && existsSync(`/sys/devices/system/cpu/${d}/thermal_throttle`))
      .map((d) => `/sys/devices/system/cpu/${d}/thermal_throttle`);
  } catch {
    return [];
  }
}

export function hostFacts(env: NodeJS.ProcessEnv): HostFacts {
  const limits = readFileSync('/proc/self/limits', 'utf8');
  const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return {
    env,
    hostname: hostname(),
    arch: hostPlatform().architecture,
    cgroupV2: cgroupVersion() === 'v2',
    gidCount: parseIdMap(readFileSync('/proc/self/gid_map', 'utf8')).reduce((n, e) => n + e.size, 0),
    limits: { nofile: parseLimit(limits, 'Max open files'), nproc: parseLimit(limits, 'Max processes') },
    ...(bounding ? { bounding: decodeCapabilityMask(bounding) } : {}),
    maskedPaths: thermalThrottle(),
    ...(existsSync(SECCOMP_PROFILE) ? { seccompProfile: JSON.parse(readFileSync(SECCOMP_PROFILE, 'utf8')) as SeccompProfile } : {}),
  };
}
