import { contextFromEnv } from '../../engine/context.js';
import type { CommandSpec } from '../spec.js';

export const imageUntag: CommandSpec = {
  name: 'untag',
  summary: 'Take names from an image',
  description: 'Removes the given names from IMAGE, or all of its names when none is given. The image itself stays, without a name if none is left.',
  positionals: [
    { name: 'image', describe: 'the image, by name or id' },
    { name: 'name', describe: 'names to remove', variadic: true, optional: true },
  ],
  run: async (args) => {
    const { untagImage } = await import('../../engine/images.js');
    const ctx = contextFromEnv(process.env);
    untagImage(ctx.store(), ctx.registries(), String(args.image), ((args.name as string[] | undefined) ?? []).map(String));
  },
};

export const untag: CommandSpec = { ...imageUntag, podmanPage: 'podman-untag' };
