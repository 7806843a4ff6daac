/**
 * Named volumes under $XDG_DATA_HOME/tpod/volumes/<name>/, as podman lays them out:
 *
 *   _data/         what containers see, bound in at their destination
 *   volume.json    name, driver, labels, options, when it was made, and its state
 *
 * A volume is built in the store's tmp/ and renamed into place, so a half-made
 * one is never listed. The methods that change volumes expect the store lock
 * held (Store.locked, which does not nest): the engine takes it once around a
 * whole check-and-change, such as "create unless it exists" or "remove unless used".
 */
import {
  chmodSync, copyFileSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync,
  readdirSync, readlinkSync, renameSync, rmSync, symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { NotFound, TpodError } from '../errors.js';
import { log } from '../log.js';
import { S_IFIFO, mknod } from '../sys/libc.js';
import { type ContainerRecord, Containers } from './containers.js';
import { readRecord, writeRecord } from './records.js';
import type { Store } from './store.js';

export interface VolumeRecord {
  readonly name: string;
  readonly driver: 'local';
  readonly labels: Readonly<Record<string, string>>;
  /** --opt, as given; see LOCAL_OPTIONS for what tpod acts on. */
  readonly options: Readonly<Record<string, string>>;
  readonly created: string;
  /** Made for a container's -v CTR-DIR: removed with a --rm container. */
  readonly anonymous: boolean;
  /** podman's NeedsCopyUp: the first container with image content at its destination copies it in. */
  readonly needsCopyUp: boolean;
  /** podman's NeedsChown: the first container gives the volume its user, or the destination's owner and mode. */
  readonly needsChown: boolean;
}

/** podman's volume names (libpod define.NameRegex). */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** The options podman's local driver accepts; tpod acts on uid, gid and nocopy, and keeps the rest. */
const LOCAL_OPTIONS = ['device', 'o', 'type', 'uid', 'gid', 'size', 'inodes', 'noquota', 'copy', 'nocopy'];

/** A volume that does not exist: podman volume rm exits 1 for it, everything else 125. */
export class NoSuchVolume extends NotFound {
  constructor(name: string) {
    super(`no volume with name "${name}" found: no such volume`);
  }
}

export function checkVolumeName(name: string): void {
  if (!NAME.test(name)) throw new TpodError(`invalid volume name "${name}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
}

/** An id option (uid=, gid=) as a number; undefined when not given. Pure. */
function idOption(options: Readonly<Record<string, string>>, key: 'uid' | 'gid'): number | undefined {
  const text = options[key];
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new TpodError(`invalid volume option ${key}=${text}: it must be a number`);
  return Number(text);
}

/** Refuses what podman's local driver refuses; returns the owner uid=/gid= ask for. Pure. */
export function checkLocalOptions(options: Readonly<Record<string, string>>): { uid: number | undefined; gid: number | undefined } {
  for (const key of Object.keys(options)) {
    if (!LOCAL_OPTIONS.includes(key.toLowerCase())) throw new TpodError(`invalid mount option ${key} for driver 'local'`);
  }
  return { uid: idOption(options, 'uid'), gid: idOption(options, 'gid') };
}

/**
 * Copies the content of directory FROM into the existing directory TO with
 * owners, modes, times and hard links, as podman's copy-up does. Sockets and
 * device nodes are left out: a user namespace cannot make devices.
 */
export function copyTree(from: string, to: string): void {
  const copies = new Map<string, string>();
  const walk = (src: string, dst: string): void => {
    for (const name of readdirSync(src)) {
      const s = join(src, name);
      const d = join(dst, name);
      const st = lstatSync(s);
      const inode = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 && !st.isDirectory() ? copies.get(inode) : undefined;
      if (first) {
        linkSync(first, d);
        continue;
      }
      if (st.isDirectory()) {
        mkdirSync(d);
        walk(s, d);
      } else if (st.isFile()) {
        copyFileSync(s, d);
      } else if (st.isSymbolicLink()) {
        symlinkSync(readlinkSync(s), d);
      } else if (st.isFIFO()) {
        mknod(d, S_IFIFO | 0o600);
      } else {
        log.debug(`copy-up: ${s} left out: a socket or device`);
        continue;
      }
      if (st.nlink > 1 && !st.isDirectory()) copies.set(inode, d);
      lchownSync(d, st.uid, st.gid);
      // After the chown, which clears set-id bits; symlinks have no mode of their own.
      if (!st.isSymbolicLink()) chmodSync(d, st.mode & 0o7777);
      // After the content: making entries in a directory moves its mtime.
      lutimesSync(d, st.atime, st.mtime);
    }
  };
  walk(from, to);
}

/**
 * Gives everything in DIR, DIR included, to UID:GID (the U option). Entries
 * owned so already are left alone, as podman does: a chown clears set-id bits.
 */
export function chownTree(dir: string, uid: number, gid: number): void {
  const visit = (path: string): void => {
    const st = lstatSync(path);
    if (st.uid !== uid || st.gid !== gid) lchownSync(path, uid, gid);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
}

export class Volumes {
  readonly dir: string;

  constructor(private readonly store: Store) {
    this.dir = join(store.root, 'volumes');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  dataDir(name: string): string {
    return join(this.dir, name, '_data');
  }

  /** Undefined for a name that is not a volume's, or cannot be one (no path tricks). */
  get(name: string): VolumeRecord | undefined {
    if (!NAME.test(name)) return undefined;
    return readRecord<VolumeRecord>(join(this.dir, name, 'volume.json'));
  }

  find(name: string): VolumeRecord {
    const record = this.get(name);
    if (!record) throw new NoSuchVolume(name);
    return record;
  }

  /** Every volume, by name. */
  list(): VolumeRecord[] {
    return readdirSync(this.dir)
      .flatMap((name) => this.get(name) ?? [])
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The containers whose records name the volume. */
  users(name: string): ContainerRecord[] {
    return new Containers(this.store).list().filter((c) => c.volumes?.includes(name));
  }

  /** Makes a volume; NAME must be free. Call with the store lock held. */
  create(fields: Pick<VolumeRecord, 'name' | 'labels' | 'options' | 'anonymous'>): VolumeRecord {
    checkVolumeName(fields.name);
    const owner = checkLocalOptions(fields.options);
    if (this.get(fields.name)) throw new TpodError(`volume with name ${fields.name} already exists: volume already exists`);
    const record: VolumeRecord = {
      ...fields,
      driver: 'local',
      created: new Date().toISOString(),
      needsCopyUp: fields.options.nocopy === undefined,
      // An owner asked for with uid=/gid= is kept, as podman keeps it.
      needsChown: owner.uid === undefined && owner.gid === undefined,
    };
    // The staging directory (0700) becomes the volume's own, as podman's is.
    const staged = this.store.staging();
    mkdirSync(join(staged, '_data'), 0o755);
    if (!record.needsChown) lchownSync(join(staged, '_data'), owner.uid ?? 0, owner.gid ?? 0);
    writeRecord(join(staged, 'volume.json'), record);
    renameSync(staged, join(this.dir, fields.name));
    return record;
  }

  /** Call with the store lock held. */
  update(name: string, change: Partial<Pick<VolumeRecord, 'needsCopyUp' | 'needsChown'>>): void {
    writeRecord(join(this.dir, name, 'volume.json'), { ...this.find(name), ...change });
  }

  /** Removes a volume and its content; the caller has made sure no container uses it. Call with the store lock held. */
  remove(name: string): void {
    // Out of sight first (one rename), then deleted.
    const trash = this.store.staging();
    renameSync(join(this.dir, name), join(trash, 'volume'));
    rmSync(trash, { recursive: true, force: true });
  }
}
