import { createWriteStream } from 'node:fs';
import { TpodError } from '../../errors.js';
import { contextFromEnv } from '../../engine/context.js';
import type { ArchiveFormat } from '../../image/archive-format.js';
import type { CommandSpec } from '../spec.js';

const FORMATS: readonly ArchiveFormat[] = ['docker-archive', 'oci-archive'];

export const save: CommandSpec = {
  name: 'save',
  summary: 'Save images to an archive',
  description: [
    'Writes IMAGE to a tarball that tpod load, podman load and docker load read: a docker-archive (manifest.json, the image config, one uncompressed tarball per layer), or with --format oci-archive an OCI image layout (oci-layout, index.json, blobs/sha256/). The archive goes to the file --output names, or to standard output when that is not a terminal.',
    'The archive records the name IMAGE was found by (none when IMAGE is an image id), so that a load gives the image that name again. A docker-archive may hold several images: name them all; an oci-archive holds one.',
    'Each layer goes into the archive as the blob it was pulled or loaded as (decompressed for a docker-archive), so the image config and with it the image id stay the same, as with podman: after a save and a load, tpod images shows the same IMAGE ID. A layer stored by an earlier tpod, which did not keep blobs, is written from its files instead: it holds the same files, but its tarball and diff id may differ from the original, so the config in the archive lists the new diff ids and the loaded image gets a new id.',
  ].join('\n\n'),
  positionals: [{ name: 'image', describe: 'the images to save, by name or id', variadic: true }],
  options: [
    { name: 'output', alias: 'o', type: 'string', valueName: 'FILE', describe: 'write the archive to FILE instead of standard output', complete: 'files' },
    {
      name: 'format',
      type: 'string',
      valueName: 'FORMAT',
      describe: 'the archive format (oci-dir and docker-dir are not supported yet)',
      choices: [...FORMATS, 'oci-dir', 'docker-dir'],
      default: 'docker-archive',
    },
    { name: 'multi-image-archive', alias: 'm', type: 'boolean', describe: 'accepted for podman compatibility: several images always make one docker-archive' },
    { name: 'quiet', alias: 'q', type: 'boolean', describe: 'accepted for podman compatibility: tpod save prints no progress' },
  ],
  examples: [
    { command: 'tpod save -o alpine.tar alpine', describe: 'a docker-archive, for tpod load, podman load or docker load' },
    { command: 'tpod save --format oci-archive alpine | gzip > alpine.oci.tar.gz', describe: 'an OCI archive on standard output, compressed; tpod load reads it as it is' },
    { command: 'tpod save -o both.tar alpine busybox', describe: 'two images in one docker-archive' },
  ],
  differences:
    'The oci-dir and docker-dir formats, --compress and --uncompressed are not supported yet. podman takes the names after the first as extra tags for it unless -m is given; tpod always saves each named image. tpod prints no progress. The layers of an oci-archive are the blobs as pulled (gzip-compressed or not) where podman compresses them all.',
  run: async (args) => {
    const { saveImages } = await import('../../engine/archive.js');
    const format = String(args.format);
    if (!(FORMATS as readonly string[]).includes(format)) throw new TpodError(`the ${format} format is not supported yet: use docker-archive or oci-archive`);
    const output = args.output as string | undefined;
    if (!output && process.stdout.isTTY) throw new TpodError('refusing to save to terminal. Use -o flag or redirect');
    const ctx = contextFromEnv(process.env);
    await saveImages(ctx.store(), ctx.registries(), (args.image as string[]).map(String), format as ArchiveFormat, () => (output ? createWriteStream(output) : process.stdout));
  },
};
