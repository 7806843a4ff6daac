import { type Context, contextFromEnv } from '../../engine/context.js';
import { NotFound, errorLine } from '../../errors.js';
import { formatOption } from '../options/format.js';
import { renderTemplate } from '../output/template.js';
import type { CommandSpec } from '../spec.js';

export type InspectType = 'all' | 'container' | 'image' | 'volume';

type Inspector = (ctx: Context, name: string) => Promise<Record<string, unknown>>;

const INSPECTORS: Readonly<Record<Exclude<InspectType, 'all'>, Inspector>> = {
  container: async (ctx, name) => {
    const [{ findContainer }, { inspectContainer }] = await Promise.all([import('../../engine/containers.js'), import('../../engine/container-info.js')]);
    return inspectContainer(ctx, findContainer(ctx, name));
  },
  image: async (ctx, name) => {
    const { findImage, inspectImage } = await import('../../engine/images.js');
    return inspectImage(ctx.store(), findImage(ctx.store(), ctx.registries(), name));
  },
  volume: async (ctx, name) => {
    const { findVolume, inspectVolume } = await import('../../engine/volumes.js');
    return inspectVolume(ctx.store(), findVolume(ctx.store(), name));
  },
};

/** podman's order for --type all: a container by that name first, then an image, then a volume. */
async function inspectAny(ctx: Context, name: string): Promise<Record<string, unknown>> {
  for (const inspector of Object.values(INSPECTORS)) {
    try {
      return await inspector(ctx, name);
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
    }
  }
  throw new NotFound(`no such object: "${name}"`);
}

/**
 * Prints what each NAME is (a JSON array, or each through --format), then an
 * error line for each that is not found: exit 125 then, as podman.
 */
export async function printInspected(type: InspectType, names: readonly string[], format: string | undefined): Promise<number> {
  const ctx = contextFromEnv(process.env);
  const reports: Record<string, unknown>[] = [];
  const errors: unknown[] = [];
  for (const name of names) {
    try {
      reports.push(await (type === 'all' ? inspectAny(ctx, name) : INSPECTORS[type](ctx, name)));
    } catch (err) {
      errors.push(err);
    }
  }
  if (format && format !== 'json') {
    // An object the template does not fit (an image's has no State) is an error of its own.
    for (const r of reports) {
      try {
        process.stdout.write(`${renderTemplate(format, r)}\n`);
      } catch (err) {
        errors.push(err);
      }
    }
  } else {
    process.stdout.write(`${JSON.stringify(reports, null, 4)}\n`);
  }
  for (const err of errors) process.stderr.write(`Error: ${errorLine(err)}\n`);
  return errors.length > 0 ? 125 : 0;
}

export const inspect: CommandSpec = {
  name: 'inspect',
  summary: 'Show the details of containers, images or volumes',
  description: [
    "Prints a JSON array with one object per NAME, with podman's field names, or each object through --format. Without --type, a NAME is looked up as a container (name, id or unique id prefix), then as an image, then as a volume; tpod container inspect, image inspect and volume inspect say what their objects hold.",
    'A NAME that is not found is an error (exit 125), after the others are printed.',
  ].join('\n\n'),
  positionals: [{ name: 'name', describe: 'containers, images or volumes, by name or id', variadic: true }],
  options: [
    formatOption('{{.State.Status}}'),
    { name: 'type', alias: 't', type: 'string', valueName: 'TYPE', choices: ['all', 'container', 'image', 'volume'], default: 'all', describe: 'what kind of object each NAME is' },
  ],
  differences: "--type network and pod, --latest and --size are not supported. Templates see times as RFC 3339 text, where podman's see Go times.",
  run: async (args) => printInspected(args.type as InspectType, (args.name as string[]).map(String), args.format as string | undefined),
};
