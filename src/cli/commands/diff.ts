import { contextFromEnv } from '../../engine/context.js';
import type { Change, ChangeKind } from '../../engine/diff.js';
import { TpodError } from '../../errors.js';
import type { CommandSpec } from '../spec.js';

/** podman diff's --format json: the paths of each kind, kinds without any left out, indented as podman indents. Pure. */
export function changesJson(changes: readonly Change[]): string {
  const of = (kind: ChangeKind) => changes.filter((c) => c.kind === kind).map((c) => c.path);
  const kinds = [['changed', of('C')], ['added', of('A')], ['deleted', of('D')]] as const;
  return `${JSON.stringify(Object.fromEntries(kinds.filter(([, paths]) => paths.length > 0)), null, 5)}\n`;
}

export const diff: CommandSpec = {
  name: 'diff',
  summary: "Show what a container or image changed in its file system",
  description: [
    'Lists what CONTAINER (a name, an id or a unique id prefix), running or stopped, changed in its file system since it was made from its image, one line a path: A for added, C for changed, D for deleted. Given an IMAGE (looked for first, as podman does), it lists what the image\'s last layer changed over the layers below it.',
    'The list is read from the container\'s own layer, in the order podman\'s overlay driver walks it (names sorted, each directory before what it holds); the parents of a path added or deleted are listed as changed. The mount points the runtime makes (/etc/hosts, /etc/resolv.conf, /etc/hostname, /run/.containerenv, /dev, /proc, /sys, /run) are left out, as podman leaves them out.',
  ].join('\n\n'),
  positionals: [{ name: 'name', describe: 'the container or image, by name or id' }],
  options: [{ name: 'format', type: 'string', valueName: 'FORMAT', describe: 'json: the paths as a JSON object of changed, added and deleted' }],
  examples: [
    { command: 'tpod diff web', describe: 'what container web changed' },
    { command: 'tpod diff --format json web', describe: 'the same as JSON' },
  ],
  differences:
    'A second CONTAINER or IMAGE to compare with, and --latest, are not supported. Where an image\'s layers have an opaque directory (one a layer deleted and made again), tpod does not look at the layers below it: a file added there is A, where podman says C.',
  run: async (args) => {
    const { changesOf } = await import('../../engine/diff.js');
    const format = args.format === undefined ? '' : String(args.format);
    if (format !== '' && format !== 'json' && format !== '{{json .}}') throw new TpodError("only supported value for '--format' is 'json'");
    const changes = changesOf(contextFromEnv(process.env), String(args.name));
    process.stdout.write(format ? changesJson(changes) : changes.map((c) => `${c.kind} ${c.path}\n`).join(''));
  },
};
