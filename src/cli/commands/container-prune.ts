import { contextFromEnv } from '../../engine/context.js';
import { confirm } from '../prompt.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const containerPrune: CommandSpec = {
  name: 'prune',
  summary: 'Remove every container that is not running',
  description:
    'Removes every container that is not running (exited, or created and never started) with its own layer, and prints the id of each. Their volumes stay. Asks for confirmation unless --force is given.',
  options: [{ name: 'force', alias: 'f', type: 'boolean', describe: 'do not ask for confirmation' }],
  differences: '--filter is not supported yet.',
  run: async (args) => {
    const { listContainers, removeContainer } = await import('../../engine/containers.js');
    const ctx = contextFromEnv(process.env);
    if (!args.force && !confirm('WARNING! This will remove all non running containers.\n')) return 0;
    const idle = listContainers(ctx).filter((c) => c.state !== 'running');
    // One started meanwhile is refused by removeContainer, and said so.
    return tryEach(
      idle.map((c) => c.id),
      async (id) => {
        await removeContainer(ctx, id, { force: false, volumes: false });
        process.stdout.write(`${id}\n`);
      },
    );
  },
};
