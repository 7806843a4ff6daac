/**
 * --userns: host (the default) runs the container in tpod's own user
 * namespace, where the caller is root; keep-id gives it a user namespace of
 * its own in which the caller's uid and gid are their own, as podman's keep-id
 * does. Pure: the id maps for the spec and for fuse-overlayfs, and the
 * /etc/passwd and /etc/group entries podman adds for the caller.
 *
 * Ids here are tpod's namespace's: the caller is our 0 and the subordinate ids
 * are our 1..COUNT-1, so a host file the caller owns is our 0.
 */
import { TpodError } from '../errors.js';
import type { OciIdMapping } from './oci-types.js';
import type { EtcFiles } from './user.js';

export type UsernsMode = 'host' | 'keep-id';

export function parseUserns(text: string): UsernsMode {
  if (text === 'keep-id') return 'keep-id';
  if (text === '' || text === 'host') return 'host';
  if (text.startsWith('keep-id:')) throw new TpodError(`--userns=${text}: keep-id takes no options in tpod yet (uid=, gid=, size=)`);
  throw new TpodError(`--userns=${text}: tpod knows host and keep-id`);
}

/**
 * podman's keep-id map, in our ids: container ID is our 0 (the caller), the
 * container ids below it are our 1..ID, those above it are themselves, up to
 * the COUNT ids our namespace maps. The container's root is then a subordinate
 * id, as in podman, and never the caller.
 */
function keepIdMappings(id: number, count: number): OciIdMapping[] {
  const max = count - 1;
  return [
    ...(id > 0 && max > 0 ? [{ containerID: 0, hostID: 1, size: Math.min(id, max) }] : []),
    { containerID: id, hostID: 0, size: 1 },
    ...(max > id ? [{ containerID: id + 1, hostID: id + 1, size: max - id }] : []),
  ];
}

/**
 * fuse-overlayfs's map for a container with MAPPINGS: a layer stores the
 * image's ids as they are (image uid k is our k), and each A:B:N triple shows
 * stored A.. as our B.., which the container's map turns back into A..; what
 * the container writes is stored through the same map in reverse. So the
 * layers are never copied or chowned. A caller whose id is beyond what our
 * namespace maps (podman#10272) cannot be stored as itself: the one stored id
 * left over, the highest, stands for it.
 */
function storageMappings(mappings: readonly OciIdMapping[], count: number): OciIdMapping[] {
  return mappings.map((m) => ({ ...m, containerID: Math.min(m.containerID, count - m.size) }));
}

const triples = (mappings: readonly OciIdMapping[]): string => mappings.map((m) => `${m.containerID}:${m.hostID}:${m.size}`).join(':');

/** Our id for a container id, or undefined when the container's map leaves it out. */
export function ourId(mappings: readonly OciIdMapping[], id: number): number | undefined {
  const m = mappings.find((r) => id >= r.containerID && id < r.containerID + r.size);
  return m && m.hostID + id - m.containerID;
}

/** The caller as the host's /etc/passwd and /etc/group name them. */
export interface Account {
  readonly uid: number;
  readonly gid: number;
  readonly name: string;
  /** The passwd entry's comment field (the user's full name). */
  readonly gecos: string;
  readonly home: string;
  readonly group: string;
}

const records = (text: string | undefined): string[][] =>
  (text ?? '').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#')).map((l) => l.split(':'));

/**
 * The caller's account from the host's files; for an account those lack
 * (NSS, LDAP), the names tpod was started with, else the numbers.
 */
export function callerAccount(files: EtcFiles, uid: number, gid: number, env: NodeJS.ProcessEnv): Account {
  const user = records(files.passwd).find((f) => f[2] === String(uid));
  const group = records(files.group).find((f) => f[2] === String(gid));
  const name = user?.[0] || env.USER || env.LOGNAME || String(uid);
  return { uid, gid, name, gecos: user?.[4] ?? '', home: user?.[5] || env.HOME || '/', group: group?.[0] || name };
}

/** What --userns=keep-id needs: the caller, the container's maps, and the root filesystem's. */
export interface KeepId {
  readonly caller: Account;
  readonly uidMappings: readonly OciIdMapping[];
  readonly gidMappings: readonly OciIdMapping[];
  /** fuse-overlayfs's -o uidmapping=,gidmapping= for the container's root filesystem. */
  readonly storage: string;
}

/** keep-id for CALLER in a namespace of ours that maps UIDCOUNT uids and GIDCOUNT gids. */
export function keepId(caller: Account, uidCount: number, gidCount: number): KeepId {
  const uidMappings = keepIdMappings(caller.uid, uidCount);
  const gidMappings = keepIdMappings(caller.gid, gidCount);
  const storage = `uidmapping=${triples(storageMappings(uidMappings, uidCount))},gidmapping=${triples(storageMappings(gidMappings, gidCount))}`;
  return { caller, uidMappings, gidMappings, storage };
}

/** The user a container runs as: -u, else the image's User, else with keep-id the caller's ids, as podman. */
export function userSpec(flag: string | undefined, imageUser: string | undefined, keep: KeepId | undefined): string {
  return flag || imageUser || (keep ? `${keep.caller.uid}:${keep.caller.gid}` : '');
}

/** A container user's ids as ours: the owner tpod gives what it makes for the container (volumes). */
export function ourIds(keep: KeepId, user: { readonly uid: number; readonly gid: number }): { uid: number; gid: number } {
  const uid = ourId(keep.uidMappings, user.uid);
  const gid = ourId(keep.gidMappings, user.gid);
  if (uid === undefined || gid === undefined) throw new TpodError(`user ${user.uid}:${user.gid} is not mapped in the container's user namespace`);
  return { uid, gid };
}

/**
 * Where the caller's entry points HOME: their own home when it, or a directory
 * above it, is mounted in the container; else the working directory, as podman.
 */
export function callerHome(home: string, cwd: string, destinations: readonly string[]): string {
  const mounted = destinations.some((d) => d !== '/' && (home === d || home.startsWith(`${d}/`)));
  return mounted ? home : cwd;
}

/**
 * The image's /etc/passwd and /etc/group with the caller added, as podman
 * adds them for keep-id: only what the image lacks by name and by id, so an
 * image's own user of that uid keeps its entry. Undefined for a file that
 * needs nothing added.
 */
export function etcWithCaller(etc: EtcFiles, caller: Account, home: string): EtcFiles {
  const has = (text: string | undefined, name: string, id: number) => records(text).some((f) => f[0] === name || f[2] === String(id));
  const append = (text: string | undefined, line: string) => `${text && !text.endsWith('\n') ? `${text}\n` : (text ?? '')}${line}\n`;
  return {
    passwd: has(etc.passwd, caller.name, caller.uid)
      ? undefined
      : append(etc.passwd, `${caller.name}:*:${caller.uid}:${caller.gid}:${caller.gecos}:${home}:/bin/sh`),
    group: has(etc.group, caller.group, caller.gid) ? undefined : append(etc.group, `${caller.group}:x:${caller.gid}:${caller.name}`),
  };
}
