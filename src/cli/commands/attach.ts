import { contextFromEnv } from '../../engine/context.js';
import type { CommandSpec } from '../spec.js';

export const attach: CommandSpec = {
  name: 'attach',
  summary: 'Attach to a running container',
  description: [
    'Connects your terminal to CONTAINER, which runs detached (tpod run -d, tpod start): its output on yours, your input to it when it was created with -i, and with a terminal (-t) raw and resized with yours. tpod exits with the container\'s exit code when it ends.',
    'The detach keys (ctrl-p then ctrl-q unless --detach-keys says otherwise) leave it running and return.',
  ].join('\n\n'),
  positionals: [{ name: 'container', describe: 'the container, by name or id' }],
  options: [
    { name: 'detach-keys', type: 'string', valueName: 'KEYS', default: 'ctrl-p,ctrl-q', describe: 'the keys that detach, comma-separated: a-z, punctuation, ctrl-X; "" for none' },
    { name: 'no-stdin', type: 'boolean', describe: 'do not pass your input on' },
    { name: 'sig-proxy', type: 'boolean', default: true, describe: 'pass the signals tpod attach gets (SIGINT, SIGTERM, ...) to the container, when it has no terminal; --sig-proxy=false: they end only tpod attach' },
  ],
  differences: 'A container run attached (tpod run without -d) cannot be attached to.',
  run: async (args) => {
    const { attachContainer } = await import('../../engine/attach.js');
    const { parseDetachKeys } = await import('../../runtime/attach.js');
    const code = await attachContainer(contextFromEnv(process.env), String(args.container), {
      noStdin: Boolean(args['no-stdin']),
      detachKeys: parseDetachKeys(String(args['detach-keys'])),
      sigProxy: args['sig-proxy'] !== false,
    });
    return code ?? 0;
  },
};
