/**
 * Capabilities as podman sets them (containers/common pkg/capabilities and
 * podman's securityConfigureGenerator): the default set, --cap-add and
 * --cap-drop (names with or without CAP_, any case, ALL), --privileged, and
 * what a non-root user keeps. Pure: the caller's bounding set comes in as data.
 */
import { TpodError } from '../errors.js';
import type { OciCapabilities } from './oci-types.js';

/** Every capability tpod knows, in kernel bit order (CAP_CHOWN is bit 0). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** containers/common DefaultCapabilities (containers.conf default_capabilities). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_NET_BIND_SERVICE',
  'CAP_SETFCAP', 'CAP_SETGID', 'CAP_SETPCAP', 'CAP_SETUID', 'CAP_SYS_CHROOT',
];

const ALL = 'ALL';

export interface CapabilityOptions {
  readonly add?: readonly string[] | undefined;
  readonly drop?: readonly string[] | undefined;
  readonly privileged?: boolean | undefined;
  /** The bounding set tpod runs with (CapBnd of /proc/self/status); a container gets no more. */
  readonly bounding?: readonly string[] | undefined;
}

/** `net_admin`, `CAP_NET_ADMIN` and `Net_Admin` all become CAP_NET_ADMIN; ALL stays ALL. */
export function normalizeCapabilities(names: readonly string[]): string[] {
  return names.map((name) => {
    const upper = name.toUpperCase();
    if (upper === ALL) return ALL;
    const cap = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!ALL_CAPABILITIES.includes(cap)) throw new TpodError(`unknown capability "${name}"`);
    return cap;
  });
}

/** containers/common MergeCapabilities: BASE plus ADD minus DROP, sorted; ALL on either side. */
function mergeCapabilities(base: readonly string[], add: readonly string[], drop: readonly string[], bounding: readonly string[]): string[] {
  if (drop.includes(ALL)) {
    if (add.includes(ALL)) throw new TpodError('adding all caps and removing all caps not allowed');
    return [...new Set(add)].sort();
  }
  const conflict = add.find((cap) => drop.includes(cap));
  if (conflict) throw new TpodError(`capability "${conflict}" cannot be dropped and added`);
  const start = add.includes(ALL) ? bounding : base;
  const kept = start.filter((cap) => !drop.includes(cap));
  return [...new Set([...kept, ...add.filter((cap) => cap !== ALL)])].sort();
}

/** The container's capability set: its bounding set, and all a root process in it holds. */
export function containerCapabilities(options: CapabilityOptions): string[] {
  const bounding = options.bounding ?? ALL_CAPABILITIES;
  if (options.privileged) return [...bounding].sort();
  const add = normalizeCapabilities(options.add ?? []);
  const drop = normalizeCapabilities(options.drop ?? []);
  return mergeCapabilities(DEFAULT_CAPABILITIES, add, drop, bounding).filter((cap) => bounding.includes(cap));
}

/**
 * process.capabilities: root holds the whole set; any other user holds only what --cap-add
 * named, as ambient capabilities so they survive the exec (podman's rule). Inheritable is
 * otherwise empty, as the kernel itself leaves it.
 */
export function processCapabilities(set: readonly string[], isRoot: boolean, options: CapabilityOptions): OciCapabilities {
  if (isRoot) return { bounding: [...set], effective: [...set], permitted: [...set] };
  const bounding = options.bounding ?? ALL_CAPABILITIES;
  const added = mergeCapabilities([], normalizeCapabilities(options.add ?? []), [], bounding).filter((cap) => bounding.includes(cap));
  if (added.length === 0) return { bounding: [...set] };
  return { bounding: [...set], effective: added, permitted: added, inheritable: added, ambient: added };
}

/** The names in a hexadecimal capability mask such as /proc/self/status's CapBnd line. */
export function decodeCapabilityMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}
