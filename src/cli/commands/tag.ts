import { contextFromEnv } from '../../engine/context.js';
import type { CommandSpec } from '../spec.js';

export const imageTag: CommandSpec = {
  name: 'tag',
  summary: 'Give an image more names',
  description:
    'Adds each TARGET as a name of IMAGE. A name without a registry goes under localhost/, and one without a tag gets :latest, as with podman. A name that belonged to another image moves to this one.',
  positionals: [
    { name: 'image', describe: 'the image, by name or id' },
    { name: 'target', describe: 'the new names', variadic: true },
  ],
  examples: [{ command: 'tpod tag alpine myalpine:1', describe: 'alpine is now also localhost/myalpine:1' }],
  run: async (args) => {
    const { tagImage } = await import('../../engine/images.js');
    const ctx = contextFromEnv(process.env);
    tagImage(ctx.store(), ctx.registries(), String(args.image), (args.target as string[]).map(String));
  },
};

export const tag: CommandSpec = { ...imageTag, podmanPage: 'podman-tag' };
