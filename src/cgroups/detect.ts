/**
 * Which cgroup hierarchy this host has, and whether systemd delegates a v2
 * subtree to us (the only way an unprivileged user gets resource limits).
 */
import { existsSync, readFileSync, statfsSync } from 'node:fs';

export type CgroupVersion = 'v2' | 'hybrid' | 'v1';
const CGROUP2_MAGIC = 0x63677270;

export function cgroupVersion(root = '/sys/fs/cgroup'): CgroupVersion {
  if (statfsSync(root).type === CGROUP2_MAGIC) return 'v2';
  try {
    if (statfsSync(`${root}/unified`).type === CGROUP2_MAGIC) return 'hybrid';
  } catch {
    // no unified mount: plain v1
  }
  return 'v1';
}

export interface DelegationFacts {
  readonly cgroupVersion: CgroupVersion;
  readonly systemdRunning: boolean;
  readonly userBus: boolean;
  /** Controllers enabled for the user's systemd instance (user@UID.service). */
  readonly controllers: readonly string[];
}

export interface Delegation {
  readonly available: boolean;
  readonly controllers: readonly string[];
  readonly reason: string;
}

/** Pure: whether limits can work, and in one line why not. */
export function judgeDelegation(f: DelegationFacts): Delegation {
  const no = (reason: string): Delegation => ({ available: false, controllers: f.controllers, reason });
  if (f.cgroupVersion !== 'v2') return no(`cgroups are ${f.cgroupVersion === 'hybrid' ? 'v1/v2 hybrid' : 'v1'}; limits need the unified v2 hierarchy (boot with systemd.unified_cgroup_hierarchy=1)`);
  if (!f.systemdRunning) return no('systemd is not the init system, so nothing delegates a cgroup subtree to you');
  if (!f.userBus) return no('no systemd user session bus (log in through pam_systemd, or enable lingering: loginctl enable-linger)');
  const missing = ['memory', 'pids', 'cpu'].filter((c) => !f.controllers.includes(c));
  if (missing.length) return no(`systemd does not delegate the ${missing.join(', ')} controller(s) to your user; add Delegate= in a user@.service drop-in`);
  return { available: true, controllers: f.controllers, reason: `systemd delegates ${f.controllers.join(' ')}` };
}

export function delegationFacts(uid: number, env: NodeJS.ProcessEnv): DelegationFacts {
  const version = cgroupVersion();
  let controllers: string[] = [];
  if (version === 'v2') {
    try {
      const dir = `/sys/fs/cgroup/user.slice/user-${uid}.slice/user@${uid}.service`;
      controllers = readFileSync(`${dir}/cgroup.controllers`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      // no user@.service cgroup: nothing delegated
    }
  }
  const bus = env.DBUS_SESSION_BUS_ADDRESS ?? (env.XDG_RUNTIME_DIR ? `unix:path=${env.XDG_RUNTIME_DIR}/bus` : '');
  const busPath = /unix:path=([^,;]+)/.exec(bus)?.[1];
  return {
    cgroupVersion: version,
    systemdRunning: existsSync('/run/systemd/system'),
    userBus: busPath ? existsSync(busPath) : bus !== '',
    controllers,
  };
}
