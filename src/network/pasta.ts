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
import { execFile, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TpodError, errnoCode } from '../errors.js';
import { log } from '../log.js';
import { MNT_DETACH, SysError, umount } from '../sys/libc.js';
import { findProgram } from '../sys/programs.js';
import type { PortMapping, Protocol } from './ports.js';
import type { UserModeNetwork } from './user-mode.js';

/** Where pasta answers DNS for the host's resolver: podman's address, link-local so it clashes with nothing. */
export const PASTA_DNS = '169.254.1.1';

/** The names a container reaches the host's loopback by (podman adds both). */
const HOST_NAMES = ['host.containers.internal', 'host.docker.internal'];


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
    extraHosts: gateway ? HOST_NAMES.map((name) => `${name}:${gateway}`) : [],
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

/** A port the kernel has free now, for a mapping given no host port (as podman picks one). */
function freePort(protocol: Protocol, hostIP: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (protocol === 'udp') {
      const socket = createSocket(hostIP.includes(':') ? 'udp6' : 'udp4');
      socket.on('error', reject);
      socket.bind(0, hostIP || undefined, () => {
        const { port } = socket.address();
        socket.close(() => resolve(port));
      });
      return;
    }
    const server = createServer();
    server.on('error', reject);
    server.listen(0, hostIP || undefined, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function pickHostPorts(ports: readonly PortMapping[]): Promise<PortMapping[]> {
  const picked: PortMapping[] = [];
  for (const m of ports) {
    if (m.hostPort) {
      picked.push(m);
      continue;
    }
    // One free port each: a free run of consecutive ports cannot be asked for.
    for (let i = 0; i < m.range; i++) {
      for (const protocol of m.protocols) {
        picked.push({ ...m, hostPort: await freePort(protocol, m.hostIP), containerPort: m.containerPort + i, range: 1, protocols: [protocol] });
      }
    }
  }
  return picked;
}

/** pasta's complaint as one line; a port it could not bind is named as the user gave it. */
function pastaError(stderr: string, ports: readonly PortMapping[]): TpodError {
  // Without a system logger, pasta says so before every line it writes.
  const lines = stderr.split('\n').filter((l) => l.trim() && !/to syslog/.test(l));
  const unbound = /Failed to bind any port for '-([tu]) ([^']+)'/.exec(stderr);
  const mapping = unbound && ports.find((m) => portSpec(m) === unbound[2]);
  if (unbound && mapping) {
    const protocol = unbound[1] === 't' ? 'tcp' : 'udp';
    const hostPorts = mapping.range > 1 ? `${mapping.hostPort}-${mapping.hostPort + mapping.range - 1}` : String(mapping.hostPort);
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'));
    const why = mapping.hostPort < first ? `ports below ${first} need root (sysctl net.ipv4.ip_unprivileged_port_start)` : 'it is already in use';
    return new TpodError(`cannot publish port ${mapping.hostIP ? `${mapping.hostIP}:` : ''}${hostPorts}/${protocol}: ${why}`);
  }
  return new TpodError(`pasta could not set up the network: ${lines.pop() ?? 'it failed without a word'}`, { hint: 'tpod info shows what the network needs' });
}

function removeNamespace(netnsPath: string): void {
  try {
    umount(netnsPath, MNT_DETACH);
  } catch (err) {
    // Never mounted: unshare failed before binding it.
    if (!(err instanceof SysError) || err.errno !== constants.errno.EINVAL) throw err;
  }
  rmSync(netnsPath, { force: true });
}

/** Ends the pasta of this namespace, if its pid file still names it (a pid can be reused). */
function stopPasta(pidFile: string, netnsPath: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  try {
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(netnsPath)) process.kill(pid, 'SIGTERM');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ESRCH') throw err;
  }
  rmSync(pidFile, { force: true });
}

/**
 * Makes the container's network namespace at RUNTIMEDIR/netns/ID and starts
 * pasta on it, run where tpod runs: inside its user and mount namespace, as
 * their root, so the namespace belongs to tpod's user namespace and its file
 * lives in tpod's mount namespace. pasta runs on by itself (a container may
 * outlive this tpod) until teardown(). Whatever fails leaves neither.
 */
export async function setupNetwork(runtimeDir: string, id: string, options: { ports: readonly PortMapping[]; dns?: readonly string[] }): Promise<UserModeNetwork> {
  const pasta = findProgram('pasta');
  if (!pasta) throw new TpodError('pasta is not installed, so --network pasta cannot work', { hint: 'sudo apt-get install passt, or use --network none' });
  const dir = join(runtimeDir, 'netns');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const netnsPath = join(dir, id);
  const pidFile = join(dir, `${id}.pasta.pid`);
  const teardown = () => {
    try {
      stopPasta(pidFile, netnsPath);
      removeNamespace(netnsPath);
    } catch (err) {
      log.warn(`cannot remove the network namespace ${netnsPath}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  try {
    const ports = await pickHostPorts(options.ports);
    // Node cannot unshare (it has threads): a child makes the namespace and binds it to
    // the file, which keeps it alive after the child is gone.
    writeFileSync(netnsPath, '', { mode: 0o600 });
    const made = spawnSync('unshare', [`--net=${netnsPath}`, 'true'], { encoding: 'utf8' });
    if (made.status !== 0) throw new TpodError(`cannot make a network namespace: ${(made.stderr || made.error?.message || '').trim()}`);
    const args = pastaArgs(netnsPath, pidFile, ports);
    log.debug(`pasta ${args.join(' ')}`);
    try {
      // pasta returns once it is ready, having forked into the background (and closed our pipes).
      await promisify(execFile)(pasta, args, { encoding: 'utf8' });
    } catch (err) {
      throw pastaError(String((err as { stderr?: unknown }).stderr ?? ''), ports);
    }
    return { netnsPath, ...nameService(defaultGateway(readFileSync('/proc/net/route', 'utf8')), options.dns ?? []), teardown };
  } catch (err) {
    teardown();
    throw err;
  }
}
