/**
 * Mounts: podman's default set for a rootless container (userns=host, which is
 * what tpod's own user namespace is to the runtime), its masked and read-only
 * paths, and the user's -v/--volume, --mount and --tmpfs, parsed into data here
 * and given their final options as podman's ProcessOptions gives them. Pure:
 * whatever needs the filesystem (volume paths, the flags of a bind source's
 * filesystem) comes in as data.
 */
import { posix } from 'node:path';
import { TpodError } from '../errors.js';
import type { OciMount } from './oci-types.js';

/** -v HOST-DIR:CTR-DIR or --mount type=bind. */
export interface BindRequest {
  readonly type: 'bind';
  readonly source: string;
  readonly destination: string;
  /** Mount options the runtime understands: ro/rw, [no]exec, [no]suid, [no]dev, [r]bind, propagation. */
  readonly options: readonly string[];
  /** U: chown the source to the container's user first (the engine does it). */
  readonly chown: boolean;
}

/** -v NAME:CTR-DIR, -v CTR-DIR (anonymous: name ''), or --mount type=volume. */
export interface VolumeRequest {
  readonly type: 'volume';
  readonly name: string;
  readonly destination: string;
  readonly options: readonly string[];
  readonly chown: boolean;
  /** Copy the image's content at the destination into a new volume (podman's default; nocopy turns it off). */
  readonly copy: boolean;
  /** Create the volume when missing (nocreate turns it off). */
  readonly create: boolean;
}

/** --tmpfs or --mount type=tmpfs. */
export interface TmpfsRequest {
  readonly type: 'tmpfs';
  readonly destination: string;
  /** As given: ro/rw, [no]exec, [no]suid, [no]dev, size=, mode=, propagation, [no]tmpcopyup, noatime. */
  readonly options: readonly string[];
}

export type MountRequest = BindRequest | VolumeRequest | TmpfsRequest;

/** Flags the kernel locks on a mount made in another user namespace: a bind must keep them. */
export type LockedFlag = 'nosuid' | 'nodev' | 'noexec';

/** A user mount as buildSpec takes it: the engine has turned each volume into a bind of its directory. */
export type SpecMount =
  | {
      readonly type: 'bind';
      readonly source: string;
      readonly destination: string;
      readonly options: readonly string[];
      readonly locked?: readonly LockedFlag[];
      /** U: the engine chowns the source to the container's user before each start. */
      readonly chown?: boolean;
    }
  | TmpfsRequest;

/** containers/common DefaultMaskedPaths, less the thermal_throttle glob (HostFacts brings its matches). */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/sched_debug', '/proc/scsi',
  '/proc/timer_list', '/proc/timer_stats', '/sys/devices/virtual/powercap', '/sys/firmware', '/sys/fs/selinux',
  '/proc/interrupts',
];

/** containers/common DefaultReadOnlyPaths. */
export const READONLY_PATHS: readonly string[] = ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable'];

/** Options that exclude each other: a second one from the same group is an error, as in podman. */
const GROUP_OF: Record<string, string> = {
  ro: 'rw', rw: 'rw', exec: 'exec', noexec: 'exec', suid: 'suid', nosuid: 'suid', dev: 'dev', nodev: 'dev',
  bind: 'bind', rbind: 'bind', z: 'label', Z: 'label', U: 'U', copy: 'copy', nocopy: 'copy',
  tmpcopyup: 'copyup', notmpcopyup: 'copyup', size: 'size', mode: 'mode', nocreate: 'nocreate', noatime: 'noatime',
  ...Object.fromEntries(PROPAGATION.map((p) => [p, 'propagation'])),
};

const BIND_ONLY = new Set(['bind', 'rbind', 'z', 'Z', 'U', 'copy', 'nocopy', 'nocreate']);
const TMPFS_ONLY = new Set(['size', 'mode', 'tmpcopyup', 'notmpcopyup', 'noatime']);
/** podman options tpod does not implement yet, with the reason a user sees. */
const UNSUPPORTED: Record<string, string> = {
  O: 'overlay volumes (O) are not supported by tpod yet',
  idmap: 'idmapped volume mounts (idmap) are not supported by tpod yet',
  upperdir: 'overlay volumes (upperdir) are not supported by tpod yet',
  workdir: 'overlay volumes (workdir) are not supported by tpod yet',
  'no-dereference': 'no-dereference is not supported by tpod yet',
  subpath: 'volume subpaths are not supported by tpod yet',
  'volume-subpath': 'volume subpaths are not supported by tpod yet',
  'volume-opt': 'volume driver options are not supported by tpod yet',
};

function invalid(what: string, text: string, why: string): TpodError {
  return new TpodError(`invalid ${what} "${text}": ${why}`);
}

function destination(what: string, text: string, dest: string): string {
  if (dest === '') throw invalid(what, text, 'container directory cannot be empty');
  if (!dest.startsWith('/')) throw invalid(what, text, `container path "${dest}" must be an absolute path`);
  return posix.normalize(dest).replace(/(.)\/$/, '$1');
}

/** Checks each option against its kind and the others; returns them with duplicates refused. */
function checkOptions(what: string, text: string, options: readonly string[], kind: 'bind' | 'tmpfs'): string[] {
  const seen = new Map<string, string>();
  for (const option of options) {
    const key = option.split('=')[0] ?? option;
    const unsupported = UNSUPPORTED[key];
    if (unsupported) throw invalid(what, text, unsupported);
    const group = GROUP_OF[key];
    if (!group) throw invalid(what, text, `unknown option "${option}"`);
    if (kind === 'tmpfs' ? BIND_ONLY.has(key) : TMPFS_ONLY.has(key)) throw invalid(what, text, `option "${key}" is not allowed on a ${kind} mount`);
    const earlier = seen.get(group);
    if (earlier !== undefined) throw invalid(what, text, `options "${earlier}" and "${option}" cannot be used together`);
    seen.set(group, option);
  }
  if (kind === 'tmpfs') checkTmpfsValues(what, text, options);
  return [...options];
}

function checkTmpfsValues(what: string, text: string, options: readonly string[]): void {
  for (const option of options) {
    const [key, value = ''] = option.split('=', 2);
    if (key === 'size' && !/^\d+[kmgtpe%]?$/i.test(value)) throw invalid(what, text, `tmpfs size "${value}" is not a size such as 64m`);
    if (key === 'mode' && !/^[0-7]{1,4}$/.test(value)) throw invalid(what, text, `tmpfs mode "${value}" is not an octal mode such as 1777`);
  }
}

/** Splits checked options into what the runtime gets and what the engine acts on. */
function routeOptions(options: readonly string[]) {
  // z and Z ask for SELinux relabelling: tpod does not label, as podman on a host without SELinux.
  const forRuntime = options.filter((o) => !['z', 'Z', 'U', 'copy', 'nocopy', 'nocreate'].includes(o));
  return { options: forRuntime, chown: options.includes('U'), copy: !options.includes('nocopy'), create: !options.includes('nocreate') };
}

/** `cached` and `delegated` are macOS hints; podman drops them silently, and so does tpod. */
function splitOptions(list: string | undefined): string[] {
  return (list ? list.split(',') : []).filter((o) => o !== '' && o !== 'cached' && o !== 'delegated');
}

/** -v/--volume [SOURCE:]CTR-DIR[:OPTIONS]; a SOURCE starting with / or . is a host path, else a volume name. */
export function parseVolumeSpec(text: string, cwd: string): MountRequest {
  const parts = text.split(':');
  if (parts.length > 3) throw invalid('volume', text, 'incorrect volume format, should be [host-dir:]ctr-dir[:option]');
  if (parts.length === 1) {
    return { type: 'volume', name: '', destination: destination('volume', text, text), options: [], chown: false, copy: true, create: true };
  }
  const [source = '', dest = '', list] = parts;
  if (source === '') throw invalid('volume', text, 'host directory cannot be empty');
  const target = destination('volume', text, dest);
  const routed = routeOptions(checkOptions('volume', text, splitOptions(list), 'bind'));
  if (source.startsWith('/') || source.startsWith('.')) {
    return { type: 'bind', source: posix.resolve(cwd, source), destination: target, options: routed.options, chown: routed.chown };
  }
  return { type: 'volume', name: source, destination: target, ...routed };
}

/** --tmpfs CTR-DIR[:OPTIONS]. */
export function parseTmpfsSpec(text: string): TmpfsRequest {
  const colon = text.indexOf(':');
  const dest = colon < 0 ? text : text.slice(0, colon);
  const list = colon < 0 ? undefined : text.slice(colon + 1);
  return { type: 'tmpfs', destination: destination('tmpfs', text, dest), options: checkOptions('tmpfs', text, splitOptions(list), 'tmpfs') };
}

/** One CSV record, as Go's encoding/csv reads --mount: commas separate, double quotes protect. */
function csvFields(text: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (c === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
  }
  if (quoted) throw invalid('mount', text, 'unterminated quote');
  return [...fields, field];
}

interface MountFields {
  type: string;
  source: string | undefined;
  destination: string | undefined;
  options: string[];
}

/** --mount's boolean options: `ro`, `readonly=true`, `rw=false` (which means ro), ... */
function readOnlyOption(name: string, value: string | undefined): string[] {
  const flag = name === 'readonly' ? 'ro' : name;
  if (value === undefined || value.toLowerCase() === 'true') return [flag];
  if (value.toLowerCase() === 'false') return flag === 'rw' ? ['ro'] : [];
  throw new Error(`${name} must be true or false, not "${value}"`);
}

/** One key[=value] of --mount into FIELDS; an Error's message says what is wrong with it. */
function applyMountField(fields: MountFields, key: string, value: string | undefined): void {
  const need = (): string => {
    if (value === undefined) throw new Error(`${key} needs a value`);
    return value;
  };
  switch (key) {
    case 'type':
      fields.type = need();
      return;
    case 'src':
    case 'source':
      if (fields.type === 'tmpfs') throw new Error('a tmpfs mount has no source');
      fields.source = need();
      if (fields.source === '') throw new Error('host directory cannot be empty');
      return;
    case 'target':
    case 'dst':
    case 'dest':
    case 'destination':
      fields.destination = need();
      return;
    case 'readonly':
    case 'ro':
    case 'rw':
      fields.options.push(...readOnlyOption(key, value));
      return;
    case 'bind-propagation':
      if (!PROPAGATION.includes(need())) throw new Error(`invalid bind-propagation "${value}"`);
      fields.options.push(need());
      return;
    case 'bind-nonrecursive':
      fields.options.push('bind');
      return;
    case 'relabel':
      if (!['private', 'shared'].includes(need())) throw new Error('relabel must be private or shared');
      fields.options.push(value === 'private' ? 'Z' : 'z');
      return;
    case 'tmpfs-size':
      fields.options.push(`size=${need()}`);
      return;
    case 'tmpfs-mode':
      fields.options.push(`mode=${need()}`);
      return;
    case 'U':
    case 'chown':
      fields.options.push(...chownOption(value));
      return;
    case 'consistency':
      return;
    default:
      // Plain flags (nosuid, rshared, Z, nocopy, ...): checkOptions judges them as it judges -v's.
      fields.options.push(value === undefined ? key : `${key}=${value}`);
  }
}

function chownOption(value: string | undefined): string[] {
  if (value === undefined || value === '' || value.toLowerCase() === 'true') return ['U'];
  if (value.toLowerCase() === 'false') return [];
  throw new Error(`U must be true or false, not "${value}"`);
}

function mountFields(text: string): MountFields {
  const fields: MountFields = { type: 'volume', source: undefined, destination: undefined, options: [] };
  // The type decides what the other keys mean, wherever it is written: read it first.
  const pairs = csvFields(text).map((field) => {
    const eq = field.indexOf('=');
    return eq < 0 ? ([field, undefined] as const) : ([field.slice(0, eq), field.slice(eq + 1)] as const);
  });
  const ordered = [...pairs.filter(([k]) => k === 'type'), ...pairs.filter(([k]) => k !== 'type')];
  for (const [key, value] of ordered) {
    try {
      applyMountField(fields, key, value);
    } catch (err) {
      throw invalid('mount', text, (err as Error).message);
    }
  }
  return fields;
}

/** --mount type=bind|volume|tmpfs,... (type defaults to volume, as in podman). */
export function parseMountSpec(text: string, cwd: string): MountRequest {
  const fields = mountFields(text);
  if (fields.destination === undefined) throw invalid('mount', text, 'must set volume destination (target=)');
  const target = destination('mount', text, fields.destination);
  switch (fields.type) {
    case 'tmpfs':
      return { type: 'tmpfs', destination: target, options: checkOptions('mount', text, fields.options, 'tmpfs') };
    case 'bind': {
      const routed = routeOptions(checkOptions('mount', text, fields.options, 'bind'));
      // podman binds the destination's own host path when no source is given.
      return { type: 'bind', source: posix.resolve(cwd, fields.source ?? target), destination: target, options: routed.options, chown: routed.chown };
    }
    case 'volume':
      return { type: 'volume', name: fields.source ?? '', destination: target, ...routeOptions(checkOptions('mount', text, fields.options, 'bind')) };
    case 'image':
    case 'glob':
    case 'devpts':
    case 'ramfs':
    case 'artifact':
      throw invalid('mount', text, `type=${fields.type} is not supported by tpod yet`);
    default:
      throw invalid('mount', text, `invalid filesystem type "${fields.type}"`);
  }
}

/** Two mounts on one destination are an error, as in podman. */
export function checkDestinations(mounts: readonly { destination: string }[]): void {
  const seen = new Set<string>();
  for (const { destination: dest } of mounts) {
    if (seen.has(dest)) throw new TpodError(`${dest}: duplicate mount destination`);
    seen.add(dest);
  }
}

const has = (options: readonly string[], ...names: string[]): boolean => options.some((o) => names.includes(o.split('=')[0] ?? o));

/**
 * podman's ProcessOptions: a propagation mode (rprivate, or private for a plain bind), the
 * filesystem flags a bind must keep (for a tmpfs, nosuid and nodev), tmpcopyup on a tmpfs unless
 * refused, and a recursive bind unless a plain one was asked for.
 */
function finalOptions(mount: SpecMount): string[] {
  const options = mount.options.filter((o) => o !== 'notmpcopyup');
  const extra: string[] = [];
  if (!has(options, ...PROPAGATION)) extra.push(options.includes('bind') ? 'private' : 'rprivate');
  const keep = mount.type === 'tmpfs' ? (['nosuid', 'nodev'] as const) : (mount.locked ?? []);
  for (const flag of keep) if (!has(options, flag, flag.slice(2))) extra.push(flag);
  if (mount.type === 'tmpfs' && !mount.options.includes('notmpcopyup') && !options.includes('tmpcopyup')) extra.push('tmpcopyup');
  if (mount.type === 'bind' && !has(options, 'bind', 'rbind')) extra.push('rbind');
  return [...options, ...extra];
}

export function userMount(mount: SpecMount): OciMount {
  const source = mount.type === 'tmpfs' ? 'tmpfs' : mount.source;
  return { destination: mount.destination, type: mount.type, source, options: finalOptions(mount) };
}

export interface DefaultMountsInput {
  /** podman's canMountSys: false when the container shares the host's network namespace. */
  readonly ownSysfs: boolean;
  readonly privileged: boolean;
  /** Whether gid 5 (tty) is mapped: devpts refuses gid=5 otherwise. */
  readonly ttyGroup: boolean;
  /** --shm-size, in bytes. */
  readonly shmSize?: number;
}

function sysMounts({ ownSysfs, privileged }: DefaultMountsInput): { sys: OciMount; cgroup: OciMount } {
  const mode = privileged ? 'rw' : 'ro';
  // sysfs may only be mounted by the owner of the network namespace: with the host's, bind the host's /sys.
  if (!ownSysfs) {
    return {
      sys: { destination: '/sys', type: 'bind', source: '/sys', options: ['rprivate', 'nosuid', 'noexec', 'nodev', mode, 'rbind'] },
      cgroup: { destination: '/sys/fs/cgroup', type: 'cgroup', source: '/sys/fs/cgroup', options: ['rprivate', 'nosuid', 'noexec', 'nodev', mode] },
    };
  }
  const sys = privileged ? ['rprivate', 'nosuid', 'noexec', 'nodev', 'rw'] : ['nosuid', 'noexec', 'nodev', 'ro'];
  return {
    sys: { destination: '/sys', type: 'sysfs', source: 'sysfs', options: sys },
    cgroup: { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['rprivate', 'nosuid', 'noexec', 'nodev', 'relatime', mode] },
  };
}

/**
 * /proc, /dev, /sys, /dev/pts, /dev/mqueue, /dev/shm and the cgroup filesystem. /dev/shm is a
 * tmpfs of podman's default size (65536k, or --shm-size) in the spec itself; podman mounts one per
 * container and binds it in, which only matters when containers share an IPC namespace, and tpod
 * has no --ipc.
 */
export function defaultMounts(input: DefaultMountsInput): OciMount[] {
  const { sys, cgroup } = sysMounts(input);
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    sys,
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(input.ttyGroup ? ['gid=5'] : [])],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${input.shmSize ?? '65536k'}`] },
    cgroup,
  ];
}

/** --read-only keeps these writable, as podman's --read-only-tmpfs (on by default) does. */
export const READ_ONLY_TMPFS: readonly string[] = ['/run', '/tmp', '/var/tmp'];

export function readOnlyTmpfs(destination: string): OciMount {
  return { destination, type: 'tmpfs', source: 'tmpfs', options: ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'] };
}

/**
 * --privileged binds the host's devices one by one (a user namespace cannot mknod), except
 * /dev/ptmx (the runtime links it to /dev/pts/ptmx) and the host's terminals and consoles.
 */
export function deviceMounts(devices: readonly string[]): OciMount[] {
  return devices
    .filter((d) => d !== '/dev/ptmx' && d !== '/dev/tty' && !/^\/dev\/tty\d+$/.test(d))
    .map((d) => ({ destination: d, type: 'bind', source: d, options: ['slave', 'nosuid', 'noexec', 'rw', 'rbind'] }));
}

/** The number of path components: mounts are sorted by it, so a parent is mounted before its children. */
function depth(destination: string): number {
  return destination === '/' ? 0 : destination.split('/').length - 1;
}

/** libpod's sortMounts: stable, by depth. */
export function sortMounts(mounts: readonly OciMount[]): OciMount[] {
  return [...mounts].sort((a, b) => depth(a.destination) - depth(b.destination));
}
