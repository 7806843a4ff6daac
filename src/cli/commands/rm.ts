import { rmSync } from 'node:fs';
import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { cidfileOptions, idsFromCidfiles, unlessIgnored } from '../options/cidfile.js';
import { stopTime } from '../options/stop-time.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const rm: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  summary: 'Remove containers',
  description: [
    'Removes each CONTAINER (a name, an id or a unique id prefix) with its own layer, and prints what you named it by. A running container is removed only with --force, which kills it first.',
    'Every CONTAINER is tried; the exit code is 125 if any could not be removed for another reason, else 2 if one is running, else 1 if one does not exist.',
  ].join('\n\n'),
  positionals: [{ name: 'container', describe: 'containers, by name or id', variadic: true, optional: true }],
  options: [
    { name: 'force', alias: 'f', type: 'boolean', describe: 'kill a running container first (SIGKILL at once, unless --time)' },
    { name: 'time', alias: 't', type: 'number', valueName: 'SECONDS', describe: 'with --force, stop a running container as tpod stop -t SECONDS does (its stop signal, SIGKILL after SECONDS) rather than kill it at once' },
    { name: 'all', alias: 'a', type: 'boolean', describe: 'remove every container' },
    { name: 'volumes', alias: 'v', type: 'boolean', describe: 'remove its anonymous volumes too' },
    ...cidfileOptions,
  ],
  differences: '--force without --time kills at once (SIGKILL); podman stops the container first, SIGKILL after its stop timeout. A --cidfile is removed with its container (or when --ignore finds no container), so that the next run --cidfile of a systemd unit can write it again.',
  run: async (args) => {
    const { listContainers, removeContainer } = await import('../../engine/containers.js');
    const ctx = contextFromEnv(process.env);
    const ignore = Boolean(args.ignore);
    const time = stopTime(args);
    const cidfiles = ((args.cidfile as string[] | undefined) ?? []).map(String);
    const fromFiles = idsFromCidfiles(cidfiles, ignore);
    const given = [...((args.container as string[] | undefined) ?? []).map(String), ...fromFiles.map((f) => f.id)];
    if (Boolean(args.all) === (given.length > 0 || cidfiles.length > 0)) throw new TpodError('choose either one or more containers or --all');
    const targets = args.all ? listContainers(ctx).map((c) => c.id) : given;
    return tryEach(targets, async (target) => {
      await unlessIgnored(ignore, async () => {
        await removeContainer(ctx, target, { force: Boolean(args.force), volumes: Boolean(args.volumes), ...(time === undefined ? {} : { stopTimeout: time }) });
        process.stdout.write(`${target}\n`);
      });
      for (const f of fromFiles) if (f.id === target) rmSync(f.file, { force: true });
    });
  },
};
