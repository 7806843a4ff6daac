import { contextFromEnv } from '../../engine/context.js';
import { reset, resetTargets } from '../../engine/system.js';
import { confirm } from '../prompt.js';
import type { CommandSpec } from '../spec.js';

export const systemReset: CommandSpec = {
  name: 'reset',
  summary: "Remove all of tpod's storage and state for this user",
  description:
    'Removes all containers, images and volumes, the storage directory ($XDG_DATA_HOME/tpod) and the run directory, and ends the pause process. Asks for confirmation unless --force is given. Configuration in $XDG_CONFIG_HOME/tpod is kept.',
  options: [{ name: 'force', alias: 'f', type: 'boolean', describe: 'do not ask for confirmation' }],
  run: async (args) => {
    const { paths } = contextFromEnv(process.env);
    if (!args.force) {
      const list = resetTargets(paths).map((t) => `        - ${t}\n`).join('');
      if (!confirm(`WARNING! This will remove:\n${list}`)) return;
    }
    reset(paths);
  },
};
