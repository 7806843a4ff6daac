import { TpodError } from '../../errors.js';
import { tryEach } from '../try-each.js';
import { contextFromEnv } from '../../engine/context.js';
import type { CommandSpec } from '../spec.js';

export const imageRemove: CommandSpec = {
  name: 'rm',
  summary: 'Remove images from local storage',
  description: [
    'Removes each IMAGE. Named by one of several names, an image only loses that name ("Untagged"); named by its id, or by its last name, it is removed with its layers that no other image uses ("Deleted"). An image with several names is removed by id only with --force.',
    'An image that a container was made from is not removed, unless --force is given, which removes those containers too (but not a running one).',
    'Every IMAGE is tried; the exit code is 125 if any could not be removed, 2 if one is used by a container, and 1 if any was not found and nothing else failed.',
  ].join('\n\n'),
  positionals: [{ name: 'image', describe: 'image names or ids', variadic: true, optional: true }],
  options: [
    { name: 'force', alias: 'f', type: 'boolean', describe: 'remove an image even when it has several names, or containers were made from it (those go too)' },
    { name: 'all', alias: 'a', type: 'boolean', describe: 'remove every image' },
  ],
  run: async (args) => {
    const { removeImage } = await import('../../engine/images.js');
    const ctx = contextFromEnv(process.env);
    const store = ctx.store();
    const conf = ctx.registries();
    const given = ((args.image as string[] | undefined) ?? []).map(String);
    if (args.all && given.length) throw new TpodError('--all and image names cannot be given together');
    if (!args.all && !given.length) throw new TpodError('name at least one image, or use --all');
    const targets = args.all ? store.images().map((i) => i.id) : given;
    return tryEach(targets, (target) => {
      const report = removeImage(store, conf, target, Boolean(args.force || args.all));
      for (const name of report.untagged) process.stdout.write(`Untagged: ${name}\n`);
      if (report.deleted) process.stdout.write(`Deleted: ${report.deleted}\n`);
    });
  },
};

export const rmi: CommandSpec = { ...imageRemove, name: 'rmi', podmanPage: 'podman-rmi' };
