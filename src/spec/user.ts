/**
 * -u/--user and the image's User, resolved against the image's /etc/passwd and
 * /etc/group as podman resolves them (moby/sys/user GetExecUser, then libpod's
 * additional gids). Pure: the two files come in as text, either may be absent.
 */
import { TpodError } from '../errors.js';

export interface EtcFiles {
  readonly passwd?: string | undefined;
  readonly group?: string | undefined;
}

export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  /** process.user.additionalGids, podman's way: see additionalGids(). */
  readonly additionalGids: readonly number[];
  /** The passwd entry's home; undefined for a bare uid with no entry (or an empty home field). */
  readonly home: string | undefined;
  /** Groups the user is listed in that our user namespace does not map: left out (podman warns). */
  readonly unmappedGids: readonly number[];
}

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

const MAX_ID = 2 ** 31 - 1;

/** A uid or gid written as a number, else undefined (it is a name). */
function numericId(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const id = Number(text);
  if (id > MAX_ID) throw new TpodError(`uids and gids must be in range 0-${MAX_ID}`);
  return id;
}

function records(text: string | undefined): string[][] {
  return (text ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function passwdEntries(text: string | undefined): PasswdEntry[] {
  return records(text).flatMap(([name = '', , uid = '', gid = '', , home = '']) =>
    /^\d+$/.test(uid) && /^\d+$/.test(gid) ? [{ name, uid: Number(uid), gid: Number(gid), home }] : [],
  );
}

function groupEntries(text: string | undefined): GroupEntry[] {
  return records(text).flatMap(([name = '', , gid = '', members = '']) =>
    /^\d+$/.test(gid) ? [{ name, gid: Number(gid), members: members.split(',').filter(Boolean) }] : [],
  );
}

/** The passwd entry for USER (a name, a uid, or '' for uid 0), and the uid to run as. */
function findUser(user: string, passwd: string | undefined): { entry: PasswdEntry | undefined; uid: number } {
  const uid = user === '' ? 0 : numericId(user);
  const users = passwdEntries(passwd);
  // First match wins, as in GetExecUser; a number is always a uid, never a name.
  const entry = uid === undefined ? users.find((u) => u.name === user) : users.find((u) => u.uid === uid);
  if (entry) return { entry, uid: entry.uid };
  if (uid === undefined) throw new TpodError(`unable to find user ${user}: no matching entries in passwd file`);
  return { entry: undefined, uid };
}

/** The gid GROUP names (a name or a gid); FALLBACK when no group was given. */
function findGroup(group: string, groups: readonly GroupEntry[], fallback: number): number {
  if (group === '') return fallback;
  const gid = numericId(group);
  const entry = gid === undefined ? groups.find((g) => g.name === group) : groups.find((g) => g.gid === gid);
  if (entry) return entry.gid;
  if (gid === undefined) throw new TpodError(`unable to find group ${group}: no matching entries in group file`);
  return gid;
}

/**
 * libpod's additionalGids: the primary gid whenever a user was named at all, then, when no group
 * was named, every group that lists the user, as far as the namespace maps it (setgroups would
 * fail on an unmapped gid).
 */
function additionalGids(spec: string, gid: number, listed: readonly number[], gidCount: number) {
  const mapped = spec.includes(':') ? [] : listed.filter((g) => g < gidCount);
  const unmapped = spec.includes(':') ? [] : listed.filter((g) => g >= gidCount);
  const gids = [...(spec === '' ? [] : [gid]), ...mapped];
  return { gids: [...new Set(gids)], unmapped };
}

/**
 * Resolves SPEC (`user[:group]`, each a name or a number; '' means the image's default, root).
 * GID_COUNT is how many gids our user namespace maps (0 .. GID_COUNT-1).
 */
export function resolveUser(spec: string, etc: EtcFiles, gidCount = Number.POSITIVE_INFINITY, groupAdd: readonly string[] = []): ResolvedUser {
  const colon = spec.indexOf(':');
  const userPart = colon < 0 ? spec : spec.slice(0, colon);
  const groupPart = colon < 0 ? '' : spec.slice(colon + 1);
  const { entry, uid } = findUser(userPart, etc.passwd);
  const groups = groupEntries(etc.group);
  const gid = findGroup(groupPart, groups, entry?.gid ?? 0);
  // Supplementary groups only in the implicit form, and only for a user found by name in passwd.
  const listed = groupPart === '' && entry ? groups.filter((g) => g.members.includes(entry.name)).map((g) => g.gid) : [];
  const { gids, unmapped } = additionalGids(spec, gid, listed, gidCount);
  // --group-add: names from the container's /etc/group, or gids; one setgroups cannot give is refused.
  const added = groupAdd.map((name) => {
    const id = findGroup(name, groups, 0);
    if (id >= gidCount) throw new TpodError(`--group-add ${name}: gid ${id} is not mapped in tpod's user namespace, which maps gids 0 to ${gidCount - 1}`);
    return id;
  });
  return { uid, gid, additionalGids: [...new Set([...gids, ...added])], home: entry?.home || undefined, unmappedGids: unmapped };
}
