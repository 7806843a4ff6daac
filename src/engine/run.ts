/**
 * `tpod run`: create the container, then start it attached. A run that fails
 * before its container starts leaves no container behind, --rm or not.
 */
import { log } from '../log.js';
import { lingerAdviceOnce } from '../rootless/linger.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import type { Context } from './context.js';
import { type CreateRequest, createContainer } from './create.js';
import { startAttached, startDetached } from './start.js';
import type { TransferListener } from './transfer.js';
import { removeAnonymousVolumes } from './volumes.js';

export type { NetworkMode, PullPolicy } from './create.js';
export type RunRequest = CreateRequest;

/** Runs the container to its end; returns its exit code. */
export async function runContainer(ctx: Context, req: RunRequest, listener?: TransferListener): Promise<number> {
  // bench/run.ts reads these, with start's phases: where a run's time goes.
  const begun = performance.now();
  log.debug(`run phase Node and the CLI, up to the engine: ${begun.toFixed(1)} ms`);
  const record = await createContainer(ctx, req, listener);
  log.debug(`run phase create: ${(performance.now() - begun).toFixed(1)} ms`);
  return removedOnFailure(ctx, record, () => startAttached(ctx, record));
}

/** run -d: returns the container's id once it runs under conmon. */
export async function runDetached(ctx: Context, req: RunRequest, listener?: TransferListener): Promise<string> {
  const record = await createContainer(ctx, req, listener);
  await removedOnFailure(ctx, record, () => startDetached(ctx, record));
  const advice = lingerAdviceOnce(ctx.paths.runtimeDir, ctx.session.hostUid);
  if (advice) log.warn(advice);
  return record.id;
}

/** A run whose container never started leaves no container, nor the anonymous volumes made for it. */
async function removedOnFailure<T>(ctx: Context, record: ContainerRecord, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const store = ctx.store();
    const containers = new Containers(store);
    // start leaves a container it could not start as created.
    const left = containers.get(record.id);
    if (left?.state === 'created') {
      containers.remove(record.id);
      removeAnonymousVolumes(store, left.volumes ?? []);
    }
    throw err;
  }
}
