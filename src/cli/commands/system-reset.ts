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
    const ctx = contextFromEnv(process.env);
    const { paths } = ctx;
    if (!args.force) {
      const list = resetTargets(paths).map((t) => `        - ${t}\n`).join('');
      if (!confirm(`WARNING! This will remove:\n${list}`)) return;
    }
    // Running containers first, with their conmon and network helpers: files alone would leave
    // those running. One that cannot be removed cleanly is still wiped with the rest below.
    const { listContainers, removeContainer } = await import('../../engine/containers.js');
    for (const c of listContainers(ctx)) {
      await removeContainer(ctx, c.id, { force: true, volumes: true }).catch(() => undefined);
    }
    reset(paths);
  },
};
