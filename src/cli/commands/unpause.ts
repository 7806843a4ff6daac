import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { statusOf } from '../../storage/container-status.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const unpause: CommandSpec = {
  name: 'unpause',
  summary: 'Unpause the processes in one or more containers',
  description: "Thaws each paused CONTAINER through the OCI runtime's resume, so its processes run on where they stopped, and prints what you named it by.",
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true, optional: true }],
  options: [{ name: 'all', alias: 'a', type: 'boolean', describe: 'unpause every paused container' }],
  differences: '--cidfile, --filter and --latest are not supported.',
  run: async (args) => {
    const [{ listContainers }, { unpauseContainer }] = await Promise.all([import('../../engine/containers.js'), import('../../engine/pause.js')]);
    const ctx = contextFromEnv(process.env);
    const given = ((args.container as string[] | undefined) ?? []).map(String);
    if (Boolean(args.all) === given.length > 0) throw new TpodError('choose either one or more containers or --all');
    const targets = args.all ? listContainers(ctx).filter((c) => statusOf(c) === 'paused').map((c) => c.id) : given;
    return tryEach(targets, (target) => {
      unpauseContainer(ctx, target);
      process.stdout.write(`${target}\n`);
    });
  },
};
