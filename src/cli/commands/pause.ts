import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { statusOf } from '../../storage/container-status.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const pause: CommandSpec = {
  name: 'pause',
  summary: 'Pause all the processes in one or more containers',
  description: [
    "Freezes every process of each running CONTAINER through the OCI runtime's pause (the cgroup v2 freezer of the container's own cgroup), and prints what you named it by. A paused container shows as Paused in tpod ps -a and as \"paused\" in inspect; tpod unpause lets it run on. exec into it is refused; stop, kill and rm -f still end it.",
    "Pausing needs cgroup v2 delegated by systemd, which gives each container its own cgroup; without it, pause fails in one line that says what is missing.",
  ].join('\n\n'),
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true, optional: true }],
  options: [{ name: 'all', alias: 'a', type: 'boolean', describe: 'pause every running container' }],
  differences: '--cidfile, --filter and --latest are not supported.',
  run: async (args) => {
    const [{ listContainers }, { pauseContainer }] = await Promise.all([import('../../engine/containers.js'), import('../../engine/pause.js')]);
    const ctx = contextFromEnv(process.env);
    const given = ((args.container as string[] | undefined) ?? []).map(String);
    if (Boolean(args.all) === given.length > 0) throw new TpodError('choose either one or more containers or --all');
    const targets = args.all ? listContainers(ctx).filter((c) => statusOf(c) === 'running').map((c) => c.id) : given;
    return tryEach(targets, (target) => {
      pauseContainer(ctx, target);
      process.stdout.write(`${target}\n`);
    });
  },
};
