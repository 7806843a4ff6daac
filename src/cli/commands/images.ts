import { contextFromEnv } from '../../engine/context.js';
import type { ImageRow } from '../../engine/images.js';
import { formatOption } from '../options/format.js';
import { renderTemplate } from '../output/template.js';
import { table } from '../output/table.js';
import { humanSize, timeAgo } from '../output/units.js';
import type { CommandSpec } from '../spec.js';

/** The fields --format templates and --format json see, with podman's names. */
function templateFields(row: ImageRow, noTrunc: boolean) {
  return {
    ID: noTrunc ? `sha256:${row.id}` : row.id.slice(0, 12),
    Id: row.id,
    Repository: row.repository,
    Tag: row.tag,
    Digest: row.digest,
    Created: timeAgo(row.created),
    CreatedAt: row.created,
    Size: humanSize(row.size),
    Names: row.names,
  };
}

/** podman images --format json: one object per image, not per name. */
function jsonReport(rows: readonly ImageRow[], repoDigests: (names: readonly string[], digest: string) => string[]) {
  const seen = new Map<string, object>();
  for (const row of rows) {
    if (seen.has(row.id)) continue;
    seen.set(row.id, {
      Id: row.id,
      RepoTags: row.names.filter((n) => !n.includes('@')),
      RepoDigests: repoDigests(row.names, row.digest),
      Size: row.size,
      Created: Math.floor(Date.parse(row.created) / 1000) || 0,
      CreatedAt: row.created,
      Names: row.names,
      Digest: row.digest,
    });
  }
  return [...seen.values()];
}

export const imageList: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  summary: 'List images in local storage',
  description:
    'Lists the images in local storage, newest first, one line per name: repository, tag, image id, when the image was created, and its size (the uncompressed size of its layers).',
  options: [
    { name: 'all', alias: 'a', type: 'boolean', describe: 'all images (tpod keeps no intermediate images, so this changes nothing)' },
    { name: 'quiet', alias: 'q', type: 'boolean', describe: 'only image ids, each once' },
    { name: 'digests', type: 'boolean', describe: 'show the manifest digest too' },
    { name: 'no-trunc', type: 'boolean', describe: 'show whole image ids' },
    { name: 'noheading', alias: 'n', type: 'boolean', describe: 'no header line' },
    formatOption('{{.Repository}}:{{.Tag}}'),
  ],
  examples: [
    { command: 'tpod images', describe: 'the table' },
    { command: "tpod images --format '{{.Repository}}:{{.Tag}} {{.ID}}'", describe: 'one line per name, as the template says' },
  ],
  differences: '--filter and --sort are not supported yet.',
  run: async (args) => {
    const { listImages, repoDigests } = await import('../../engine/images.js');
    const ctx = contextFromEnv(process.env);
    const rows = listImages(ctx.store());
    const noTrunc = Boolean(args['no-trunc']);
    const format = args.format as string | undefined;
    if (args.quiet) {
      process.stdout.write([...new Set(rows.map((r) => templateFields(r, noTrunc).ID))].map((id) => `${id}\n`).join(''));
    } else if (format === 'json') {
      process.stdout.write(`${JSON.stringify(jsonReport(rows, repoDigests), null, 4)}\n`);
    } else if (format) {
      process.stdout.write(rows.map((r) => `${renderTemplate(format, templateFields(r, noTrunc))}\n`).join(''));
    } else {
      const header = ['REPOSITORY', 'TAG', ...(args.digests ? ['DIGEST'] : []), 'IMAGE ID', 'CREATED', 'SIZE'];
      const cells = rows.map((r) => {
        const f = templateFields(r, noTrunc);
        return [f.Repository, f.Tag, ...(args.digests ? [f.Digest] : []), f.ID, f.Created, f.Size];
      });
      process.stdout.write(table(args.noheading ? undefined : header, cells));
    }
  },
};

/** `tpod images`, the same command as `tpod image ls`. */
export const images: CommandSpec = { ...imageList, name: 'images', aliases: [], podmanPage: 'podman-images' };
