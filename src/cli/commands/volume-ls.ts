import { TpodError } from '../../errors.js';
import { contextFromEnv } from '../../engine/context.js';
import { renderTemplate } from '../output/template.js';
import { table } from '../output/table.js';
import type { CommandSpec } from '../spec.js';

export const volumeList: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  summary: 'List volumes',
  description: 'Lists the volumes by name: their driver and name, or the fields of volume inspect as --format asks.',
  options: [
    { name: 'quiet', alias: 'q', type: 'boolean', describe: 'only the names' },
    { name: 'noheading', alias: 'n', type: 'boolean', describe: 'no header line' },
    // Not formatOption(): podman volume ls has no -f for --format (its -f is --filter).
    { name: 'format', type: 'string', valueName: 'FORMAT', describe: "'json', or a Go template such as '{{.Name}} {{.Mountpoint}}'", complete: ['json'] },
  ],
  examples: [{ command: "tpod volume ls --format '{{.Name}} {{.Mountpoint}}'", describe: 'each volume and its directory' }],
  differences: '--filter is not supported yet.',
  run: async (args) => {
    const { inspectVolume, listVolumes } = await import('../../engine/volumes.js');
    const store = contextFromEnv(process.env).store();
    const format = args.format as string | undefined;
    if (args.quiet && format !== undefined) throw new TpodError('quiet and format flags cannot be used together');
    const volumes = listVolumes(store);
    if (args.quiet) {
      process.stdout.write(volumes.map((v) => `${v.name}\n`).join(''));
    } else if (format === 'json') {
      // podman indents this list by two, unlike inspect's four.
      process.stdout.write(`${JSON.stringify(volumes.map((v) => inspectVolume(store, v)), null, 2)}\n`);
    } else if (format) {
      process.stdout.write(volumes.map((v) => `${renderTemplate(format, inspectVolume(store, v))}\n`).join(''));
    } else if (volumes.length > 0) {
      process.stdout.write(table(args.noheading ? undefined : ['DRIVER', 'VOLUME NAME'], volumes.map((v) => [v.driver, v.name])));
    }
  },
};
