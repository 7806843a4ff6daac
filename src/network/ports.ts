/** `-p/--publish` as podman reads it: [[hostIP:][hostPort]:]containerPort[/protocol]. Pure. */
import { isIP } from 'node:net';
import { TpodError } from '../errors.js';

export type Protocol = 'tcp' | 'udp';

export interface PortMapping {
  /** '' for all of the host's addresses (podman treats 0.0.0.0 the same). */
  readonly hostIP: string;
  /** 0: the engine picks free ports when the container starts. */
  readonly hostPort: number;
  readonly containerPort: number;
  /** How many consecutive ports, from hostPort and containerPort on. */
  readonly range: number;
  readonly protocols: readonly Protocol[];
}

function bad(spec: string, why: string): TpodError {
  return new TpodError(`-p ${spec}: ${why}`, { hint: 'the format is [[IP:][HOSTPORT]:]CONTAINERPORT[/tcp|udp], ports and ranges (8000-8010) from 1 to 65535' });
}

function portRange(spec: string, text: string): { start: number; range: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw bad(spec, `"${text}" is not a port or a range of ports`);
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start < 1 || end > 65535) throw bad(spec, `${text} is out of range`);
  if (end < start || (m[2] !== undefined && end === start)) throw bad(spec, `the range ${text} must end above its start`);
  return { start, range: end - start + 1 };
}

export function parsePublish(spec: string): PortMapping {
  const [ports = '', protocol, ...extra] = spec.split('/');
  if (extra.length) throw bad(spec, 'give the protocol once');
  const protocols = (protocol ?? 'tcp').split(',');
  for (const p of protocols) {
    if (p === 'sctp') throw bad(spec, 'sctp cannot be published by a rootless container');
    if (p !== 'tcp' && p !== 'udp') throw bad(spec, `unknown protocol "${p}"`);
  }

  // An IPv6 host address comes in brackets, as in [::1]:8080:80.
  const v6 = /^\[([^\]]*)\]:(.*)$/.exec(ports);
  const parts = v6 ? [v6[1]!, ...v6[2]!.split(':')] : ports.split(':');
  if (v6 && parts.length !== 3) throw bad(spec, 'an IPv6 address is followed by a host port and a container port: [IP]:HOSTPORT:PORT');
  if (parts.length > 3) throw bad(spec, 'too many colons (an IPv6 address goes in brackets)');
  const [ip, host, container] = parts.length === 3 ? parts : parts.length === 2 ? [undefined, ...parts] : [undefined, undefined, parts[0]];
  if (ip !== undefined && !isIP(ip)) throw bad(spec, `"${ip}" is not an IP address`);

  const ctr = portRange(spec, container ?? '');
  const hostPorts = host ? portRange(spec, host) : undefined;
  if (hostPorts && hostPorts.range !== ctr.range) throw bad(spec, `the host range has ${hostPorts.range} ports, the container range ${ctr.range}`);
  return {
    hostIP: ip === undefined || ip === '0.0.0.0' ? '' : ip,
    hostPort: hostPorts?.start ?? 0,
    containerPort: ctr.start,
    range: ctr.range,
    protocols: protocols as Protocol[],
  };
}

/** --expose: PORT[-END][/PROTO] words as the image config's ExposedPorts keys ("80/tcp"), as podman reads them. Pure. */
export function parseExpose(words: readonly string[]): Record<string, Record<string, never>> {
  const keys: Record<string, Record<string, never>> = {};
  for (const word of words) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp))?$/.exec(word.trim());
    const [first, last] = [Number(m?.[1]), Number(m?.[2] ?? m?.[1])];
    if (!m || first < 1 || last > 65535 || last < first) throw new TpodError(`invalid --expose "${word}": a port or a range, such as 8080 or 8000-8010/udp`);
    for (let port = first; port <= last; port++) keys[`${port}/${m[3] ?? 'tcp'}`] = {};
  }
  return keys;
}

/**
 * -P: each port the image exposes ("80/tcp", "53/udp") published on a free
 * host port, unless -p publishes it already. Pure.
 */
export function exposedPorts(exposed: Readonly<Record<string, unknown>> | null | undefined, published: readonly PortMapping[]): PortMapping[] {
  const taken = (port: number, protocol: Protocol) =>
    published.some((m) => m.protocols.includes(protocol) && port >= m.containerPort && port < m.containerPort + m.range);
  return Object.keys(exposed ?? {}).flatMap((key) => {
    const [portText = '', protocol = 'tcp'] = key.split('/');
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535 || (protocol !== 'tcp' && protocol !== 'udp') || taken(port, protocol)) return [];
    return [{ hostIP: '', hostPort: 0, containerPort: port, range: 1, protocols: [protocol] }];
  });
}
