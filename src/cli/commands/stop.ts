import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { cidfileOptions, idsFromCidfiles, unlessIgnored } from '../options/cidfile.js';
import { stopTime, stopTimeOption } from '../options/stop-time.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const stop: CommandSpec = {
  name: 'stop',
  summary: 'Stop running containers',
  description:
    'Stops each CONTAINER: sends it its stop signal (its --stop-signal, the image\'s StopSignal, else SIGTERM), and SIGKILL if it has not exited after --time seconds; returns once its end is recorded, and prints what you named it by. A container that is not running is left as it is; a paused one is thawed after its stop signal, so that it gets it.',
  differences: 'A paused container is stopped (thawed after its stop signal, as docker does); podman leaves it paused and says nothing.',
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true, optional: true }],
  options: [
    stopTimeOption,
    { name: 'all', alias: 'a', type: 'boolean', describe: 'stop every running container' },
    ...cidfileOptions,
  ],
  run: async (args) => {
    const { listContainers, stopContainer } = await import('../../engine/containers.js');
    const ctx = contextFromEnv(process.env);
    const ignore = Boolean(args.ignore);
    const time = stopTime(args);
    const cidfiles = ((args.cidfile as string[] | undefined) ?? []).map(String);
    const given = [...((args.container as string[] | undefined) ?? []).map(String), ...idsFromCidfiles(cidfiles, ignore).map((f) => f.id)];
    if (Boolean(args.all) === (given.length > 0 || cidfiles.length > 0)) throw new TpodError('choose either one or more containers or --all');
    const targets = args.all ? listContainers(ctx).filter((c) => c.state === 'running').map((c) => c.id) : given;
    return tryEach(targets, async (target) => {
      await unlessIgnored(ignore, async () => {
        await stopContainer(ctx, target, time);
        process.stdout.write(`${target}\n`);
      });
    });
  },
};
