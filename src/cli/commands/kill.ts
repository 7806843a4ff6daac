import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const kill: CommandSpec = {
  name: 'kill',
  summary: 'Send a signal to running containers',
  description: 'Sends SIGNAL (SIGKILL unless --signal says otherwise) to the process of each running CONTAINER, through the OCI runtime, and prints what you named it by.',
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true, optional: true }],
  options: [
    { name: 'signal', alias: 's', type: 'string', valueName: 'SIGNAL', default: 'KILL', describe: 'the signal, by name (TERM, SIGHUP) or number' },
    { name: 'all', alias: 'a', type: 'boolean', describe: 'every running container' },
  ],
  run: async (args) => {
    const { killContainer, listContainers } = await import('../../engine/containers.js');
    const ctx = contextFromEnv(process.env);
    const given = ((args.container as string[] | undefined) ?? []).map(String);
    if (Boolean(args.all) === given.length > 0) throw new TpodError('choose either one or more containers or --all');
    const targets = args.all ? listContainers(ctx).filter((c) => c.state === 'running').map((c) => c.id) : given;
    return tryEach(targets, (target) => {
      killContainer(ctx, target, String(args.signal));
      process.stdout.write(`${target}\n`);
    });
  },
};
