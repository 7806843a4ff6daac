import { resourcesFrom } from '../../cgroups/resources.js';
import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { resourceFlags, resourceOptions } from '../options/resources.js';
import type { CommandSpec } from '../spec.js';

export const update: CommandSpec = {
  name: 'update',
  summary: 'Change the resource limits of a container',
  description: [
    'Sets new limits for CONTAINER (a name, an id or a unique id prefix): those given replace the old ones, the others stay. A running container gets them at once, through the OCI runtime\'s update; every later start keeps them.',
    'Limits need a cgroup of the container\'s own: systemd must delegate cgroup v2 to you (tpod info says whether it does), and the container must have been created with one (not with --cgroups=disabled).',
  ].join('\n\n'),
  positionals: [{ name: 'container', describe: 'the container, by name or id' }],
  options: resourceOptions,
  examples: [{ command: 'tpod update --memory 256m --cpus 1.5 web', describe: 'more memory and CPU for container web' }],
  differences: 'The device, block I/O per device and health-check options of podman update are not supported.',
  run: async (args) => {
    const changes = resourcesFrom(resourceFlags(args));
    if (!changes) throw new TpodError('give at least one limit to change, such as --memory or --cpus');
    const { updateContainer } = await import('../../engine/update.js');
    const c = updateContainer(contextFromEnv(process.env), String(args.container), changes);
    process.stdout.write(`${c.id}\n`);
  },
};
