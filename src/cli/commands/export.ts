import { createWriteStream } from 'node:fs';
import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import type { CommandSpec } from '../spec.js';

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: "Export a container's file system as a tar archive",
  description:
    "Writes the whole file system of CONTAINER (a name, an id or a unique id prefix), running or stopped, as one tar archive, to the file --output names or to standard output when that is not a terminal. Files keep their modes, times and the owners the container sees; the mount points of its volumes, bind mounts and /etc files are there empty, as podman has them. tpod import and podman import make an image of it.",
  positionals: [{ name: 'container', describe: 'the container, by name or id' }],
  options: [{ name: 'output', alias: 'o', type: 'string', valueName: 'FILE', describe: 'write the archive to FILE instead of standard output', complete: 'files' }],
  examples: [
    { command: 'tpod export -o web.tar web', describe: 'the file system of container web, into web.tar' },
    { command: 'tpod export web | tpod import - web-snapshot', describe: 'an image of what the container has now' },
  ],
  differences: 'Extended attributes are not exported.',
  run: async (args) => {
    const { exportContainer } = await import('../../engine/export.js');
    const output = args.output as string | undefined;
    if (!output && process.stdout.isTTY) throw new TpodError('refusing to export to terminal. Use -o flag or redirect');
    await exportContainer(contextFromEnv(process.env), String(args.container), () => (output ? createWriteStream(output) : process.stdout));
  },
};
