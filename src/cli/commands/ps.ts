import type { ContainerConfig } from '../../engine/create.js';
import type { PortMapping } from '../../network/ports.js';
import { statusOf } from '../../storage/container-status.js';
import type { ContainerRecord } from '../../storage/containers.js';
import { containerFilter } from '../options/container-filter.js';
import { renderTemplate } from '../output/template.js';
import { table } from '../output/table.js';
import { humanDuration, timeAgo } from '../output/units.js';
import type { Args, CommandSpec, OptionSpec } from '../spec.js';

/** podman's PORTS column: 0.0.0.0:8080->80/tcp, ranges as 8080-8081->80-81/tcp. Pure. */
export function portsText(ports: readonly PortMapping[]): string {
  const range = (start: number, n: number) => (n > 1 ? `${start}-${start + n - 1}` : String(start));
  return ports
    .flatMap((p) => p.protocols.map((proto) => `${p.hostIP || '0.0.0.0'}:${p.hostPort ? range(p.hostPort, p.range) : '(any)'}->${range(p.containerPort, p.range)}/${proto}`))
    .join(', ');
}

/** podman's STATUS column. Pure. */
export function statusText(c: ContainerRecord, now: number): string {
  if (c.paused && c.state === 'running') return 'Paused';
  if (c.state === 'running') return `Up ${humanDuration(now - Date.parse(c.startedAt ?? c.created))} ago${c.health ? ` (${c.health.Status})` : ''}`;
  if (c.state === 'exited') return `Exited (${c.exitCode ?? -1}) ${c.finishedAt ? timeAgo(c.finishedAt, now) : ''}`.trim();
  return 'Created';
}

/** The fields --format templates and --format json see, with podman's names. Pure. */
export function psFields(c: ContainerRecord, now: number, noTrunc: boolean) {
  const config = c.config as ContainerConfig;
  return {
    ID: noTrunc ? c.id : c.id.slice(0, 12),
    Id: c.id,
    Image: c.imageName,
    ImageID: c.imageId,
    Command: c.command.join(' '),
    Created: timeAgo(c.created, now),
    CreatedAt: c.created,
    Status: statusText(c, now),
    State: statusOf(c),
    ExitCode: c.exitCode ?? 0,
    Ports: portsText(c.ports ?? config.publish ?? []),
    Names: c.name,
    AutoRemove: c.autoRemove,
    Labels: c.labels ?? {},
  };
}

/** ps's options; src/quick.ts reads them too, without the rest of the spec. */
export const psOptions: readonly OptionSpec[] = [
  { name: 'all', alias: 'a', type: 'boolean', describe: 'all containers, not only running ones' },
  { name: 'quiet', alias: 'q', type: 'boolean', describe: 'only container ids' },
  { name: 'no-trunc', type: 'boolean', describe: 'show whole container ids' },
  { name: 'noheading', alias: 'n', type: 'boolean', describe: 'no header line' },
  { name: 'latest', alias: 'l', type: 'boolean', describe: 'only the container created last' },
  { name: 'filter', alias: 'f', type: 'array', valueName: 'KEY=VALUE', describe: 'only containers that match: name=REGEX, id=PREFIX, status=created|running|exited, label=KEY[=VALUE], ancestor=IMAGE (repeatable: one key\'s values are alternatives, all keys must match)' },
  { name: 'format', type: 'string', valueName: 'FORMAT', describe: "'json', or a Go template such as '{{.Names}} {{.Status}}'", complete: ['json'] },
];

/** What ps prints for ARGS, given every container newest first. Pure. */
export function psOutput(args: Args, containers: readonly ContainerRecord[], now: number): string {
  const filter = containerFilter(((args.filter as string[] | undefined) ?? []).map(String));
  let rows = containers.filter(filter);
  if (!args.all && !args.latest && !filter.impliesAll) rows = rows.filter((c) => statusOf(c) === 'running');
  if (args.latest) rows = rows.slice(0, 1);
  const fields = rows.map((c) => psFields(c, now, Boolean(args['no-trunc'])));
  const format = args.format as string | undefined;
  if (args.quiet) return fields.map((f) => `${f.ID}\n`).join('');
  if (format === 'json') return `${JSON.stringify(fields, null, 4)}\n`;
  if (format) return fields.map((f) => `${renderTemplate(format, f)}\n`).join('');
  const header = ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'];
  return table(args.noheading ? undefined : header, fields.map((f) => [f.ID, f.Image, f.Command, f.Created, f.Status, f.Ports, f.Names]));
}

export const ps: CommandSpec = {
  name: 'ps',
  summary: 'List containers',
  description:
    'Lists the running containers, or with --all every container, newest first: id, image, command, when it was created, its status, its published ports and its name. A container whose tpod was killed is found out and cleaned up (its mount, network helper and runtime state) before it is listed as exited.',
  options: psOptions,
  differences: '--filter knows name, id, status, label and ancestor; --sort, --size, --pod and --external are not supported yet. An exited container whose tpod was killed shows exit code -1. In a template, {{.State}} is the bare state (created, running, paused, exited) and {{.Status}} the human one (Up 5 seconds ago), as in podman 5; podman 4 gives the human text for both.',
  run: async (args) => {
    const [{ listContainers }, { contextFromEnv }] = await Promise.all([import('../../engine/containers.js'), import('../../engine/context.js')]);
    process.stdout.write(psOutput(args, listContainers(contextFromEnv(process.env)), Date.now()));
  },
};
