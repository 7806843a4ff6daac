/**
 * The containers' use cases besides create and start: listing them with
 * their true state, removing them, and recovering one whose monitor is gone
 * (an attached tpod killed with SIGKILL, a conmon killed): its runtime
 * state, root mount and network helper are cleared by whoever finds it
 * first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_IN_USE, TpodError } from '../errors.js';
import { log } from '../log.js';
import { isRunning } from '../rootless/process.js';
import { conmonDirs, recordedExit } from '../runtime/conmon.js';
import { thaw } from '../runtime/freeze.js';
import { runtimeRoot } from '../runtime/oci-runtime.js';
import { stopTimeoutOf } from '../spec/stop.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import { unmountRootfs } from '../storage/rootfs.js';
import { newestFirst, orphaned } from './container-list.js';
import type { Context } from './context.js';
import { shouldRestart } from './restart-policy.js';
import { type WaitCondition, conditionMet } from './wait-condition.js';
import { configOf, finishContainer, runtimeOf, startDetached } from './start.js';
import { removeAnonymousVolumes } from './volumes.js';

/** The exit code conmon recorded for container ID, once it has exited. */
const exitCodeOf = (ctx: Context, id: string): number | undefined => recordedExit(conmonDirs(ctx.paths.runtimeDir).exitDir, id);

/**
 * Finishes container C, whose monitor (attached tpod or conmon) is gone: with
 * the exit code conmon recorded, if it got that far. Returns the record after,
 * undefined when it was removed (--rm).
 */
function recover(ctx: Context, containers: Containers, c: ContainerRecord): ContainerRecord | undefined {
  log.debug(`container ${c.name}: its monitor (pid ${c.monitor?.pid}) is gone; finishing it`);
  finishContainer(ctx, c.id, exitCodeOf(ctx, c.id));
  return containers.get(c.id);
}

/** Every container, newest first, orphans recovered. */
export function listContainers(ctx: Context): ContainerRecord[] {
  const store = ctx.store();
  const containers = new Containers(store);
  const all = containers.list();
  const fixed = all.some(orphaned) ? store.locked(() => containers.list().flatMap((c) => (orphaned(c) ? (recover(ctx, containers, c) ?? []) : [c]))) : all;
  return fixed.sort(newestFirst);
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

/** `RUNTIME kill ID SIGNAL`; false when the runtime no longer has a running container by that id. */
export function signalContainer(ctx: Context, c: ContainerRecord, signal: string): boolean {
  const runtime = runtimeOf(ctx, c);
  return runtime !== undefined && spawnSync(runtime.path, [...runtimeRoot(runtime), 'kill', c.id, signal], { stdio: 'ignore' }).status === 0;
}

/**
 * Waits until container C has ended and been finished, up to TIMEOUTMS
 * (Infinity: for good). Finishes it here as soon as conmon has written its
 * exit code, rather than waiting for conmon's exit command. Returns its
 * record then, undefined once it is removed (--rm), or false on timeout. A
 * container that conmon's exit command has started again (its restart count
 * grew: --restart, --health-on-failure=restart) has ended the run C was.
 */
export async function waitForEnd(ctx: Context, c: ContainerRecord, timeoutMs: number): Promise<ContainerRecord | undefined | false> {
  const containers = new Containers(ctx.store());
  for (const deadline = Date.now() + timeoutMs; ; await sleep(50)) {
    const now = containers.get(c.id);
    if (!now || now.state !== 'running' || (now.restartCount ?? 0) !== (c.restartCount ?? 0)) return now;
    const code = exitCodeOf(ctx, c.id);
    if (code !== undefined) finishContainer(ctx, c.id, code);
    else if (orphaned(now)) return recover(ctx, containers, now);
    else if (Date.now() >= deadline) return false;
  }
}

/** Whether C runs detached, under a conmon that is alive. */
function detachedMonitor(ctx: Context, c: ContainerRecord): boolean {
  return c.monitor !== undefined && isRunning(c.monitor) && existsSync(join(conmonDirs(ctx.paths.runtimeDir).recordDir, c.id));
}

/** A container the user stops, kills or removes stays down whatever its --restart says. */
function markStoppedByUser(ctx: Context, c: ContainerRecord): void {
  new Containers(ctx.store()).update(c.id, { stoppedByUser: true });
}

/**
 * rm -f of a detached container: killed, then finished here as soon as
 * conmon has reaped it and written its exit code; conmon itself goes then,
 * before it runs its exit command (a whole tpod) for a container about to be
 * removed. (runc delete --force would wait a tenth of a second a container.)
 */
async function killDetached(ctx: Context, c: ContainerRecord): Promise<void> {
  markStoppedByUser(ctx, c);
  signalContainer(ctx, c, 'KILL');
  for (const deadline = Date.now() + 10_000; exitCodeOf(ctx, c.id) === undefined; await sleep(5)) {
    if (Date.now() > deadline || !isRunning(c.monitor!)) break;
  }
  if (isRunning(c.monitor!)) process.kill(c.monitor!.pid, 'SIGKILL');
  finishContainer(ctx, c.id, exitCodeOf(ctx, c.id));
}

/**
 * Kills a running container and waits for its end to be recorded. One still
 * being started has no process to signal yet: it is signalled again until it
 * ends, and handed to killDetached once its conmon runs it.
 */
async function killRunning(ctx: Context, c: ContainerRecord): Promise<void> {
  markStoppedByUser(ctx, c);
  const containers = new Containers(ctx.store());
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    const now = containers.get(c.id);
    if (!now || now.state !== 'running') return;
    if (detachedMonitor(ctx, now)) return killDetached(ctx, now);
    signalContainer(ctx, now, 'KILL');
    if ((await waitForEnd(ctx, now, 250)) !== false) return;
  }
  throw new TpodError(`container ${c.name} did not stop within 10 seconds of SIGKILL`);
}

/** `tpod kill -s SIGNAL`: the signal to a running container's process. */
export function killContainer(ctx: Context, nameOrId: string, signal: string): ContainerRecord {
  const c = findContainer(ctx, nameOrId);
  if (c.state === 'running') markStoppedByUser(ctx, c);
  if (c.state !== 'running' || !signalContainer(ctx, c, signal)) {
    throw new TpodError(`can only kill running containers. ${c.id} is in state ${c.state === 'running' ? 'stopping' : c.state}: container state improper`);
  }
  return c;
}

/**
 * `tpod stop`: the stop signal (--stop-signal, the image's StopSignal, else
 * SIGTERM), then SIGKILL after TIMEOUTSEC (its --stop-timeout unless told);
 * returns once the end is recorded. A container not running is left as it
 * is.
 */
export async function stopContainer(ctx: Context, nameOrId: string, timeoutSec?: number): Promise<void> {
  const c = findContainer(ctx, nameOrId);
  if (c.state !== 'running') return;
  timeoutSec ??= stopTimeoutOf(configOf(c));
  const stopSignal = stopSignalOf(ctx, c);
  markStoppedByUser(ctx, c);
  signalContainer(ctx, c, stopSignal);
  if (c.paused) thawToStop(ctx, c);
  if ((await waitForEnd(ctx, c, timeoutSec * 1000)) !== false) return;
  log.warn(`StopSignal ${stopSignal} failed to stop container ${c.name} in ${timeoutSec} seconds, resorting to SIGKILL`);
  await killRunning(ctx, c);
}

/**
 * A paused container gets its stop signal only once thawed (docker stops it
 * so; podman leaves it paused, stop doing nothing). If the runtime cannot
 * thaw it, SIGKILL still ends it after the timeout: the cgroup v2 freezer
 * lets a fatal signal through.
 */
function thawToStop(ctx: Context, c: ContainerRecord): void {
  const runtime = runtimeOf(ctx, c);
  try {
    if (runtime) thaw(runtime, c.id);
    new Containers(ctx.store()).update(c.id, { paused: undefined });
  } catch (err) {
    log.warn(`container ${c.name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The signal `tpod stop` sends first: --stop-signal, the image's StopSignal, else SIGTERM. */
function stopSignalOf(ctx: Context, c: ContainerRecord): string {
  const given = configOf(c).stopSignal;
  if (given) return given;
  try {
    const config = JSON.parse(ctx.store().config(c.imageId).toString('utf8')) as { config?: { StopSignal?: string } };
    return config.config?.StopSignal || 'SIGTERM';
  } catch {
    return 'SIGTERM';
  }
}

export interface RemoveOptions {
  /** Kill it first if it runs. */
  readonly force: boolean;
  /** With force: stop it first, SIGKILL after this many seconds (-t), rather than kill it at once. */
  readonly stopTimeout?: number;
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
    if (options.stopTimeout !== undefined) await stopContainer(ctx, c.id, options.stopTimeout);
    if (options.stopTimeout === undefined || new Containers(ctx.store()).get(c.id)?.state === 'running') {
      if (detachedMonitor(ctx, c)) await killDetached(ctx, c);
      else await killRunning(ctx, c);
    }
    // Finished with --rm, it is gone already.
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

/**
 * The exit command conmon runs after container NAMEORID exited: finishes it
 * with the exit code conmon wrote. Without that file the container still
 * runs (or someone else finished it), and is left alone.
 */
export async function cleanUpExited(ctx: Context, nameOrId: string): Promise<void> {
  const containers = new Containers(ctx.store());
  const c = containers.find(nameOrId);
  const code = exitCodeOf(ctx, c.id);
  if (code === undefined) return;
  finishContainer(ctx, c.id, code);
  const ended = containers.get(c.id);
  // --restart, while conmon's exit commands run: as long as the user's session lasts.
  const config = ended && configOf(ended);
  const restartUnhealthy = config?.healthOnFailure === 'restart' && ended?.health?.Status === 'unhealthy';
  if (ended?.state === 'exited' && shouldRestart(config?.restart, code, ended.restartCount ?? 0, ended.stoppedByUser ?? false, restartUnhealthy)) {
    // The stop that restart made was not the user's: --restart applies again to the next end.
    if (restartUnhealthy) containers.update(c.id, { stoppedByUser: false });
    await startDetached(ctx, ended, true);
  }
}

/**
 * `tpod wait --condition`: once container NAMEORID is as one of CONDITIONS
 * asks, looked at every INTERVALMS; its exit code when that is its exit
 * (exited, or removed on it), else -1, as podman prints.
 */
export async function waitForCondition(ctx: Context, nameOrId: string, conditions: ReadonlySet<WaitCondition>, intervalMs: number): Promise<number> {
  if (conditions.size === 1 && conditions.has('exited')) return waitContainer(ctx, nameOrId);
  const containers = new Containers(ctx.store());
  const id = findContainer(ctx, nameOrId).id;
  for (;;) {
    const c = containers.get(id);
    if (!c) {
      if (conditions.has('exited')) return exitCodeOf(ctx, id) ?? -1;
      throw new TpodError(`container ${nameOrId} was removed before it was ${[...conditions].join(' or ')}`);
    }
    if (conditionMet(c, conditions)) return c.state === 'exited' && conditions.has('exited') ? (c.exitCode ?? -1) : -1;
    // Waited for as tpod wait waits for it, which records the end as soon as conmon has seen it.
    if (c.state === 'running' && conditions.has('exited')) await waitForEnd(ctx, c, intervalMs);
    else await sleep(intervalMs);
  }
}

/** `tpod wait`: the container's exit code, once it has exited. */
async function waitContainer(ctx: Context, nameOrId: string): Promise<number> {
  const c = findContainer(ctx, nameOrId);
  const ended = c.state === 'running' ? await waitForEnd(ctx, c, Infinity) : c;
  // Removed on its end (--rm): what conmon recorded is all there is.
  if (ended === false || !ended) return exitCodeOf(ctx, c.id) ?? -1;
  return ended.exitCode ?? -1;
}
