import { contextFromEnv } from '../../engine/context.js';
import { stopTime, stopTimeOption } from '../options/stop-time.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const restart: CommandSpec = {
  name: 'restart',
  summary: 'Restart containers',
  description: 'Stops each CONTAINER as tpod stop does (if it runs), then starts it again in the background, and prints what you named it by.',
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true }],
  options: [stopTimeOption],
  run: async (args) => {
    const { findContainer, stopContainer } = await import('../../engine/containers.js');
    const { startDetached } = await import('../../engine/start.js');
    const ctx = contextFromEnv(process.env);
    const time = stopTime(args);
    return tryEach(((args.container as string[] | undefined) ?? []).map(String), async (target) => {
      await stopContainer(ctx, target, time);
      await startDetached(ctx, findContainer(ctx, target));
      process.stdout.write(`${target}\n`);
    });
  },
};
