/**
 * A seccomp profile in the containers format (/usr/share/containers/seccomp.json,
 * or the user's --security-opt seccomp=FILE, already parsed) turned into the OCI
 * form for one container, as containers/common's setupSeccomp does: rules are
 * kept or dropped by the container's bounding capabilities and the host's
 * architecture, and archMap picks the architectures. Pure.
 */
import { TpodError } from '../errors.js';
import type { OciSeccomp, OciSeccompArg, OciSyscall } from './oci-types.js';

interface Filter {
  readonly arches?: readonly string[];
  readonly caps?: readonly string[];
}

export interface SeccompRule {
  readonly name?: string;
  readonly names?: readonly string[];
  readonly action: string;
  readonly errnoRet?: number;
  readonly errno?: string;
  readonly args?: readonly OciSeccompArg[] | null;
  readonly includes?: Filter;
  readonly excludes?: Filter;
}

export interface SeccompProfile {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly defaultErrno?: string;
  readonly architectures?: readonly string[] | null;
  readonly archMap?: readonly { architecture: string; subArchitectures?: readonly string[] | null }[] | null;
  readonly flags?: readonly string[] | null;
  readonly listenerPath?: string;
  readonly listenerMetadata?: string;
  readonly syscalls?: readonly SeccompRule[] | null;
}

/** containers/common nativeToSeccomp: Go's architecture names to libseccomp's. */
const NATIVE_TO_SECCOMP: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64',
  arm64: 'SCMP_ARCH_AARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mipsel64n32: 'SCMP_ARCH_MIPSEL64N32',
  s390x: 'SCMP_ARCH_S390X',
};

/**
 * The errno a rule returns. Profiles give the number (errnoRet) beside the name; a name alone
 * would need the host's errno table, which differs between architectures, so tpod asks for the number.
 */
function errnoOf(name: string | undefined, ret: number | undefined): number | undefined {
  if (ret !== undefined || name === undefined || name === '') return ret;
  if (/^\d+$/.test(name)) return Number(name);
  throw new TpodError(`seccomp profile: errno ${name} needs a numeric errnoRet beside it`);
}

function applies(rule: SeccompRule, arch: string, bounding: readonly string[]): boolean {
  const { includes = {}, excludes = {} } = rule;
  if (excludes.arches?.includes(arch)) return false;
  if (excludes.caps?.some((cap) => bounding.includes(cap))) return false;
  if (includes.arches?.length && !includes.arches.includes(arch)) return false;
  return !includes.caps?.some((cap) => !bounding.includes(cap));
}

/** The runtime-spec Go type drops a zero valueTwo (omitempty); so does tpod, to write what podman writes. */
function toArg({ index, value, valueTwo, op }: OciSeccompArg): OciSeccompArg {
  return valueTwo ? { index, value, valueTwo, op } : { index, value, op };
}

function toSyscall(rule: SeccompRule): OciSyscall {
  if (rule.name && rule.names?.length) throw new TpodError("seccomp profile: a rule gives both 'name' and 'names'; use one");
  const names = rule.name ? [rule.name] : [...(rule.names ?? [])];
  const errnoRet = errnoOf(rule.errno, rule.errnoRet);
  return {
    names,
    action: rule.action,
    ...(errnoRet === undefined ? {} : { errnoRet }),
    ...(rule.args?.length ? { args: rule.args.map(toArg) } : {}),
  };
}

function architectures(profile: SeccompProfile, arch: string): string[] {
  if (profile.architectures?.length && profile.archMap?.length) {
    throw new TpodError("seccomp profile: both 'architectures' and 'archMap' are given; use one");
  }
  if (profile.architectures?.length) return [...profile.architectures];
  const entry = profile.archMap?.find((a) => a.architecture === NATIVE_TO_SECCOMP[arch]);
  return entry ? [entry.architecture, ...(entry.subArchitectures ?? [])] : [];
}

/**
 * linux.seccomp for a container whose bounding set is BOUNDING, on ARCH (Go's name: amd64,
 * arm64, ...). A profile with no default action and no rules means no filter: undefined.
 */
export function seccompForContainer(profile: SeccompProfile, arch: string, bounding: readonly string[]): OciSeccomp | undefined {
  if (!profile.defaultAction && !profile.syscalls?.length) return undefined;
  const arches = architectures(profile, arch);
  const defaultErrnoRet = errnoOf(profile.defaultErrno, profile.defaultErrnoRet);
  const syscalls = (profile.syscalls ?? [])
    .filter((rule) => applies(rule, arch, bounding))
    .map(toSyscall)
    .filter((s) => s.names.length > 0);
  return {
    defaultAction: profile.defaultAction,
    ...(defaultErrnoRet === undefined ? {} : { defaultErrnoRet }),
    ...(arches.length ? { architectures: arches } : {}),
    ...(profile.flags?.length ? { flags: [...profile.flags] } : {}),
    ...(profile.listenerPath ? { listenerPath: profile.listenerPath } : {}),
    ...(profile.listenerMetadata ? { listenerMetadata: profile.listenerMetadata } : {}),
    syscalls,
  };
}
