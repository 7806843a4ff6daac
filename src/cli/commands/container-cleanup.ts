import { contextFromEnv } from '../../engine/context.js';
import type { CommandSpec } from '../spec.js';

export const containerCleanup: CommandSpec = {
  name: 'cleanup',
  summary: 'Finish containers that have exited',
  description:
    'Finishes each CONTAINER that has exited: deletes its state in the OCI runtime, unmounts its root filesystem, stops its network helper, records its exit code (the one conmon wrote), removes it if it was run with --rm, and starts it again if its --restart policy says so. conmon runs this by itself when a detached container exits; a container still running is left alone.',
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true }],
  run: async (args) => {
    const { cleanUpExited } = await import('../../engine/containers.js');
    const ctx = contextFromEnv(process.env);
    for (const name of ((args.container as string[] | undefined) ?? []).map(String)) await cleanUpExited(ctx, name);
  },
};
