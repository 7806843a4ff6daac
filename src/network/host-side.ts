/**
 * The host's side of a user-mode network, the same for pasta and slirp4netns:
 * the names the container reaches the host by, and the host ports it publishes on.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { TpodError, errnoCode } from '../errors.js';
import type { PortMapping, Protocol } from './ports.js';

/** /etc/hosts entries naming ADDRESS as the host, by both names podman adds. Pure. */
export function hostEntries(address: string): string[] {
  return ['host.containers.internal', 'host.docker.internal'].map((name) => `${name}:${address}`);
}

/** Binds PORT (0: any free one) on HOSTIP ('' for all) and lets it go again, returning the port bound. */
function bindOnce(protocol: Protocol, hostIP: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    if (protocol === 'udp') {
      const socket = createSocket(hostIP.includes(':') ? 'udp6' : 'udp4');
      socket.on('error', reject);
      socket.bind(port, hostIP || undefined, () => {
        const bound = socket.address().port;
        socket.close(() => resolve(bound));
      });
      return;
    }
    const server = createServer();
    server.on('error', reject);
    server.listen(port, hostIP || undefined, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** PORTS with every host port 0 replaced by a free one. */
export async function pickHostPorts(ports: readonly PortMapping[]): Promise<PortMapping[]> {
  const picked: PortMapping[] = [];
  for (const m of ports) {
    if (m.hostPort) {
      picked.push(m);
      continue;
    }
    // One free port each (as podman picks them): a free run of consecutive ports cannot be asked for.
    for (let i = 0; i < m.range; i++) {
      for (const protocol of m.protocols) {
        picked.push({ ...m, hostPort: await bindOnce(protocol, m.hostIP, 0), containerPort: m.containerPort + i, range: 1, protocols: [protocol] });
      }
    }
  }
  return picked;
}

/**
 * The one line for a mapping the helper could not bind on the host, named as
 * the user gave it. ERRNO, when known, is what binding it here failed with.
 */
export function cannotPublish(mapping: PortMapping, protocol: Protocol, errno?: string): TpodError {
  const hostPorts = mapping.range > 1 ? `${mapping.hostPort}-${mapping.hostPort + mapping.range - 1}` : String(mapping.hostPort);
  const first = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
  const why =
    errno === 'EADDRNOTAVAIL'
      ? `${mapping.hostIP} is not an address of this host`
      : mapping.hostPort < first
        ? `ports below ${first} need root (sysctl net.ipv4.ip_unprivileged_port_start)`
        : 'it is already in use';
  return new TpodError(`cannot publish port ${mapping.hostIP ? `${mapping.hostIP}:` : ''}${hostPorts}/${protocol}: ${why}`);
}

/** Why binding PORT on HOSTIP fails here now (an errno code), or undefined if it does not. */
export function bindError(protocol: Protocol, hostIP: string, port: number): Promise<string | undefined> {
  return bindOnce(protocol, hostIP, port).then(
    () => undefined,
    (err: unknown) => errnoCode(err),
  );
}
