import { contextFromEnv } from '../../engine/context.js';
import type { PublishedPort } from '../../engine/inspect-container.js';
import { TpodError } from '../../errors.js';
import type { CommandSpec } from '../spec.js';

/** Where a published port is reached on the host: 0.0.0.0:8080 for all addresses. */
const hostSide = (p: PublishedPort): string => `${p.hostIP || '0.0.0.0'}:${p.hostPort}`;

/** PRIVATE_PORT[/PROTO] as podman's key, "80/tcp". */
function portKey(text: string): string {
  const m = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(text);
  if (!m) throw new TpodError(`invalid port "${text}"`, { hint: 'give PORT or PORT/PROTOCOL, as in 80 or 53/udp' });
  return `${Number(m[1])}/${m[2] ?? 'tcp'}`;
}

export const port: CommandSpec = {
  name: 'port',
  summary: "List a container's published ports",
  description: [
    'Lists the ports CONTAINER (a name, an id or a unique id prefix) publishes on the host, one line each: 80/tcp -> 0.0.0.0:8080. With PRIVATE_PORT (80, or 53/udp), prints only where that container port is reached on the host; one it does not publish is an error.',
    'Only a running container has ports on the host: for any other, nothing is listed. With --all, the ports of every running container, each line after its short id and a tab.',
  ].join('\n\n'),
  positionals: [
    { name: 'container', describe: 'the container, by name or id', optional: true },
    { name: 'private-port', describe: 'a container port, PORT[/tcp|udp]', optional: true },
  ],
  options: [{ name: 'all', alias: 'a', type: 'boolean', describe: 'the ports of every running container' }],
  differences: '--latest is not supported.',
  run: async (args) => {
    const [{ findContainer, listContainers }, { containerPorts }, { publishedPorts }] = await Promise.all([
      import('../../engine/containers.js'),
      import('../../engine/container-info.js'),
      import('../../engine/inspect-container.js'),
    ]);
    const ctx = contextFromEnv(process.env);
    const container = args.container as string | undefined;
    if (args.all) {
      if (container !== undefined) throw new TpodError('no arguments are needed with --all');
      const lines = listContainers(ctx).flatMap((c) => publishedPorts(containerPorts(c)).map((p) => `${c.id.slice(0, 12)}\t${p.key} -> ${hostSide(p)}\n`));
      process.stdout.write(lines.join(''));
      return;
    }
    if (container === undefined) throw new TpodError('you must supply a running container name or id');
    const ports = publishedPorts(containerPorts(findContainer(ctx, String(container))));
    const wanted = args['private-port'] as string | undefined;
    if (wanted === undefined) {
      process.stdout.write(ports.map((p) => `${p.key} -> ${hostSide(p)}\n`).join(''));
      return;
    }
    const key = portKey(String(wanted));
    const found = ports.filter((p) => p.key === key);
    if (found.length === 0) throw new TpodError(`failed to find published port "${wanted}"`);
    process.stdout.write(found.map((p) => `${hostSide(p)}\n`).join(''));
  },
};
