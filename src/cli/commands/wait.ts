import { contextFromEnv } from '../../engine/context.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const wait: CommandSpec = {
  name: 'wait',
  summary: 'Wait for containers to exit',
  description: 'Waits until each CONTAINER has exited and prints its exit code, one line each.',
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true }],
  differences: '--condition and --interval are not supported: tpod waits for the exit.',
  run: async (args) => {
    const { waitContainer } = await import('../../engine/containers.js');
    const ctx = contextFromEnv(process.env);
    return tryEach(((args.container as string[] | undefined) ?? []).map(String), async (target) => {
      process.stdout.write(`${await waitContainer(ctx, target)}\n`);
    });
  },
};
