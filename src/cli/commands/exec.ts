import { readFileSync } from 'node:fs';
import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { type CommandSpec, passedThrough } from '../spec.js';

const list = (value: unknown): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String));

export const exec: CommandSpec = {
  name: 'exec',
  summary: 'Run a process in a running container',
  description: [
    'Runs COMMAND in the running CONTAINER (a name, an id or a unique id prefix), through the OCI runtime\'s exec: in the container\'s namespaces, with its environment, user, working directory and capabilities unless the options say otherwise. Attached, the command gets your standard output and error (and your standard input with -i), signals sent to tpod reach it, and tpod exits with its exit code: 125 when tpod itself fails (the container is not running, for one), 126 when the command cannot be run and 127 when it or the working directory is not found.',
    'With -u, the user and its groups come from the container\'s /etc/passwd and /etc/group, and HOME is that user\'s home unless the container\'s environment sets HOME.',
  ].join('\n\n'),
  positionals: [
    { name: 'container', describe: 'the container, by name or id' },
    { name: 'command', describe: 'the command and its arguments', variadic: true, complete: 'files' },
  ],
  passThrough: true,
  options: [
    { name: 'detach', alias: 'd', type: 'boolean', describe: 'start the command in the background and exit; it reads nothing and its output goes nowhere' },
    { name: 'env', alias: 'e', type: 'array', valueName: 'VAR[=VALUE]', describe: 'set an environment variable; VAR alone takes its value from yours' },
    { name: 'env-file', type: 'array', valueName: 'FILE', describe: 'read environment variables from FILE, one VAR=VALUE a line', complete: 'files' },
    { name: 'interactive', alias: 'i', type: 'boolean', describe: 'give the command your standard input (without it, it reads an empty one)' },
    { name: 'tty', alias: 't', type: 'boolean', describe: 'a terminal for the command, the size of yours and resized with it; with -i yours is in raw mode meanwhile' },
    { name: 'user', alias: 'u', type: 'string', valueName: 'USER[:GROUP]', describe: 'run as this user (a name from the container\'s /etc/passwd, or a uid), and group' },
    { name: 'workdir', alias: 'w', type: 'string', valueName: 'DIR', describe: 'the working directory inside the container' },
  ],
  examples: [
    { command: 'tpod exec -it web sh', describe: 'a shell in container web' },
    { command: 'tpod exec -u 1000 -w /tmp -e DEBUG=1 web env', describe: 'a command as uid 1000 in /tmp, with one more variable' },
  ],
  differences:
    '-d prints nothing (podman prints the id of its exec session, which tpod does not keep), and cannot go with -i or -t, as nothing holds the command\'s input or terminal once tpod exits. tpod checks the command and the working directory before it runs, so -d too exits 127 or 126 for them (podman: 125). tpod\'s own errors exit 125 (podman 4 exits 255 for some, such as a container that is not running). With runc, a --userns=keep-id container on a pasta or slirp4netns network refuses exec: runc joins the container\'s user namespace first, and from there cannot join the network namespace, which is tpod\'s (podman lets the runtime make it inside the container\'s user namespace). --privileged, --preserve-fds, --detach-keys and --latest are not supported yet.',
  run: async (args) => {
    const { execInContainer } = await import('../../engine/exec.js');
    const [container, ...command] = passedThrough(args);
    if (!container) throw new TpodError('exec requires the name or ID of a container');
    return execInContainer(contextFromEnv(process.env), {
      container,
      command,
      interactive: Boolean(args.interactive),
      tty: Boolean(args.tty),
      detach: Boolean(args.detach),
      env: list(args.env),
      envFiles: list(args['env-file']).map((path) => ({ path, text: readFileSync(path, 'utf8') })),
      user: args.user === undefined ? undefined : String(args.user),
      workdir: args.workdir === undefined ? undefined : String(args.workdir),
    });
  },
};
