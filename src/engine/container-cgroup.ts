/**
 * A running container's own cgroup v2 directory, which stats reads and pause
 * freezes, as the host sees it (/proc/PID/cgroup "0::/path" ->
 * /sys/fs/cgroup/path): the scope systemd made for it. A container that
 * only shares its monitor's cgroup has none of its own: freezing that would
 * freeze its conmon, or the user's own session, with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { delegationFacts, judgeDelegation } from '../cgroups/detect.js';
import { parseProcCgroup } from '../cgroups/stats.js';
import { TpodError } from '../errors.js';
import { runtimeStatus } from '../runtime/freeze.js';
import type { ContainerRecord } from '../storage/containers.js';
import type { Context } from './context.js';
import { runtimeOf } from './start.js';

/** The container has no cgroup of its own, or no process any more: stats of every container passes it by. */
export class NoCgroup extends TpodError {}

/** Throws unless cgroup v2 is delegated to the user; WHAT is the command, as podman names it. */
export function requireDelegation(ctx: Context, what: string): void {
  const delegation = judgeDelegation(delegationFacts(ctx.session.hostUid, ctx.env));
  if (!delegation.available) throw new TpodError(`${what} is not supported in rootless mode without cgroup v2 delegation: ${delegation.reason}`);
}

/** Process PID's cgroup v2 directory; undefined once it is gone. */
function cgroupDirOf(pid: number): string | undefined {
  try {
    const path = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    return path === undefined ? undefined : join('/sys/fs/cgroup', path);
  } catch {
    return undefined;
  }
}

export interface ContainerCgroup {
  /** The container's first process. */
  readonly pid: number;
  /** Its cgroup directory under /sys/fs/cgroup. */
  readonly dir: string;
}

/** Running container C's own cgroup; throws NoCgroup when its process is gone or it has none. */
export function containerCgroup(ctx: Context, c: ContainerRecord): ContainerCgroup {
  // Attached containers have no pid in their record: the runtime knows it.
  const runtime = c.pid === undefined ? runtimeOf(ctx, c) : undefined;
  const pid = c.pid ?? (runtime ? runtimeStatus(runtime, c.id)?.pid : undefined);
  const dir = pid ? cgroupDirOf(pid) : undefined;
  if (!pid || dir === undefined) throw new NoCgroup(`container ${c.name} is not running`);
  if (c.monitor && dir === cgroupDirOf(c.monitor.pid)) {
    throw new NoCgroup(`container ${c.name} has no cgroup of its own: it shares ${dir} with its monitor (pid ${c.monitor.pid})`, {
      hint: 'it was created with --cgroups=disabled or --cgroup-manager=cgroupfs, or where systemd delegated no cgroup v2 (tpod info says whether it does)',
    });
  }
  return { pid, dir };
}
