import { contextFromEnv } from '../../engine/context.js';
import type { CommandSpec } from '../spec.js';

export const logs: CommandSpec = {
  name: 'logs',
  summary: 'Show what a container wrote',
  description:
    'Shows what CONTAINER (a name, an id or a unique id prefix) wrote to its standard output (on yours) and standard error (on yours), from its log in podman\'s k8s-file format (conmon writes it for a container running detached, tpod for one it runs attached), or from the journal for a detached container run with --log-driver journald. With --follow, tpod keeps showing what it writes until it exits.',
  positionals: [{ name: 'container', describe: 'the container, by name or id' }],
  options: [
    { name: 'follow', alias: 'f', type: 'boolean', describe: 'keep showing new output until the container exits' },
    { name: 'tail', type: 'number', valueName: 'N', default: -1, describe: 'only the last N lines (-1: all)' },
    { name: 'since', type: 'string', valueName: 'TIME', describe: 'only what was written since TIME: a duration before now (10m, 1h30m), an RFC 3339 time or Unix seconds' },
    { name: 'until', type: 'string', valueName: 'TIME', describe: 'only what was written until TIME, given as for --since' },
    { name: 'timestamps', alias: 't', type: 'boolean', describe: 'begin each line with the time it was written' },
  ],
  differences: 'A container run attached with --rm is not logged: it is removed when it exits. One container at a time.',
  run: async (args) => {
    const { parseLogTime, showLogs } = await import('../../engine/logs.js');
    const now = Date.now();
    const timestamps = Boolean(args.timestamps);
    await showLogs(
      contextFromEnv(process.env),
      String(args.container),
      {
        follow: Boolean(args.follow),
        tail: Number(args.tail),
        ...(args.since ? { since: parseLogTime(String(args.since), now) } : {}),
        ...(args.until ? { until: parseLogTime(String(args.until), now) } : {}),
      },
      (e) => (e.stream === 'stderr' ? process.stderr : process.stdout).write(timestamps ? `${e.time} ${e.text}` : e.text),
    );
  },
};
