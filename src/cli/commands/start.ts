import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const start: CommandSpec = {
  name: 'start',
  summary: 'Start created or exited containers',
  description: [
    'Starts each CONTAINER (a name, an id or a unique id prefix) made by tpod create, or one that has exited, with its own command, in the background under conmon, and prints what you named it by. conmon keeps its output in its log (tpod logs) and finishes it when it exits, with no tpod running.',
    'With --attach, tpod starts one container and stays attached to it: its output on yours, your input to it when it was created with -i, and tpod exits with its exit code.',
  ].join('\n\n'),
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true }],
  options: [
    { name: 'attach', alias: 'a', type: 'boolean', describe: 'stay attached to one container: its output, its exit code' },
    { name: 'interactive', alias: 'i', type: 'boolean', describe: 'with --attach, give it your standard input (as it was created with -i)' },
  ],
  differences: 'A container started again keeps what it wrote in its own layer and its log, as with podman.',
  run: async (args) => {
    const { findContainer } = await import('../../engine/containers.js');
    const { startAttached, startDetached } = await import('../../engine/start.js');
    const names = ((args.container as string[] | undefined) ?? []).map(String);
    const ctx = contextFromEnv(process.env);
    if (args.attach) {
      if (names.length !== 1) throw new TpodError('tpod start --attach takes one container');
      return startAttached(ctx, findContainer(ctx, names[0]!));
    }
    // Each tried, as podman does; 125 if any could not be started.
    return tryEach(names, async (name) => {
      await startDetached(ctx, findContainer(ctx, name));
      process.stdout.write(`${name}\n`);
    });
  },
};
