import { contextFromEnv } from '../../engine/context.js';
import { containerRequest, pullListener } from '../options/create.js';
import type { CommandSpec } from '../spec.js';
import { run } from './run.js';

export const create: CommandSpec = {
  name: 'create',
  summary: 'Create a container, to start later',
  description: [
    'Creates a container from IMAGE (pulling it first when it is not in local storage, as --pull says) to run COMMAND, or the image\'s own command, and prints its id. Nothing runs, nothing is mounted and no network is made until tpod start.',
    'The options are tpod run\'s. Host directories given to -v are checked now; named volumes are made when the container starts. The environment (-e, --env-file, --env-host) is fixed now, as podman fixes it.',
  ].join('\n\n'),
  positionals: run.positionals,
  passThrough: true,
  options: run.options?.filter((o) => o.name !== 'detach'),
  examples: [
    { command: 'tpod create --name web -p 8080:80 docker.io/library/nginx', describe: 'a container to start later with tpod start -a web' },
  ],
  differences: 'As for tpod run: see tpod-run(1).',
  run: async (args) => {
    const { createContainer } = await import('../../engine/create.js');
    const record = await createContainer(contextFromEnv(process.env), containerRequest(args), pullListener());
    process.stdout.write(`${record.id}\n`);
  },
};
