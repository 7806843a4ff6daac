/** Which OCI runtime tpod uses: crun where it works, else runc. Pure. */
import type { CgroupVersion } from '../cgroups/detect.js';

export interface RuntimeCandidate {
  readonly name: string;
  readonly path: string | undefined;
  readonly version: string | undefined;
}

export interface RuntimeVerdict extends RuntimeCandidate {
  readonly works: boolean;
  readonly reason: string;
}

export const RUNTIME_PREFERENCE = ['crun', 'runc'] as const;

export function judgeRuntime(c: RuntimeCandidate, cgroups: CgroupVersion): RuntimeVerdict {
  if (!c.path) return { ...c, works: false, reason: `not installed (sudo apt-get install ${c.name})` };
  // crun stops at start-up on a hybrid hierarchy: "cgroups in hybrid mode not supported".
  if (c.name === 'crun' && cgroups === 'hybrid') return { ...c, works: false, reason: 'refuses cgroup v1/v2 hybrid hierarchies such as this host\'s' };
  return { ...c, works: true, reason: 'usable' };
}

/** The runtime to use: the one asked for, else the first that works. */
export function chooseRuntime(verdicts: readonly RuntimeVerdict[], wanted?: string): RuntimeVerdict | undefined {
  if (wanted) return verdicts.find((v) => v.name === wanted);
  return verdicts.find((v) => v.works);
}
