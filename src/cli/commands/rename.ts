import { contextFromEnv } from '../../engine/context.js';
import type { CommandSpec } from '../spec.js';

export const rename: CommandSpec = {
  name: 'rename',
  summary: 'Give a container another name',
  description:
    'Gives CONTAINER (a name, an id or a unique id prefix) the name NEWNAME, which must match [a-zA-Z0-9][a-zA-Z0-9_.-]* and be no other container\'s. A running container can be renamed too; its /etc/hosts keeps the old name until its next start, as with podman.',
  positionals: [
    { name: 'container', describe: 'the container, by name or id' },
    { name: 'newname', describe: 'its new name' },
  ],
  run: async (args) => {
    const { renameContainer } = await import('../../engine/container-info.js');
    renameContainer(contextFromEnv(process.env), String(args.container), String(args.newname));
  },
};
