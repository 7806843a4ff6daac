/**
 * The containers' use cases besides create and start: listing them with
 * their true state, removing them, and recovering one whose tpod was killed
 * (SIGKILL gives it no chance to clean up): its runtime state, root mount
 * and network helper are cleared by whoever finds it first.
 */
import { spawnSync } from 'node:child_process';
import { EXIT_IN_USE, TpodError } from '../errors.js';
import { log } from '../log.js';
import { teardownPasta } from '../network/pasta.js';
import { teardownSlirp4netns } from '../network/slirp4netns.js';
import { isRunning } from '../rootless/process.js';
import { type Runtime, pickRuntime, removeRuntimeState } from '../runtime/oci-runtime.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import { unmountRootfs } from '../storage/rootfs.js';
import type { Context } from './context.js';
import { configOf } from './start.js';
import { removeAnonymousVolumes } from './volumes.js';

/** A record that says running while the tpod attached to it is gone. */
const orphaned = (c: ContainerRecord): boolean => c.state === 'running' && (!c.monitor || !isRunning(c.monitor));

function runtimeOf(ctx: Context, c: ContainerRecord): Runtime | undefined {
  try {
    return pickRuntime(ctx.paths.runtimeDir, configOf(c).runtime);
  } catch (err) {
    log.warn(`container ${c.name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** Clears what a killed tpod left of container C, and marks it exited (or removes it, for --rm). */
function recover(ctx: Context, containers: Containers, c: ContainerRecord): ContainerRecord | undefined {
  log.debug(`container ${c.name}: its tpod (pid ${c.monitor?.pid}) is gone; cleaning up after it`);
  const runtime = runtimeOf(ctx, c);
  // The runtime's process outlived its tpod: delete --force kills the container too.
  if (runtime) removeRuntimeState(runtime, c.id);
  unmountRootfs(containers.paths(c.id).rootfs);
  const { network } = configOf(c);
  if (network === 'pasta') teardownPasta(ctx.paths.runtimeDir, c.id);
  if (network === 'slirp4netns') teardownSlirp4netns(ctx.paths.runtimeDir, c.id);
  if (c.autoRemove) {
    containers.remove(c.id);
    removeAnonymousVolumes(ctx.store(), c.volumes ?? []);
    return undefined;
  }
  return containers.update(c.id, { state: 'exited', finishedAt: new Date().toISOString(), monitor: undefined });
}

/** Every container, newest first, orphans recovered. */
export function listContainers(ctx: Context): ContainerRecord[] {
  const store = ctx.store();
  const containers = new Containers(store);
  const all = containers.list();
  const fixed = all.some(orphaned) ? store.locked(() => containers.list().flatMap((c) => (orphaned(c) ? (recover(ctx, containers, c) ?? []) : [c]))) : all;
  return fixed.sort((a, b) => b.created.localeCompare(a.created));
}

/** The container by name, id or id prefix, recovered first if orphaned. */
export function findContainer(ctx: Context, nameOrId: string): ContainerRecord {
  const store = ctx.store();
  const containers = new Containers(store);
  const found = containers.find(nameOrId);
  if (!orphaned(found)) return found;
  const fixed = store.locked(() => {
    const now = containers.get(found.id);
    return now && orphaned(now) ? recover(ctx, containers, now) : now;
  });
  if (!fixed) throw new TpodError(`container ${found.name} was removed meanwhile`);
  return fixed;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Kills a running container and waits (up to TIMEOUTMS) for its tpod to record the end. */
async function killRunning(ctx: Context, c: ContainerRecord, timeoutMs = 10_000): Promise<void> {
  const runtime = runtimeOf(ctx, c);
  if (runtime) spawnSync(runtime.path, ['--root', runtime.stateRoot, 'kill', c.id, 'KILL'], { stdio: 'ignore' });
  const containers = new Containers(ctx.store());
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    const now = containers.get(c.id);
    if (!now || now.state !== 'running' || orphaned(now)) return;
  }
  throw new TpodError(`container ${c.name} did not stop within ${timeoutMs / 1000} seconds`);
}

export interface RemoveOptions {
  /** Kill it first if it runs. */
  readonly force: boolean;
  /** Its anonymous volumes go too (-v). */
  readonly volumes: boolean;
}

/** Removes the container; returns its id. A running one only with force. */
export async function removeContainer(ctx: Context, nameOrId: string, options: RemoveOptions): Promise<string> {
  let c = findContainer(ctx, nameOrId);
  if (c.state === 'running') {
    if (!options.force) {
      throw new TpodError(`cannot remove container ${c.id} as it is running - running or paused containers cannot be removed without force: container state improper`, { exitCode: EXIT_IN_USE });
    }
    await killRunning(ctx, c);
    // Its tpod removes it itself when it was started with --rm.
    const now = new Containers(ctx.store()).get(c.id);
    if (!now) return c.id;
    c = findContainer(ctx, c.id);
  }
  const store = ctx.store();
  const containers = new Containers(store);
  store.locked(() => {
    unmountRootfs(containers.paths(c.id).rootfs);
    containers.remove(c.id);
  });
  if (options.volumes) removeAnonymousVolumes(store, c.volumes ?? []);
  return c.id;
}
