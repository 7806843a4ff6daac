import { contextFromEnv } from '../../engine/context.js';
import { confirm } from '../prompt.js';
import type { CommandSpec } from '../spec.js';

export const volumePrune: CommandSpec = {
  name: 'prune',
  summary: 'Remove all unused volumes',
  description:
    'Removes every volume that no container uses, with its content, and prints the name of each. Asks for confirmation, listing them, unless --force is given.',
  options: [{ name: 'force', alias: 'f', type: 'boolean', describe: 'do not ask for confirmation' }],
  differences: '--filter is not supported yet.',
  run: async (args) => {
    const { pruneVolumes, unusedVolumes } = await import('../../engine/volumes.js');
    const store = contextFromEnv(process.env).store();
    if (!args.force) {
      const unused = unusedVolumes(store);
      if (unused.length === 0) {
        process.stdout.write('No dangling volumes found\n');
        return;
      }
      if (!confirm(`WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:\n${unused.map((n) => `${n}\n`).join('')}`)) return;
    }
    for (const name of pruneVolumes(store)) process.stdout.write(`${name}\n`);
  },
};
