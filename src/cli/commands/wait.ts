import { contextFromEnv } from '../../engine/context.js';
import { tryEach } from '../try-each.js';
import type { CommandSpec } from '../spec.js';

export const wait: CommandSpec = {
  name: 'wait',
  summary: 'Wait for containers to exit',
  description:
    'Waits until each CONTAINER has exited and prints its exit code, one line each. With --condition, waits until it is in one of the given states instead, and prints its exit code if that is exited, else -1, as podman does.',
  positionals: [{ name: 'container', describe: 'the containers, by name or id', variadic: true }],
  options: [
    {
      name: 'condition',
      type: 'array',
      valueName: 'STATE',
      complete: ['configured', 'created', 'running', 'paused', 'stopped', 'exited', 'healthy', 'unhealthy'],
      describe: 'wait until the container is in this state: created (configured), running, paused, exited (stopped), or healthy or unhealthy by its healthcheck; repeatable, or comma-separated: any of them',
    },
    { name: 'interval', alias: 'i', type: 'string', valueName: 'DURATION', default: '250ms', describe: 'how often to look at the container for a --condition, e.g. 1s (a bare number is milliseconds)' },
  ],
  differences: 'podman 4 has no healthy and unhealthy conditions (podman 5 has); a container in tpod is never stopping, removing or unknown, so those conditions are refused. --latest is not supported.',
  run: async (args) => {
    const { waitForCondition } = await import('../../engine/containers.js');
    const { parseWaitConditions, parseWaitInterval } = await import('../../engine/wait-condition.js');
    const conditions = parseWaitConditions(((args.condition as unknown[] | undefined) ?? []).map(String));
    const interval = parseWaitInterval(String(args.interval));
    const ctx = contextFromEnv(process.env);
    return tryEach(((args.container as string[] | undefined) ?? []).map(String), async (target) => {
      process.stdout.write(`${await waitForCondition(ctx, target, conditions, interval)}\n`);
    });
  },
};
