/**
 * The part of the OCI runtime spec (config.json) that tpod writes, with the
 * field names runc and crun read. Optional fields are left out of the JSON
 * when unset, as podman's generator (omitempty) leaves them out.
 */
import type { OciResources } from '../cgroups/resources.js';

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: OciLinux;
}

export interface OciProcess {
  terminal?: boolean;
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  rlimits: OciRlimit[];
  noNewPrivileges?: boolean;
}

export interface OciUser {
  uid: number;
  gid: number;
  umask?: number;
  additionalGids?: number[];
}

export interface OciCapabilities {
  bounding: string[];
  effective?: string[];
  permitted?: string[];
  inheritable?: string[];
  ambient?: string[];
}

export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export type NamespaceType = 'user' | 'pid' | 'network' | 'ipc' | 'uts' | 'mount' | 'cgroup';

export interface OciNamespace {
  type: NamespaceType;
  /** Join this namespace instead of creating one. */
  path?: string;
}

/** One line of a user namespace's uid_map or gid_map: SIZE ids from CONTAINERID on are HOSTID on outside. */
export interface OciIdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface OciLinux {
  uidMappings?: OciIdMapping[];
  cgroupsPath?: string;
  resources?: OciResources;
  gidMappings?: OciIdMapping[];
  sysctl?: Record<string, string>;
  namespaces: OciNamespace[];
  seccomp?: OciSeccomp;
  rootfsPropagation?: string;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  flags?: string[];
  listenerPath?: string;
  listenerMetadata?: string;
  syscalls?: OciSyscall[];
}

export interface OciSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: OciSeccompArg[];
}

export interface OciSeccompArg {
  index: number;
  value: number;
  valueTwo?: number;
  op: string;
}
