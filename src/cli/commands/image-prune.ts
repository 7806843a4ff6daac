import { contextFromEnv } from '../../engine/context.js';
import { confirm } from '../prompt.js';
import type { CommandSpec } from '../spec.js';

export const imagePrune: CommandSpec = {
  name: 'prune',
  summary: 'Remove images without names',
  description:
    'Removes dangling images, those without a name (left behind when a pull moved a name to a newer image), or with --all every image no container uses, with the layers nothing else uses. Prints the id of each image removed. Asks for confirmation unless --force is given.',
  options: [
    { name: 'all', alias: 'a', type: 'boolean', describe: 'remove every image that no container uses, not only those without names' },
    { name: 'force', alias: 'f', type: 'boolean', describe: 'do not ask for confirmation' },
  ],
  differences: '--filter and --build-cache are not supported yet.',
  run: async (args) => {
    const { pruneImages } = await import('../../engine/images.js');
    const ctx = contextFromEnv(process.env);
    if (!args.force) {
      const what = args.all ? 'all images without at least one container associated with them' : 'all dangling images';
      if (!confirm(`WARNING! This command removes ${what}.\n`)) return;
    }
    for (const id of pruneImages(ctx.store(), Boolean(args.all))) process.stdout.write(`${id}\n`);
  },
};
