import { contextFromEnv } from '../../engine/context.js';
import { keyValues } from '../options/key-values.js';
import type { CommandSpec } from '../spec.js';

export const volumeCreate: CommandSpec = {
  name: 'create',
  summary: 'Create a new volume',
  description: [
    'Creates a volume named NAME, or with a random name when none is given, and prints its name. Names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*.',
    'The volume is empty until a container mounts it: its first container copies in what the image has at the mount point (unless nocopy) and gives the volume that directory\'s owner and mode.',
  ].join('\n\n'),
  positionals: [{ name: 'name', describe: 'the name of the new volume', optional: true }],
  options: [
    { name: 'driver', alias: 'd', type: 'string', valueName: 'DRIVER', describe: 'the volume driver; only local', default: 'local', complete: ['local'] },
    { name: 'label', alias: 'l', type: 'array', valueName: 'KEY=VALUE', describe: 'a label for the volume (repeatable)' },
    { name: 'opt', alias: 'o', type: 'array', valueName: 'KEY=VALUE', describe: 'a local driver option: uid, gid, nocopy, or type, device, o, size, inodes, noquota, copy (kept, not acted on)' },
    { name: 'ignore', type: 'boolean', describe: 'no error when the volume exists already: print its name' },
  ],
  examples: [
    { command: 'tpod volume create data', describe: 'an empty volume named data' },
    { command: 'tpod volume create --label project=web -o uid=1000 -o gid=1000 cache', describe: 'a labelled volume owned by 1000:1000' },
  ],
  differences:
    'Only the local driver. A tpod volume is always a directory under the volumes directory: the options type, device, o, size, inodes and noquota are stored (volume inspect shows them) but not acted on, so no tmpfs or device is mounted and no quota set. --uid, --gid and --pinned are not supported yet (-o uid= and -o gid= give the owner).',
  run: async (args) => {
    const { createVolume } = await import('../../engine/volumes.js');
    const ctx = contextFromEnv(process.env);
    const list = (v: unknown) => ((v as unknown[] | undefined) ?? []).map(String);
    const record = createVolume(ctx.store(), {
      name: args.name === undefined ? undefined : String(args.name),
      driver: String(args.driver),
      labels: keyValues('label', list(args.label)),
      options: keyValues('volume option', list(args.opt)),
      ignore: Boolean(args.ignore),
    });
    process.stdout.write(`${record.name}\n`);
  },
};
