/**
 * Volumes as podman has them: made on first use (anonymous ones under a
 * random name), filled from the image on their first mount (copy-up), and
 * bound into the container as their _data directory; and the use cases of
 * `tpod volume`.
 */
import { chmodSync, lchownSync, readFileSync, readdirSync } from 'node:fs';
import { EXIT_IN_USE, TpodError } from '../errors.js';
import type { LockedFlag, SpecMount, VolumeRequest } from '../spec/mounts.js';
import { Containers } from '../storage/containers.js';
import { resolveInRoot } from '../storage/in-root.js';
import { mountOptionsFor } from '../storage/mounts.js';
import { randomBytes } from '../storage/records.js';
import type { Store } from '../storage/store.js';
import { NoSuchVolume, type VolumeRecord, Volumes, chownTree, copyTree } from '../storage/volumes.js';

export { NoSuchVolume };

/** The flags the kernel locks on the mount that holds PATH: a bind of it in our namespace must keep them. */
export function lockedFlags(path: string): LockedFlag[] {
  const options = mountOptionsFor(readFileSync('/proc/self/mountinfo', 'utf8'), path);
  return (['nosuid', 'nodev', 'noexec'] as const).filter((f) => options.includes(f));
}

/** podman's names for volumes made without one: 64 random hex digits. */
const randomName = (): string => randomBytes(32).toString('hex');

export interface ContainerUser {
  readonly uid: number;
  readonly gid: number;
}

type NamedRequest = VolumeRequest & { readonly anonymous: boolean };

/**
 * A volume's first mount, as podman's mountNamedVolume and fixVolumePermissions
 * do it: the image's content at the destination is copied in, and the volume
 * takes the destination's owner and mode (or, without one, the container
 * user's). U gives the volume's content to the container user on every mount.
 * We are root in tpod's user namespace, where container ids are real ids.
 */
function prepare(volumes: Volumes, record: VolumeRecord, request: NamedRequest, rootfs: string, user: ContainerUser): void {
  const data = volumes.dataDir(record.name);
  // The image's directory at the destination, as the container sees it: its symlinks followed inside its root.
  const found = resolveInRoot(rootfs, request.destination);
  const image = found?.stats.isDirectory() ? found : undefined;
  const change: { needsCopyUp?: boolean; needsChown?: boolean } = {};
  if (record.needsCopyUp && request.copy && image && readdirSync(image.real).length > 0) {
    change.needsCopyUp = false;
    // Content put there by hand meanwhile is not mixed with the image's (podman, CVE-2020-1726).
    if (readdirSync(data).length === 0) copyTree(image.real, data);
  }
  if (record.needsChown) {
    change.needsChown = false;
    const owner = image && !request.chown ? image.stats : user;
    lchownSync(data, owner.uid, owner.gid);
    if (image && !request.chown) chmodSync(data, image.stats.mode & 0o7777);
  }
  if (request.chown) chownTree(data, user.uid, user.gid);
  if (Object.keys(change).length > 0) volumes.update(record.name, change);
}

/**
 * Turns each volume request into a bind of its volume's _data, making the
 * volume when missing unless nocreate; binds (chowned first for U) and tmpfs
 * mounts pass through.
 * CLAIM is told every volume's name before any is made: the container's record
 * lists them then, so that volume rm and prune never take one from under it.
 */
export function resolveVolumeMounts(
  store: Store,
  requests: readonly (SpecMount | VolumeRequest)[],
  rootfs: string,
  user: ContainerUser,
  claim: (names: string[]) => void,
): SpecMount[] {
  // U on a host directory, as podman does it: the whole tree, before every start.
  for (const m of requests) if (m.type === 'bind' && m.chown) chownTree(m.source, user.uid, user.gid);
  // Most runs mount no volume: no lock taken, no record rewritten.
  if (!requests.some((m) => m.type === 'volume')) return requests.flatMap((m) => (m.type === 'volume' ? [] : [m]));
  const named = requests.map((m) => (m.type === 'volume' ? { ...m, anonymous: m.name === '', name: m.name || randomName() } : m));
  claim([...new Set(named.flatMap((m) => (m.type === 'volume' ? [m.name] : [])))]);
  const volumes = new Volumes(store);
  return store.locked(() =>
    named.map((m): SpecMount => {
      if (m.type !== 'volume') return m;
      let record = volumes.get(m.name);
      if (!record && !m.create) throw new NoSuchVolume(m.name);
      record ??= volumes.create({ name: m.name, labels: {}, options: {}, anonymous: m.anonymous });
      prepare(volumes, record, m, rootfs, user);
      const source = volumes.dataDir(m.name);
      return { type: 'bind', source, destination: m.destination, options: m.options, locked: lockedFlags(source) };
    }),
  );
}

/** podman run --rm: the container's anonymous volumes go with it, unless another container uses one. */
export function removeAnonymousVolumes(store: Store, names: readonly string[]): void {
  if (names.length === 0) return;
  const volumes = new Volumes(store);
  store.locked(() => {
    for (const name of names) if (volumes.get(name)?.anonymous && volumes.users(name).length === 0) volumes.remove(name);
  });
}

export interface CreateVolumeRequest {
  /** Undefined: a random name, as podman gives. */
  readonly name: string | undefined;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly options: Readonly<Record<string, string>>;
  /** --ignore: an existing volume of that name is no error. */
  readonly ignore: boolean;
}

export function createVolume(store: Store, req: CreateVolumeRequest): VolumeRecord {
  if (req.driver !== 'local') throw new TpodError(`volume driver "${req.driver}" is not supported: tpod has only the local driver`);
  const volumes = new Volumes(store);
  const name = req.name ?? randomName();
  return store.locked(() => (req.ignore ? volumes.get(name) : undefined) ?? volumes.create({ name, labels: req.labels, options: req.options, anonymous: false }));
}

export function listVolumes(store: Store): VolumeRecord[] {
  return new Volumes(store).list();
}

export function findVolume(store: Store, name: string): VolumeRecord {
  return new Volumes(store).find(name);
}

/** podman volume inspect's fields, those with a meaning in tpod. */
export function inspectVolume(store: Store, record: VolumeRecord): Record<string, unknown> {
  return {
    Name: record.name,
    Driver: record.driver,
    Mountpoint: new Volumes(store).dataDir(record.name),
    CreatedAt: record.created,
    Labels: record.labels,
    Scope: 'local',
    Options: record.options,
    // podman leaves these out when false.
    ...(record.anonymous ? { Anonymous: true } : {}),
    ...(record.needsCopyUp ? { NeedsCopyUp: true } : {}),
    ...(record.needsChown ? { NeedsChown: true } : {}),
  };
}

/**
 * podman volume rm: refused while a container uses the volume, unless FORCE,
 * which removes those containers first; but not one that another tpod is
 * setting up or running (created or running).
 */
export function removeVolume(store: Store, name: string, force: boolean): void {
  const volumes = new Volumes(store);
  store.locked(() => {
    volumes.find(name);
    const users = volumes.users(name);
    const active = users.some((c) => c.state !== 'exited');
    if (users.length > 0 && (!force || active)) {
      throw new TpodError(`volume ${name} is being used by the following container(s): ${users.map((c) => c.id).join(', ')}: volume is being used`, {
        exitCode: EXIT_IN_USE,
        ...(force ? { hint: 'one of them is running: stop it first' } : {}),
      });
    }
    const containers = new Containers(store);
    for (const c of users) containers.remove(c.id);
    volumes.remove(name);
  });
}

/** The volumes no container uses: what prune would remove. */
export function unusedVolumes(store: Store): string[] {
  const volumes = new Volumes(store);
  return volumes.list().flatMap((v) => (volumes.users(v.name).length === 0 ? [v.name] : []));
}

/** Removes every volume no container uses; returns their names. */
export function pruneVolumes(store: Store): string[] {
  const volumes = new Volumes(store);
  return store.locked(() => {
    const doomed = unusedVolumes(store);
    for (const name of doomed) volumes.remove(name);
    return doomed;
  });
}
