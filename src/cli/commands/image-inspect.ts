import { contextFromEnv } from '../../engine/context.js';
import { formatOption } from '../options/format.js';
import { renderTemplate } from '../output/template.js';
import type { CommandSpec } from '../spec.js';

export const imageInspect: CommandSpec = {
  name: 'inspect',
  summary: 'Show the details of images',
  description: "Prints a JSON array with one object per IMAGE, with podman's field names (Id, Digest, RepoTags, RepoDigests, Created, Config, Architecture, Os, Size, RootFS, History, ...), or each image through --format.",
  positionals: [{ name: 'image', describe: 'images, by name or id', variadic: true }],
  options: [formatOption('{{.Id}} {{.Config.Cmd}}')],
  run: async (args) => {
    const { findImage, inspectImage } = await import('../../engine/images.js');
    const ctx = contextFromEnv(process.env);
    const store = ctx.store();
    const conf = ctx.registries();
    const reports = (args.image as string[]).map((name) => inspectImage(store, findImage(store, conf, String(name))));
    const format = args.format as string | undefined;
    if (format && format !== 'json') process.stdout.write(reports.map((r) => `${renderTemplate(format, r)}\n`).join(''));
    else process.stdout.write(`${JSON.stringify(reports, null, 4)}\n`);
  },
};
