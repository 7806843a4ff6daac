/**
 * User-mode networking with pasta (Debian's passt), as rootless podman does:
 * a network namespace of the container's own, kept as a file, and pasta
 * attached to it, giving it the host's addresses and default route, tapping
 * its outbound traffic into ordinary sockets of the host and forwarding the
 * published ports into it.
 *
 * Written for pasta 0.0~git20230309 (Debian 12), which lacks the
 * --map-guest-addr of newer pastas: the container reaches the host's
 * loopback through the gateway address instead (pasta's own default, which
 * podman turns off with --no-map-gw now that it has --map-guest-addr), and
 * host.containers.internal names that address.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import { findProgram } from '../sys/programs.js';
import { cannotPublish, hostEntries, pickHostPorts } from './host-side.js';
import { makeNetns, releaseNetns } from './netns-file.js';
import type { PortMapping } from './ports.js';
import type { UserModeNetwork } from './user-mode.js';

/** Where pasta answers DNS for the host's resolver: podman's address, link-local so it clashes with nothing. */
export const PASTA_DNS = '169.254.1.1';


/** The IPv4 default gateway in /proc/net/route's text, which pasta copies into the namespace. Pure. */
export function defaultGateway(procNetRoute: string): string | undefined {
  for (const line of procNetRoute.split('\n').slice(1)) {
    const [, destination, gateway, flags] = line.trim().split(/\s+/);
    // RTF_GATEWAY (0x2); the kernel prints the address as a little-endian word.
    if (destination !== '00000000' || !gateway || !(parseInt(flags ?? '0', 16) & 2)) continue;
    const word = parseInt(gateway, 16);
    return [0, 8, 16, 24].map((shift) => (word >>> shift) & 255).join('.');
  }
  return undefined;
}

/** The /etc/hosts entries and nameservers of a pasta container: --dns servers win over pasta's forwarder. Pure. */
export function nameService(gateway: string | undefined, dns: readonly string[]): { extraHosts: string[]; nameservers: string[] } {
  return {
    extraHosts: gateway ? hostEntries(gateway) : [],
    nameservers: dns.length ? [...dns] : [PASTA_DNS],
  };
}

/** pasta's -t/-u spec for one mapping: [ADDR/]HOST-RANGE:CONTAINER-RANGE. Pure. */
export function portSpec(m: PortMapping): string {
  const range = (start: number) => `${start}-${start + m.range - 1}`;
  return `${m.hostIP ? `${m.hostIP}/` : ''}${range(m.hostPort)}:${range(m.containerPort)}`;
}

/** pasta's arguments: every port it forwards is named, none is forwarded by guesswork. Pure. */
export function pastaArgs(netnsPath: string, pidFile: string, ports: readonly PortMapping[]): string[] {
  const args = ['--config-net', '--quiet', '--pid', pidFile, '--dns-forward', PASTA_DNS];
  for (const protocol of ['tcp', 'udp'] as const) {
    const flag = protocol === 'tcp' ? '-t' : '-u';
    const specs = ports.filter((m) => m.protocols.includes(protocol)).map(portSpec);
    // pasta's default, auto, would forward whatever the container binds, and -T/-U auto
    // would let the container reach every port bound on the host's loopback.
    args.push(...(specs.length ? specs.flatMap((s) => [flag, s]) : [flag, 'none']));
  }
  return [...args, '-T', 'none', '-U', 'none', '--netns', netnsPath];
}

/** pasta's complaint as one line; a port it could not bind is named as the user gave it. */
function pastaError(stderr: string, ports: readonly PortMapping[]): TpodError {
  // Without a system logger, pasta says so before every line it writes.
  const lines = stderr.split('\n').filter((l) => l.trim() && !/to syslog/.test(l));
  const unbound = /Failed to bind any port for '-([tu]) ([^']+)'/.exec(stderr);
  const mapping = unbound && ports.find((m) => portSpec(m) === unbound[2]);
  if (unbound && mapping) return cannotPublish(mapping, unbound[1] === 't' ? 'tcp' : 'udp');
  return new TpodError(`pasta could not set up the network: ${lines.pop() ?? 'it failed without a word'}`, { hint: 'tpod info shows what the network needs' });
}

function pastaPaths(runtimeDir: string, id: string): { dir: string; netnsPath: string; pidFile: string } {
  const dir = join(runtimeDir, 'netns');
  return { dir, netnsPath: join(dir, id), pidFile: join(dir, `${id}.pasta.pid`) };
}

/**
 * Stops container ID's pasta and removes its namespace, if they exist: also
 * after the tpod that made them was killed. Never throws, for it runs in
 * finally blocks.
 */
export function teardownPasta(runtimeDir: string, id: string): void {
  const { netnsPath, pidFile } = pastaPaths(runtimeDir, id);
  releaseNetns(netnsPath, pidFile);
}

/**
 * Makes the container's network namespace at RUNTIMEDIR/netns/ID and starts
 * pasta on it, run where tpod runs: inside its user and mount namespace, as
 * their root, so the namespace belongs to tpod's user namespace and its file
 * lives in tpod's mount namespace. pasta runs on by itself (a container may
 * outlive this tpod) until teardown(). Returns once the namespace exists;
 * pasta gets ready meanwhile (ready). Whatever fails leaves neither.
 */
export async function setupNetwork(runtimeDir: string, id: string, options: { ports: readonly PortMapping[]; dns?: readonly string[] }): Promise<UserModeNetwork> {
  const pasta = findProgram('pasta');
  if (!pasta) throw new TpodError('pasta is not installed, so --network pasta cannot work', { hint: 'sudo apt-get install passt, or use --network none' });
  const { dir, netnsPath, pidFile } = pastaPaths(runtimeDir, id);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const teardown = () => teardownPasta(runtimeDir, id);

  let ports: PortMapping[];
  try {
    ports = await pickHostPorts(options.ports);
    makeNetns(netnsPath);
  } catch (err) {
    teardown();
    throw err;
  }
  const args = pastaArgs(netnsPath, pidFile, ports);
  log.debug(`pasta ${args.join(' ')}`);
  // pasta returns once it is ready, having forked into the background (and closed our pipes).
  // On failure the caller tears down, once the runtime no longer uses the namespace.
  const ready = promisify(execFile)(pasta, args, { encoding: 'utf8' }).then(
    () => undefined,
    (err: unknown) => {
      throw pastaError(String((err as { stderr?: unknown }).stderr ?? ''), ports);
    },
  );
  return { netnsPath, ports, ...nameService(defaultGateway(readFileSync('/proc/net/route', 'utf8')), options.dns ?? []), ready, teardown };
}
