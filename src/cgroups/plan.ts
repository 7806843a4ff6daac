/**
 * Where a container's processes go in the cgroup tree, and whether its limits
 * can be had: pure, from what the host delegates and what the user asked for.
 *
 * With systemd delegating cgroup v2 (a desktop or server session), the runtime
 * asks systemd, over the user's bus, for a transient scope tpod-<id>.scope
 * with Delegate=yes in the user's user.slice and sets the limits on it; this
 * is podman's way (crun and runc both do it with --systemd-cgroup). Anywhere
 * else no cgroup is made, and a limit is refused in one line naming why.
 */
import { TpodError } from '../errors.js';
import type { Delegation } from './detect.js';

export type CgroupManager = 'systemd' | 'cgroupfs';
/** --cgroups: split is Quadlet's; tpod runs it as no-conmon (see tpod-run(1)). */
export type CgroupsMode = 'enabled' | 'disabled' | 'no-conmon' | 'split';

export const CGROUP_MANAGERS: readonly CgroupManager[] = ['systemd', 'cgroupfs'];
export const CGROUPS_MODES: readonly CgroupsMode[] = ['enabled', 'disabled', 'no-conmon', 'split'];

/** What a container's start does about cgroups; recorded at create. */
export interface CgroupPlan {
  /** Through systemd (the runtime gets --systemd-cgroup), or none made at all. */
  readonly manager: 'systemd' | 'none';
  /** conmon goes into a scope of its own (--cgroups=enabled), as podman's does. */
  readonly conmonScope: boolean;
}

export interface PlanInput {
  readonly delegation: Delegation;
  readonly manager?: CgroupManager;
  readonly mode?: CgroupsMode;
  /** The controllers the requested limits need (controllersFor). */
  readonly needs: readonly string[];
}

export function parseManager(text: string): CgroupManager {
  if (!(CGROUP_MANAGERS as readonly string[]).includes(text)) throw new TpodError(`invalid --cgroup-manager "${text}": expected systemd or cgroupfs`);
  return text as CgroupManager;
}

export function parseCgroupsMode(text: string): CgroupsMode {
  if (!(CGROUPS_MODES as readonly string[]).includes(text)) throw new TpodError(`invalid --cgroups "${text}": expected enabled, disabled, no-conmon or split`);
  return text as CgroupsMode;
}

export function planCgroups({ delegation, manager, mode = 'enabled', needs }: PlanInput): CgroupPlan {
  const none: CgroupPlan = { manager: 'none', conmonScope: false };
  const refuse = (why: string) => new TpodError(`cannot set resource limits: ${why}`);
  if (mode === 'disabled') {
    if (needs.length) throw refuse('--cgroups=disabled gives the container no cgroup to limit');
    return none;
  }
  if (manager === 'cgroupfs') {
    // A rootless cgroupfs manager needs a writable cgroup with no processes of its own: only
    // systemd gives one. podman, here, silently sets no limits; tpod says so when asked for one.
    if (needs.length) throw refuse('with --cgroup-manager=cgroupfs tpod makes no cgroups of its own (rootless); use --cgroup-manager=systemd');
    return none;
  }
  if (!delegation.available) {
    // podman too falls back to no cgroups here (with a warning); a limit cannot be had.
    if (needs.length) throw refuse(delegation.reason);
    return none;
  }
  const missing = needs.filter((c) => !delegation.controllers.includes(c));
  if (missing.length) {
    throw refuse(`systemd does not delegate the ${missing.join(', ')} controller(s) to your user; add them to Delegate= in a user@.service drop-in (sudo systemctl edit user@.service)`);
  }
  return { manager: 'systemd', conmonScope: mode === 'enabled' };
}

/** linux.cgroupsPath for container ID: slice:prefix:name, the runtime's systemd form, which makes tpod-ID.scope. */
export function cgroupsPath(plan: CgroupPlan, id: string): string | undefined {
  return plan.manager === 'systemd' ? `user.slice:tpod:${id}` : undefined;
}
