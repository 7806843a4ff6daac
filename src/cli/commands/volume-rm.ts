import { TpodError, errorLine } from '../../errors.js';
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
    const { EXIT_VOLUME_IN_USE, NoSuchVolume, listVolumes, removeVolume } = await import('../../engine/volumes.js');
    const store = contextFromEnv(process.env).store();
    const given = ((args.volume as string[] | undefined) ?? []).map(String);
    if (Boolean(args.all) === given.length > 0) throw new TpodError('choose either one or more volumes or all');
    let notFound = false;
    let inUse = false;
    let failed = false;
    for (const name of args.all ? listVolumes(store).map((v) => v.name) : given) {
      try {
        removeVolume(store, name, Boolean(args.force));
        process.stdout.write(`${name}\n`);
      } catch (err) {
        process.stderr.write(`Error: ${errorLine(err)}\n`);
        if (err instanceof NoSuchVolume) notFound = true;
        else if (err instanceof TpodError && err.exitCode === EXIT_VOLUME_IN_USE) inUse = true;
        else failed = true;
      }
    }
    return failed ? 125 : inUse ? EXIT_VOLUME_IN_USE : notFound ? 1 : 0;
  },
};
