import { contextFromEnv } from '../../engine/context.js';
import { migrate } from '../../engine/system.js';
import type { CommandSpec } from '../spec.js';

export const systemMigrate: CommandSpec = {
  name: 'migrate',
  summary: 'End the pause process so the next command builds the user namespace afresh',
  description: [
    "tpod keeps its user and mount namespaces alive with a small pause process, so that every command joins the same ones. `tpod system migrate` ends it; the next tpod command creates a new namespace, mapped from the current /etc/subuid and /etc/subgid.",
    'tpod rebuilds the namespace by itself when those files change, so migrate is needed only when something still running in the old namespace prevented that, or to start over after an error.',
  ].join('\n\n'),
  differences:
    'podman migrate stops running containers and asks you to run it after editing /etc/subuid; tpod rebuilds the namespace by itself when it can. --new-runtime is not supported.',
  run: async () => {
    migrate(contextFromEnv(process.env).paths);
  },
};
