import { TpodError } from '../../errors.js';
import { tryEach } from '../try-each.js';
import { contextFromEnv } from '../../engine/context.js';
import type { CommandSpec } from '../spec.js';

export const volumeRemove: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  summary: 'Remove volumes',
  description: [
    'Removes each VOLUME with its content, and prints its name. A volume that a container uses is not removed, unless --force is given, which removes those containers first (but not a running one).',
    'Every VOLUME is tried; the exit code is 125 if any could not be removed for another reason, else 2 if one is used by a container, else 1 if one does not exist.',
  ].join('\n\n'),
  positionals: [{ name: 'volume', describe: 'volume names', variadic: true, optional: true }],
  options: [
    { name: 'force', alias: 'f', type: 'boolean', describe: 'remove the containers that use a volume, then the volume' },
    { name: 'all', alias: 'a', type: 'boolean', describe: 'remove every volume' },
  ],
  differences: '--time is not supported: tpod has no running container that --force could stop.',
  run: async (args) => {
    const { listVolumes, removeVolume } = await import('../../engine/volumes.js');
    const store = contextFromEnv(process.env).store();
    const given = ((args.volume as string[] | undefined) ?? []).map(String);
    if (Boolean(args.all) === given.length > 0) throw new TpodError('choose either one or more volumes or all');
    return tryEach(args.all ? listVolumes(store).map((v) => v.name) : given, (name) => {
      removeVolume(store, name, Boolean(args.force));
      process.stdout.write(`${name}\n`);
    });
  },
};
