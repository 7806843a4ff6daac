/** `tpod attach`: to a container running detached under conmon. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TpodError } from '../errors.js';
import { attachThroughConmon } from '../runtime/attach.js';
import { attachName, conmonDirs } from '../runtime/conmon.js';
import type { Context } from './context.js';
import { findContainer, signalContainer, waitForEnd } from './containers.js';
import { configOf } from './start.js';

export interface AttachOptions {
  /** --no-stdin: keep our input to ourselves. */
  readonly noStdin: boolean;
  readonly detachKeys: Buffer;
  /** --sig-proxy: the signals tpod gets go to the container (without a terminal, as podman). */
  readonly sigProxy: boolean;
}

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/** Returns the container's exit code once it ends, or undefined when the user detached. */
export async function attachContainer(ctx: Context, nameOrId: string, options: AttachOptions): Promise<number | undefined> {
  const c = findContainer(ctx, nameOrId);
  if (c.state !== 'running') throw new TpodError(`you can only attach to running containers: container state improper`);
  // conmon made the socket in a directory of short paths, linked to the bundle.
  const dir = join(conmonDirs(ctx.paths.runtimeDir).socketDir, attachName(c.id));
  if (!existsSync(join(dir, 'attach'))) throw new TpodError(`container ${c.name} runs attached to the tpod that started it: only a container started detached (run -d, start) can be attached to`);
  const config = configOf(c);
  // With a terminal, ^C is a byte for the container's terminal already; podman proxies only without one.
  const proxy = options.sigProxy && !config.options.tty ? (signal: NodeJS.Signals) => void signalContainer(ctx, c, signal) : undefined;
  if (proxy) for (const signal of PROXIED) process.on(signal, proxy);
  const how = await attachThroughConmon(join(dir, 'attach'), join(dir, 'ctl'), {
    stdin: config.interactive && !options.noStdin,
    terminal: Boolean(config.options.tty),
    detachKeys: options.detachKeys,
  });
  if (how === 'detached') {
    if (proxy) for (const signal of PROXIED) process.off(signal, proxy);
    return undefined;
  }
  const ended = await waitForEnd(ctx, c, Infinity);
  return ended ? (ended.exitCode ?? 0) : 0;
}
