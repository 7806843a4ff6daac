import { createReadStream, existsSync } from 'node:fs';
import { TpodError } from '../../errors.js';
import { contextFromEnv } from '../../engine/context.js';
import { type CommandSpec, fileArgument } from '../spec.js';

export const load: CommandSpec = {
  name: 'load',
  summary: 'Load images from an archive',
  description: [
    'Reads a docker-archive or an oci-archive, as tpod save, podman save and docker save write them, from the file --input names or from standard input, and stores every image in it. The archive and its layers may be gzip-compressed. Each image gets the names the archive gives it; a name without a registry gets one as podman gives it: docker.io for a docker-archive (whose names Docker wrote), localhost/ for an oci-archive. For each name, and for each image without one, a line "Loaded image: NAME" (or "Loaded image: sha256:ID") is printed.',
    'Every digest the archive states is checked (blobs of an oci-archive by their names, each layer against the diff id its image config lists), and nothing is stored unless all of the archive is valid: a truncated or altered archive leaves storage as it was.',
  ].join('\n\n'),
  options: [
    { name: 'input', alias: 'i', type: 'string', valueName: 'FILE', describe: 'read the archive from FILE instead of standard input', complete: 'files' },
    { name: 'quiet', alias: 'q', type: 'boolean', describe: 'accepted for podman compatibility: tpod load prints no progress' },
  ],
  examples: [
    { command: 'tpod load -i alpine.tar', describe: 'the images of a docker-archive or an oci-archive' },
    { command: 'podman save alpine | tpod load', describe: 'an image from podman\'s storage into tpod\'s' },
  ],
  differences: 'tpod load prints no progress, only the "Loaded image" lines. Directories (oci-dir, docker-dir) are not read yet.',
  run: async (args) => {
    const { loadArchive } = await import('../../engine/archive.js');
    // -i - is standard input too, as with podman.
    const given = args.input === undefined ? undefined : fileArgument(args.input);
    const input = given === '-' ? undefined : given;
    if (input === undefined && process.stdin.isTTY) throw new TpodError('cannot read from terminal, use command-line redirection or the --input flag');
    if (input !== undefined && !existsSync(input)) throw new TpodError(`${input}: no such file or directory`);
    const ctx = contextFromEnv(process.env);
    const loaded = await loadArchive(ctx.store(), input === undefined ? process.stdin : createReadStream(input));
    for (const { image, names } of loaded) {
      for (const name of names.length > 0 ? names : [`sha256:${image.id}`]) process.stdout.write(`Loaded image: ${name}\n`);
    }
  },
};
