import { readSync } from 'node:fs';
import { contextFromEnv } from '../../engine/context.js';
import { reset, resetTargets } from '../../engine/system.js';
import type { CommandSpec } from '../spec.js';

/** Reads one line of the user's answer; end of input counts as "no". */
function readAnswer(): string {
  const buf = Buffer.alloc(1);
  let line = '';
  while (readSync(0, buf, 0, 1, null) === 1 && buf[0] !== 0x0a) line += String.fromCharCode(buf[0]!);
  return line.trim();
}

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
      process.stdout.write(`WARNING! This will remove:\n${list}Are you sure you want to continue? [y/N] `);
      if (!/^y(es)?$/i.test(readAnswer())) return;
    }
    reset(paths);
  },
};
