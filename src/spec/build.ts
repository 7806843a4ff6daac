/**
 * buildSpec: an image's config and `tpod run` options in, the OCI runtime spec
 * (config.json) out, matching what podman generates for a rootless container.
 * tpod's runtime already runs inside tpod's user namespace, so with the
 * default --userns=host the spec creates no user namespace and maps no ids;
 * --userns=keep-id gives the container one of its own (userns.ts). Pure:
 * everything read from the host or the image's files comes in as data, and
 * nothing here touches the filesystem or starts a process.
 */
import type { OciResources } from '../cgroups/resources.js';
import { TpodError } from '../errors.js';
import type { ImageConfig } from '../image/manifest.js';
import { containerCapabilities, processCapabilities, type CapabilityOptions } from './capabilities.js';
import { INIT_PATH, makeCommand } from './command.js';
import { envList, mergeEnv, type CallerEnv, type EnvFile } from './env.js';
import {
  MASKED_PATHS, READONLY_PATHS, READ_ONLY_TMPFS, checkDestinations, defaultMounts, deviceMounts, readOnlyTmpfs, sortMounts,
  userMount, type SpecMount,
} from './mounts.js';
import type { OciLinux, OciMount, OciNamespace, OciProcess, OciRlimit, OciSeccomp, OciSpec } from './oci-types.js';
import { seccompForContainer, type SeccompProfile } from './seccomp.js';
import { checkNetSysctls } from './sysctl.js';
import { withUlimits } from './ulimits.js';
import { resolveUser, type EtcFiles, type ResolvedUser } from './user.js';
import { type KeepId, type UsernsMode, callerHome, etcWithCaller, ourId, userSpec } from './userns.js';

/** The spec version podman 4 writes; runc and crun of Debian 12 read it. */
export const OCI_VERSION = '1.0.2-dev';

/** podman's RLimitDefaultValue: the most nofile and nproc a container gets. */
const RLIMIT_MAX = 1048576;

export type ImageRunConfig = NonNullable<ImageConfig['config']>;

export interface RunOptions {
  /** COMMAND [ARG...] after the image. */
  readonly command?: readonly string[];
  /** --entrypoint, read by parseEntrypoint. */
  readonly entrypoint?: readonly string[];
  readonly env?: readonly string[];
  readonly envFiles?: readonly EnvFile[];
  readonly envHost?: boolean;
  /** --http-proxy; podman's default is true. */
  readonly httpProxy?: boolean;
  readonly workdir?: string;
  readonly user?: string;
  readonly hostname?: string;
  readonly tty?: boolean;
  readonly readOnly?: boolean;
  /** --read-only-tmpfs=false: a --read-only container without its writable /run, /tmp and /var/tmp. */
  readonly readOnlyTmpfs?: boolean;
  readonly capAdd?: readonly string[];
  readonly capDrop?: readonly string[];
  readonly privileged?: boolean;
  readonly noNewPrivileges?: boolean;
  /** --init: the host path of the init binary (catatonit), mounted at INIT_PATH. */
  readonly init?: string;
  /** -v, --mount and --tmpfs, with each named volume already resolved to a bind of its directory. */
  readonly mounts?: readonly SpecMount[];
  readonly annotations?: Readonly<Record<string, string>>;
  /** --security-opt seccomp=: the user's profile, or unconfined. */
  readonly seccomp?: SeccompProfile | 'unconfined';
  /** --userns: the engine gives buildSpec a KeepId for keep-id. */
  readonly userns?: UsernsMode;
  /** --memory, --cpus and the rest, as linux.resources (cgroups/resources.ts). */
  readonly resources?: OciResources;
  /** --ulimit, over tpod's own limits. */
  readonly ulimits?: readonly OciRlimit[];
  /** --sysctl, by name. */
  readonly sysctls?: Readonly<Record<string, string>>;
  /** --shm-size in bytes; podman's 64 MiB without it. */
  readonly shmSize?: number;
  /** --group-add: supplementary groups, by name (the container's /etc/group) or gid. */
  readonly groupAdd?: readonly string[];
}

/** private: join the namespace the engine made (pasta/slirp4netns attach to it); none: a new, empty one. */
export type NetworkNamespace = { readonly mode: 'private'; readonly path: string } | { readonly mode: 'host' } | { readonly mode: 'none' };

/** Host paths of the files the engine writes for the container, each bound over the image's. */
export interface BindFiles {
  readonly hosts?: string;
  readonly hostname?: string;
  readonly resolvConf?: string;
  /** /run/.containerenv, which tools test to know they run in a container. */
  readonly containerEnv?: string;
  /** Copies with an entry added for a uid the image's files lack (podman adds one). */
  readonly passwd?: string;
  readonly group?: string;
  /** --tz's zone file. */
  readonly localtime?: string;
}

export interface Limit {
  readonly soft: number;
  /** Infinity for unlimited. */
  readonly hard: number;
}

/** What the engine found out about the host and the caller. */
export interface HostFacts {
  /** tpod's own environment: -e VAR, --env-host and the proxy variables read it. */
  readonly env: CallerEnv;
  /** The host's name, which --network host containers take (as podman's do). */
  readonly hostname: string;
  /** Go's name for the architecture (amd64, arm64, ...), for the seccomp profile. */
  readonly arch: string;
  /** cgroup v2: the container gets its own cgroup namespace, podman's default there. */
  readonly cgroupV2: boolean;
  /** How many gids our user namespace maps (0 .. gidCount-1). */
  readonly gidCount: number;
  /** The caller's RLIMIT_NOFILE and RLIMIT_NPROC. */
  readonly limits: { readonly nofile: Limit; readonly nproc: Limit };
  /** The caller's capability bounding set; all capabilities when unknown. */
  readonly bounding?: readonly string[];
  /** The host's device nodes, bound in for --privileged. */
  readonly devices?: readonly string[];
  /** The paths podman's thermal_throttle glob (/sys/devices/system/cpu/cpu*) matches here, masked too. */
  readonly maskedPaths?: readonly string[];
  /** The system's default profile (/usr/share/containers/seccomp.json), when there is one. */
  readonly seccompProfile?: SeccompProfile;
}

export interface BuildInput {
  readonly id: string;
  /** The mounted root filesystem. */
  readonly rootfs: string;
  readonly image: ImageRunConfig | undefined;
  /** The image's /etc/passwd and /etc/group, for --user; with keep-id, with keepIdEtc's entries. */
  readonly etc: EtcFiles;
  readonly options: RunOptions;
  readonly network: NetworkNamespace;
  readonly files: BindFiles;
  readonly host: HostFacts;
  /** --userns=keep-id: the container gets a user namespace of its own. */
  readonly userns?: KeepId;
  /** The cgroup the runtime makes for the container (cgroups/plan.ts); none without one. */
  readonly cgroupsPath?: string;
}

function workingDir(flag: string | undefined, image: string | undefined): string {
  if (flag && !flag.startsWith('/')) throw new TpodError(`invalid workdir "${flag}": it must be an absolute path`);
  // Images store WorkingDir absolute; a relative one can only mean from /.
  return flag || (image ? `/${image.replace(/^\/+/, '')}` : '/');
}

function chooseHostname({ options, network, host, id }: BuildInput): string {
  if (options.hostname) return options.hostname;
  return network.mode === 'host' ? host.hostname : id.slice(0, 12);
}

function capabilityOptions({ options, host }: BuildInput): CapabilityOptions {
  return { add: options.capAdd, drop: options.capDrop, privileged: options.privileged, bounding: host.bounding };
}

/** podman raises its own soft nofile limit to the hard one first, so a container gets the hard one for both. */
function rlimits({ nofile, nproc }: HostFacts['limits']): OciRlimit[] {
  const files = Math.min(nofile.hard, RLIMIT_MAX);
  return [
    { type: 'RLIMIT_NOFILE', hard: files, soft: files },
    { type: 'RLIMIT_NPROC', hard: Math.min(nproc.hard, RLIMIT_MAX), soft: Math.min(nproc.soft, RLIMIT_MAX) },
  ];
}

function environment(input: BuildInput, user: ResolvedUser, cwd: string, hostname: string): string[] {
  const { options, image } = input;
  const env = mergeEnv({
    image: image?.Env,
    tty: options.tty,
    envHost: options.envHost,
    httpProxy: options.httpProxy,
    files: options.envFiles,
    env: options.env,
    caller: input.host.env,
  });
  if (!env.has('HOSTNAME')) env.set('HOSTNAME', hostname);
  // A uid without a passwd entry gets the working directory as home, as in the entry podman adds.
  if (!env.has('HOME')) env.set('HOME', user.home ?? cwd);
  return envList(env);
}

/**
 * The image's /etc/passwd and /etc/group with keep-id's entries for the caller
 * (userns.ts) as whole new files, for the engine to write, bind in and give
 * buildSpec as its etc; undefined for a file that needs nothing added. MOUNTS
 * are the destinations the container will have.
 */
export function keepIdEtc(userns: KeepId, options: RunOptions, image: ImageRunConfig | undefined, etc: EtcFiles, mounts: readonly string[]): EtcFiles {
  const cwd = workingDir(options.workdir, image?.WorkingDir);
  return etcWithCaller(etc, userns.caller, callerHome(userns.caller.home, cwd, mounts));
}

function processSpec(input: BuildInput, capabilities: readonly string[], hostname: string): OciProcess {
  const { options, image } = input;
  const cwd = workingDir(options.workdir, image?.WorkingDir);
  const user = resolveUser(userSpec(options.user, image?.User, input.userns), input.etc, input.host.gidCount, options.groupAdd);
  const args = makeCommand({
    imageEntrypoint: image?.Entrypoint,
    imageCmd: image?.Cmd,
    entrypoint: options.entrypoint,
    command: options.command,
    init: Boolean(options.init),
  });
  return {
    ...(options.tty ? { terminal: true } : {}),
    user: { uid: user.uid, gid: user.gid, umask: 0o022, ...(user.additionalGids.length ? { additionalGids: [...user.additionalGids] } : {}) },
    args,
    env: environment(input, user, cwd, hostname),
    cwd,
    capabilities: processCapabilities(capabilities, user.uid === 0, capabilityOptions(input)),
    rlimits: withUlimits(rlimits(input.host.limits), options.ulimits ?? []),
    ...(options.noNewPrivileges ? { noNewPrivileges: true } : {}),
  };
}

const FILE_DESTINATIONS: readonly [keyof BindFiles, string][] = [
  ['resolvConf', '/etc/resolv.conf'],
  ['hosts', '/etc/hosts'],
  ['hostname', '/etc/hostname'],
  ['containerEnv', '/run/.containerenv'],
  ['passwd', '/etc/passwd'],
  ['group', '/etc/group'],
  ['localtime', '/etc/localtime'],
];

/** libpod's bind mounts of the files it writes: not recursive, and read-only in a read-only container. */
function fileMounts(files: BindFiles, readOnly: boolean): OciMount[] {
  const options = ['bind', 'rprivate', ...(readOnly ? ['ro', 'nosuid', 'noexec', 'nodev'] : [])];
  return FILE_DESTINATIONS.flatMap(([key, destination]) => {
    const source = files[key];
    return source ? [{ destination, type: 'bind', source, options: [...options] }] : [];
  });
}

/** The user's mounts (and --init's), which replace any default on the same destination. */
function requestedMounts({ options }: BuildInput): OciMount[] {
  const init: OciMount[] = options.init ? [{ destination: INIT_PATH, type: 'bind', source: options.init, options: ['bind', 'rprivate', 'ro'] }] : [];
  const requested = [...(options.mounts ?? []).map(userMount), ...init];
  checkDestinations(requested);
  return requested;
}

/** Whether the container's gid 5 (tty) is mapped: devpts refuses gid=5 otherwise. */
function ttyGroup({ userns, host }: BuildInput): boolean {
  return userns ? ourId(userns.gidMappings, 5) !== undefined : host.gidCount > 5;
}

function mountList(input: BuildInput, ownNetwork: boolean): OciMount[] {
  const { options, host } = input;
  const requested = requestedMounts(input);
  const taken = new Set(requested.map((m) => m.destination));
  // A /dev of the user's own replaces everything podman would put under /dev.
  const kept = (m: OciMount) => !taken.has(m.destination) && !(taken.has('/dev') && m.destination.startsWith('/dev/'));
  const defaults = [
    ...(options.privileged ? deviceMounts(host.devices ?? []) : []),
    ...defaultMounts({ ownSysfs: ownNetwork, privileged: options.privileged === true, ttyGroup: ttyGroup(input), ...(options.shmSize ? { shmSize: options.shmSize } : {}) }),
    ...fileMounts(input.files, options.readOnly === true),
    ...(options.readOnly && options.readOnlyTmpfs !== false ? READ_ONLY_TMPFS.map(readOnlyTmpfs) : []),
  ];
  return sortMounts([...defaults.filter(kept), ...requested]);
}

function namespaces({ network, host, userns }: BuildInput): OciNamespace[] {
  const net: OciNamespace[] = network.mode === 'private' ? [{ type: 'network', path: network.path }] : network.mode === 'none' ? [{ type: 'network' }] : [];
  const user: OciNamespace[] = userns ? [{ type: 'user' }] : [];
  return [{ type: 'pid' }, ...net, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, ...(host.cgroupV2 ? [{ type: 'cgroup' as const }] : []), ...user];
}

/** libpod's addRootPropagation: a shared or slave mount needs the root to propagate too. */
function rootPropagation(mounts: readonly OciMount[]): string | undefined {
  const options = mounts.flatMap((m) => m.options ?? []);
  if (options.some((o) => o === 'shared' || o === 'rshared')) return 'shared';
  if (options.some((o) => o === 'slave' || o === 'rslave')) return 'rslave';
  return undefined;
}

function seccomp({ options, host }: BuildInput, capabilities: readonly string[]): OciSeccomp | undefined {
  if (options.seccomp === 'unconfined') return undefined;
  // --privileged drops the default filter, but not a profile the user asked for.
  const profile = options.seccomp ?? (options.privileged ? undefined : host.seccompProfile);
  return profile && seccompForContainer(profile, host.arch, capabilities);
}

function maskedPaths({ host }: BuildInput, ownNetwork: boolean): string[] {
  // With the host's /sys bound in, podman also hides /sys/kernel from a rootless container.
  return [...new Set([...MASKED_PATHS, ...(host.maskedPaths ?? []), ...(ownNetwork ? [] : ['/sys/kernel'])])];
}

function linuxSpec(input: BuildInput, capabilities: readonly string[], mounts: readonly OciMount[], ownNetwork: boolean): OciLinux {
  const filter = seccomp(input, capabilities);
  const propagation = rootPropagation(mounts);
  const { userns } = input;
  const sysctls = Object.keys(input.options.sysctls ?? {});
  checkNetSysctls(input.options.sysctls ?? {}, ownNetwork, input.network.mode === 'host');
  return {
    ...(userns ? { uidMappings: [...userns.uidMappings], gidMappings: [...userns.gidMappings] } : {}),
    // containers.conf's default: ping works for root in the container without CAP_NET_RAW. Only
    // the owner of the network namespace may set it (a keep-id container's root does not own pasta's).
    ...(ownNetwork || sysctls.length ? { sysctl: { ...(ownNetwork ? { 'net.ipv4.ping_group_range': '0 0' } : {}), ...input.options.sysctls } } : {}),
    namespaces: namespaces(input),
    ...(filter ? { seccomp: filter } : {}),
    ...(propagation ? { rootfsPropagation: propagation } : {}),
    ...(input.options.privileged ? {} : { maskedPaths: maskedPaths(input, ownNetwork), readonlyPaths: [...READONLY_PATHS] }),
    ...(input.cgroupsPath ? { cgroupsPath: input.cgroupsPath } : {}),
    ...(input.options.resources ? { resources: input.options.resources } : {}),
  };
}

export function buildSpec(input: BuildInput): OciSpec {
  const { options } = input;
  // Whether the container's root owns its network namespace, as sysfs and sysctls want: not the
  // host's; with a user namespace of its own, only the one the runtime makes in it (none), not pasta's.
  const ownNetwork = input.userns ? input.network.mode === 'none' : input.network.mode !== 'host';
  const capabilities = containerCapabilities(capabilityOptions(input));
  const hostname = chooseHostname(input);
  const mounts = mountList(input, ownNetwork);
  const annotations = options.annotations ?? {};
  return {
    ociVersion: OCI_VERSION,
    process: processSpec(input, capabilities, hostname),
    root: { path: input.rootfs, ...(options.readOnly ? { readonly: true } : {}) },
    hostname,
    mounts,
    ...(Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
    linux: linuxSpec(input, capabilities, mounts, ownNetwork),
  };
}
