import { TpodError, errorLine } from '../../errors.js';
import { contextFromEnv } from '../../engine/context.js';
import { formatOption } from '../options/format.js';
import { renderTemplate } from '../output/template.js';
import type { CommandSpec } from '../spec.js';

export const volumeInspect: CommandSpec = {
  name: 'inspect',
  summary: 'Show the details of volumes',
  description:
    "Prints a JSON array with one object per VOLUME, with podman's field names (Name, Driver, Mountpoint, CreatedAt, Labels, Scope, Options, and Anonymous, NeedsCopyUp, NeedsChown when true), or each volume through --format. A VOLUME that does not exist is an error (exit 125), after the others are printed.",
  positionals: [{ name: 'volume', describe: 'volume names', variadic: true, optional: true }],
  options: [{ name: 'all', alias: 'a', type: 'boolean', describe: 'inspect every volume' }, formatOption('{{.Name}} {{.Mountpoint}}')],
  run: async (args) => {
    const { findVolume, inspectVolume, listVolumes } = await import('../../engine/volumes.js');
    const store = contextFromEnv(process.env).store();
    const names = ((args.volume as string[] | undefined) ?? []).map(String);
    if (Boolean(args.all) === names.length > 0) throw new TpodError('provide one or more volume names or use --all');
    const reports: Record<string, unknown>[] = [];
    const errors: unknown[] = [];
    for (const record of args.all ? listVolumes(store) : []) reports.push(inspectVolume(store, record));
    for (const name of names) {
      try {
        reports.push(inspectVolume(store, findVolume(store, name)));
      } catch (err) {
        errors.push(err);
      }
    }
    const format = args.format as string | undefined;
    if (format && format !== 'json') process.stdout.write(reports.map((r) => `${renderTemplate(format, r)}\n`).join(''));
    else process.stdout.write(`${JSON.stringify(reports, null, 4)}\n`);
    for (const err of errors) process.stderr.write(`Error: ${errorLine(err)}\n`);
    return errors.length > 0 ? 125 : 0;
  },
};
