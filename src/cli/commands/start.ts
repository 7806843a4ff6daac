import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import type { CommandSpec } from '../spec.js';

export const start: CommandSpec = {
  name: 'start',
  summary: 'Start a created or exited container',
  description:
    'Starts the container CONTAINER (a name, an id or a unique id prefix) made by tpod create, or one that has exited, with its own command, and with --attach stays attached to it: its output on yours, your input to it when it was created with -i, and tpod exits with its exit code.',
  positionals: [{ name: 'container', describe: 'the container, by name or id' }],
  options: [
    { name: 'attach', alias: 'a', type: 'boolean', describe: 'stay attached: its output, its exit code' },
    { name: 'interactive', alias: 'i', type: 'boolean', describe: 'with --attach, give it your standard input (as it was created with -i)' },
  ],
  differences: 'Only --attach is supported yet: a container that runs on its own after tpod exits needs conmon, which tpod does not use yet. One container at a time.',
  run: async (args) => {
    const { findContainer } = await import('../../engine/containers.js');
    const { startAttached } = await import('../../engine/start.js');
    if (!args.attach) throw new TpodError('tpod start runs attached only, for now: use tpod start -a');
    const ctx = contextFromEnv(process.env);
    return startAttached(ctx, findContainer(ctx, String(args.container)));
  },
};
