/**
 * `tpod pause` and `unpause`: a running container's processes frozen and
 * thawed by its OCI runtime through the cgroup v2 freezer of the
 * container's own cgroup; its record says so (ps shows Paused).
 */
import { TpodError } from '../errors.js';
import { freeze, thaw } from '../runtime/freeze.js';
import { statusOf } from '../storage/container-status.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import { containerCgroup, requireDelegation } from './container-cgroup.js';
import { findContainer } from './containers.js';
import type { Context } from './context.js';
import { runtimeOf } from './start.js';

function runtimeFor(ctx: Context, c: ContainerRecord) {
  const runtime = runtimeOf(ctx, c);
  if (!runtime) throw new TpodError(`the OCI runtime of container ${c.name} is gone from this host`);
  return runtime;
}

/** Freezes container NAMEORID; returns its record. */
export function pauseContainer(ctx: Context, nameOrId: string): ContainerRecord {
  const c = findContainer(ctx, nameOrId);
  const status = statusOf(c);
  if (status === 'paused') throw new TpodError(`"${c.id}" is already paused: container state improper`);
  if (status !== 'running') throw new TpodError(`"${status}" is not running, can't pause: container state improper`);
  requireDelegation(ctx, 'pause');
  // Checked here, not left to the runtime: runc would freeze a cgroup the container only shares.
  containerCgroup(ctx, c);
  const containers = new Containers(ctx.store());
  return ctx.store().locked(() => {
    if (containers.get(c.id)?.state !== 'running') throw new TpodError(`container ${c.name} stopped meanwhile`);
    freeze(runtimeFor(ctx, c), c.id);
    return containers.update(c.id, { paused: true });
  });
}

/** Thaws container NAMEORID; returns its record. */
export function unpauseContainer(ctx: Context, nameOrId: string): ContainerRecord {
  const c = findContainer(ctx, nameOrId);
  if (statusOf(c) !== 'paused') throw new TpodError(`"${c.id}" is not paused, can't unpause: container state improper`);
  const containers = new Containers(ctx.store());
  return ctx.store().locked(() => {
    thaw(runtimeFor(ctx, c), c.id);
    return containers.update(c.id, { paused: undefined });
  });
}
