import { contextFromEnv } from '../../engine/context.js';
import { unshare as run } from '../../engine/unshare.js';
import { type CommandSpec, passedThrough } from '../spec.js';

export const unshare: CommandSpec = {
  name: 'unshare',
  summary: "Run a command in tpod's user namespace",
  description: [
    "Runs COMMAND (by default your $SHELL) inside the user and mount namespaces that every tpod command uses. There your own uid is mapped to 0 (root), and your subordinate ids from /etc/subuid and /etc/subgid to 1 and up. Mounts made by tpod, such as container root filesystems, are visible there, and files in tpod's storage show their owners as containers see them.",
    'The command replaces tpod: it keeps the terminal, receives signals directly, and its exit status is tpod\'s; 127 when it is not found, 126 when it cannot be run. CONTAINERS_GRAPHROOT and CONTAINERS_RUNROOT are set to the storage and run directories.',
  ].join('\n\n'),
  positionals: [{ name: 'command', describe: 'the command and its arguments', optional: true, variadic: true, complete: 'commands' }],
  passThrough: true,
  examples: [
    { command: 'tpod unshare cat /proc/self/uid_map', describe: 'show how ids are mapped' },
    { command: 'tpod unshare', describe: 'a root shell in the namespace' },
  ],
  differences: '--rootless-netns is not supported.',
  run: async (args) => {
    run(passedThrough(args), contextFromEnv(process.env).paths, process.env);
  },
};
