/**
 * User-mode networking with slirp4netns, tpod's network where pasta is
 * missing, set up as rootless podman 4 sets it up: a network namespace of the
 * container's own, kept as a file, whose tap0 slirp4netns configures
 * (10.0.2.100/24, gateway 10.0.2.2, a DNS forwarder at 10.0.2.3), its
 * traffic turned into ordinary sockets of the host, and the published ports
 * added through slirp4netns's API socket (podman's port_handler=slirp4netns,
 * which keeps the client's source address).
 *
 * Written for slirp4netns 1.2.0 (Debian 12). One difference from podman, on
 * purpose: podman passes --disable-host-loopback by default
 * (allow_host_loopback=false) and names the host's external address
 * host.containers.internal, which reaches only what listens there. tpod's
 * pasta network reaches the host's loopback at host.containers.internal, so
 * that the name means the same on both networks slirp4netns runs as podman's
 * allow_host_loopback=true has it: the gateway is the host's 127.0.0.1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import { findProgram } from '../sys/programs.js';
import { bindError, cannotPublish, hostEntries, pickHostPorts } from './host-side.js';
import { makeNetns, releaseNetns } from './netns-file.js';
import type { PortMapping, Protocol } from './ports.js';
import type { UserModeNetwork } from './user-mode.js';

/** slirp4netns's own addresses on its default 10.0.2.0/24. */
const GATEWAY = '10.0.2.2';
export const SLIRP_DNS = '10.0.2.3';
const CONTAINER_IP = '10.0.2.100';

/** The descriptor slirp4netns writes to once the container's interface is up. */
const READY_FD = 3;
const READY_TIMEOUT_MS = 10_000;

/**
 * slirp4netns's arguments, podman's but for --disable-host-loopback (see the
 * top). No --exit-fd: it would end slirp4netns with this tpod, and a container
 * may outlive it (as with pasta, teardown ends it). Pure.
 */
export function slirpArgs(netnsPath: string, options: { apiSocket?: string; ipv6: boolean }): string[] {
  return [
    '--configure',
    // podman's MTU: fewer, larger packets through slirp's user-space copy.
    '--mtu=65520',
    '--enable-sandbox',
    '--enable-seccomp',
    ...(options.ipv6 ? ['--enable-ipv6'] : []),
    `--ready-fd=${READY_FD}`,
    ...(options.apiSocket ? [`--api-socket=${options.apiSocket}`] : []),
    '--netns-type=path',
    netnsPath,
    'tap0',
  ];
}

/** slirp4netns 1.2 binds published ports on IPv4 addresses only: refuse the others before anything is made. Pure. */
export function checkPublishable(ports: readonly PortMapping[]): void {
  const v6 = ports.find((m) => isIPv6(m.hostIP));
  if (v6) {
    throw new TpodError(`cannot publish port [${v6.hostIP}]:${v6.hostPort || v6.containerPort}: slirp4netns listens on IPv4 addresses only`, { hint: 'give an IPv4 address, or use --network pasta' });
  }
}

export interface Hostfwd {
  readonly mapping: PortMapping;
  readonly protocol: Protocol;
  /** The one host port of MAPPING this forward binds. */
  readonly port: number;
  /** The add_hostfwd request, one JSON object, as slirp4netns's API socket reads it. */
  readonly request: string;
}

/** One add_hostfwd per port and protocol (slirp4netns forwards single ports); no host address is all of IPv4's. Pure. */
export function hostfwds(ports: readonly PortMapping[]): Hostfwd[] {
  return ports.flatMap((mapping) =>
    mapping.protocols.flatMap((protocol) =>
      Array.from({ length: mapping.range }, (_, i) => ({
        mapping,
        protocol,
        port: mapping.hostPort + i,
        request: JSON.stringify({
          execute: 'add_hostfwd',
          arguments: { proto: protocol, host_addr: mapping.hostIP || '0.0.0.0', host_port: mapping.hostPort + i, guest_addr: CONTAINER_IP, guest_port: mapping.containerPort + i },
        }),
      })),
    ),
  );
}

/** The /etc/hosts entries and nameservers of a slirp4netns container: --dns servers win over slirp's forwarder. Pure. */
export function nameService(dns: readonly string[]): { extraHosts: string[]; nameservers: string[] } {
  return { extraHosts: hostEntries(GATEWAY), nameservers: dns.length ? [...dns] : [SLIRP_DNS] };
}

/** What slirp4netns said last before it failed, or undefined. Pure. */
export function lastComplaint(output: string): string | undefined {
  // Skipped: its progress (the tap descriptor's hand-over), and the summaries
  // ("child failed(1)", "do_slirp failed") it prints after the cause.
  return output.split('\n').filter((l) => l.trim() && !/\btapfd=|^\w+ failed\b/.test(l)).pop()?.trim();
}

function slirpPaths(runtimeDir: string, id: string) {
  const dir = join(runtimeDir, 'netns');
  return {
    dir,
    netnsPath: join(dir, id),
    pidFile: join(dir, `${id}.slirp4netns.pid`),
    logFile: join(dir, `${id}.slirp4netns.log`),
    // A Unix socket's path has at most 107 bytes: the short id keeps it well within.
    apiSocket: join(dir, `${id.slice(0, 12)}.slirp4netns.sock`),
  };
}

/** Stops container ID's slirp4netns and removes its namespace and files, if they exist. Never throws. */
export function teardownSlirp4netns(runtimeDir: string, id: string): void {
  const { netnsPath, pidFile, logFile, apiSocket } = slirpPaths(runtimeDir, id);
  releaseNetns(netnsPath, pidFile, [apiSocket, logFile]);
}

/** Resolves once slirp4netns says it is ready; rejects with its complaint if it ends (or hangs) first. */
function whenReady(child: ChildProcess, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ready = child.stdio[READY_FD] as Readable;
    const settle = (err?: TpodError) => {
      clearTimeout(timer);
      ready.removeAllListeners('data');
      child.removeAllListeners('exit').removeAllListeners('error');
      ready.destroy();
      if (err) reject(err);
      else resolve();
    };
    const fail = (why: string) => settle(new TpodError(`slirp4netns could not set up the network: ${why}`, { hint: 'tpod info shows what the network needs' }));
    const timer = setTimeout(() => fail(`it was not ready after ${READY_TIMEOUT_MS / 1000} seconds`), READY_TIMEOUT_MS);
    ready.once('data', () => settle());
    child.once('error', (err) => fail(err.message));
    child.once('exit', () => fail(lastComplaint(readFileSync(logFile, 'utf8')) ?? 'it ended without a word'));
  });
}

/** Sends one request to slirp4netns's API socket and returns its answer. */
function askSlirp(apiSocket: string, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(apiSocket);
    socket.setEncoding('utf8');
    socket.on('data', (d) => (answer += d));
    socket.on('error', reject);
    socket.on('end', () => resolve(answer));
    // One write, then our end of the stream: slirp4netns reads a request once.
    socket.end(request);
  });
}

async function publish(apiSocket: string, fwd: Hostfwd): Promise<void> {
  let answer: string;
  try {
    answer = await askSlirp(apiSocket, fwd.request);
  } catch (err) {
    throw new TpodError(`slirp4netns's API socket did not answer: ${err instanceof Error ? err.message : String(err)}`);
  }
  log.debug(`slirp4netns ${fwd.request} -> ${answer}`);
  // Its only complaint is "slirp_add_hostfwd failed": binding it here again tells why.
  if (!('return' in (JSON.parse(answer || '{}') as object))) throw cannotPublish(fwd.mapping, fwd.protocol, await bindError(fwd.protocol, fwd.mapping.hostIP, fwd.port));
}

/**
 * Makes the container's network namespace at RUNTIMEDIR/netns/ID and starts
 * slirp4netns on it, run where tpod runs (inside its user and mount namespace,
 * as their root), in a session of its own so that the terminal's signals miss
 * it. It runs on by itself until teardown(). Returns once the namespace
 * exists; slirp4netns gets ready meanwhile (ready). Whatever fails leaves
 * neither.
 */
export async function setupSlirp4netns(runtimeDir: string, id: string, options: { ports: readonly PortMapping[]; dns?: readonly string[] }): Promise<UserModeNetwork> {
  const slirp = findProgram('slirp4netns');
  if (!slirp) throw new TpodError('slirp4netns is not installed, so --network slirp4netns cannot work', { hint: 'sudo apt-get install slirp4netns, or use --network pasta or none' });
  checkPublishable(options.ports);
  const paths = slirpPaths(runtimeDir, id);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const teardown = () => teardownSlirp4netns(runtimeDir, id);
  const ipv6 = existsSync('/proc/sys/net/ipv6');

  let ports: PortMapping[];
  try {
    ports = await pickHostPorts(options.ports);
    // Duplicate address detection would hold the container's IPv6 address back for
    // its first second or two; podman turns it off too. A read-only /proc/sys (tpod
    // in a container) only costs that wait, so it is no reason to fail.
    makeNetns(paths.netnsPath, ipv6 ? ['sh', '-c', 'echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad || true'] : undefined);
  } catch (err) {
    teardown();
    throw err;
  }
  // On failure the caller tears down, once the runtime no longer uses the namespace.
  const ready = (async () => {
    const args = slirpArgs(paths.netnsPath, { ipv6, ...(ports.length ? { apiSocket: paths.apiSocket } : {}) });
    log.debug(`slirp4netns ${args.join(' ')}`);
    // Its messages go to a file, not to a pipe that would break when this tpod exits.
    const logFd = openSync(paths.logFile, 'w', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(slirp, args, { detached: true, stdio: ['ignore', 'ignore', logFd, 'pipe'] });
    } finally {
      closeSync(logFd);
    }
    if (child.pid) writeFileSync(paths.pidFile, String(child.pid));
    await whenReady(child, paths.logFile);
    child.unref();
    rmSync(paths.logFile);
    for (const fwd of hostfwds(ports)) await publish(paths.apiSocket, fwd);
  })();
  return { netnsPath: paths.netnsPath, ports, ...nameService(options.dns ?? []), ready, teardown };
}
