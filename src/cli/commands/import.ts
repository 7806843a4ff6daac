import { createReadStream } from 'node:fs';
import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { type CommandSpec, fileArgument } from '../spec.js';

export const importCommand: CommandSpec = {
  name: 'import',
  summary: 'Make an image from a root filesystem tarball',
  description: [
    'Makes a one-layer image from SOURCE, a tarball of a root filesystem (plain or gzip-compressed), or standard input when SOURCE is -, and prints the new image\'s id. REFERENCE names it (a short name goes under localhost/).',
    'Each --change sets part of the image config the way a Containerfile instruction does: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR, for example --change \'CMD ["/bin/sh"]\' or --change \'ENV PATH=/bin\'. The tarball is extracted as an image layer is, with the same checks: nothing in it can write outside the layer.',
  ].join('\n\n'),
  positionals: [
    { name: 'source', describe: 'the tarball, or - for standard input', complete: 'files' },
    { name: 'reference', describe: 'the name to give the image', optional: true },
  ],
  options: [
    { name: 'change', alias: 'c', type: 'array', valueName: 'INSTRUCTION', describe: 'a config instruction to apply, such as \'CMD ["sh"]\' (repeatable)' },
    { name: 'message', alias: 'm', type: 'string', valueName: 'TEXT', describe: 'a comment for the image\'s history' },
    { name: 'quiet', alias: 'q', type: 'boolean', describe: 'print only the id (tpod prints nothing else anyway)' },
  ],
  examples: [{ command: "tar -C rootfs -c . | tpod import --change 'CMD [\"/bin/sh\"]' - myimage", describe: 'an image from a directory' }],
  differences: 'SOURCE cannot be a URL yet.',
  run: async (args) => {
    const { importImage } = await import('../../engine/import.js');
    const { nameForTag } = await import('../../engine/images.js');
    const ctx = contextFromEnv(process.env);
    const source = fileArgument(args.source);
    if (/^https?:\/\//.test(source)) throw new TpodError(`${source}: importing from a URL is not supported yet`, { hint: 'download it first' });
    const record = await importImage(ctx.store(), source === '-' ? process.stdin : createReadStream(source), {
      changes: ((args.change as string[] | undefined) ?? []).map(String),
      message: args.message as string | undefined,
      name: args.reference ? nameForTag(String(args.reference)) : undefined,
    });
    process.stdout.write(`sha256:${record.id}\n`);
  },
};
