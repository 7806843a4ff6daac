/**
 * `tpod update`: new limits for a container, kept in its record for its next
 * start and, while it runs, given to its cgroup at once by the runtime.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controllersFor, mergeResources, type OciResources } from '../cgroups/resources.js';
import { delegationFacts, judgeDelegation } from '../cgroups/detect.js';
import { planCgroups } from '../cgroups/plan.js';
import { TpodError } from '../errors.js';
import { lastRuntimeErrorIn, runtimeRoot } from '../runtime/oci-runtime.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import { findContainer } from './containers.js';
import type { Context } from './context.js';
import { configOf, runtimeOf } from './start.js';

export function updateContainer(ctx: Context, nameOrId: string, changes: OciResources): ContainerRecord {
  const c = findContainer(ctx, nameOrId);
  const config = configOf(c);
  const resources = mergeResources(config.options.resources, changes);
  if (config.cgroups?.manager !== 'systemd') {
    // Why it has no cgroup of its own: this host's reason, else how it was created.
    const delegation = judgeDelegation(delegationFacts(ctx.session.hostUid, ctx.env));
    planCgroups({ delegation, needs: controllersFor(changes) });
    throw new TpodError(`cannot update the limits of container ${c.name}: it was created without a cgroup of its own (--cgroups=disabled or --cgroup-manager=cgroupfs)`);
  }
  planCgroups({ delegation: judgeDelegation(delegationFacts(ctx.session.hostUid, ctx.env)), needs: controllersFor(resources) });
  const containers = new Containers(ctx.store());
  const bundle = containers.paths(c.id).bundle;
  if (c.state === 'running') {
    const runtime = runtimeOf(ctx, c);
    if (!runtime) throw new TpodError(`cannot update container ${c.name}: its runtime is gone`);
    const file = join(bundle, 'resources.json');
    writeFileSync(file, JSON.stringify(resources));
    const r = spawnSync(runtime.path, [...runtimeRoot(runtime), '--log', join(bundle, 'runtime.log'), '--log-format', 'json', 'update', '--resources', file, c.id], { stdio: 'ignore' });
    if (r.status !== 0) throw new TpodError(`${runtime.name} could not update container ${c.name}: ${lastRuntimeErrorIn(join(bundle, 'runtime.log')) ?? 'it logged no reason'}`);
  }
  return containers.update(c.id, { config: { ...config, options: { ...config.options, resources } } });
}
