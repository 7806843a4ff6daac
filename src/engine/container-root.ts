/**
 * A container's root file system, open for `tpod cp` and `tpod export`,
 * whether the container runs or not.
 *
 * A running container's is looked at as its processes see it, through
 * /proc/PID/root, so its volumes, bind mounts and /etc files are there, as
 * podman shows them by joining its mount namespace (export looks at the
 * overlay alone, as podman's does). A stopped container's is mounted,
 * opened, and at once detached from every path: the open descriptor keeps
 * the detached mount usable, to us alone, and it goes with the descriptor,
 * however this tpod ends. It is mounted as its writer left the layer: with
 * fuse-overlayfs for a --userns=keep-id container, whose layer fuse-overlayfs
 * wrote, but without shifting ids, so the files carry the container's ids.
 */
import { closeSync, fstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TpodError } from '../errors.js';
import type { ImageConfig } from '../image/manifest.js';
import type { OciIdMapping, OciSpec } from '../spec/oci-types.js';
import { ourId } from '../spec/userns.js';
import { type ContainerPaths, type ContainerRecord, Containers } from '../storage/containers.js';
import { chooseDriver } from '../storage/driver.js';
import { mountRootfs, unmountRootfs } from '../storage/rootfs.js';
import type { Context } from './context.js';
import { findContainer } from './containers.js';
import type { ContainerConfig } from './create.js';
import { openRoot } from './root-fd.js';
import { configOf } from './start.js';

/** The kernel's id for one a user namespace does not map. */
const OVERFLOW_ID = 65534;

export interface Ids {
  readonly uid: number;
  readonly gid: number;
}

/** Between the ids the container sees and those its files carry where we look at them. */
export interface IdMaps {
  /** Ours for the container's; throws for ids its user namespace leaves out. */
  ours(ids: Ids): Ids;
  /** The container's for ours; unmapped ones show as 65534, as the kernel shows them. */
  container(ids: Ids): Ids;
}

/** The maps a container's spec gives its user namespace; none (its ids are ours) without one. Pure. */
export function idMaps(uids: readonly OciIdMapping[] = [], gids: readonly OciIdMapping[] = []): IdMaps {
  const back = (mappings: readonly OciIdMapping[], id: number) => {
    if (mappings.length === 0) return id;
    const m = mappings.find((r) => id >= r.hostID && id < r.hostID + r.size);
    return m ? m.containerID + id - m.hostID : OVERFLOW_ID;
  };
  const forth = (mappings: readonly OciIdMapping[], id: number) => {
    if (mappings.length === 0) return id;
    const ours = ourId(mappings, id);
    if (ours === undefined) throw new TpodError(`id ${id} is not mapped in the container's user namespace`);
    return ours;
  };
  return {
    ours: ({ uid, gid }) => ({ uid: forth(uids, uid), gid: forth(gids, gid) }),
    container: ({ uid, gid }) => ({ uid: back(uids, uid), gid: back(gids, gid) }),
  };
}

export interface ContainerRoot {
  readonly record: ContainerRecord;
  readonly config: ContainerConfig;
  /** The image's config (User, WorkingDir, ...). */
  readonly image: NonNullable<ImageConfig['config']>;
  /** The root directory, open: root-fd.ts walks below it. */
  readonly fd: number;
  readonly ids: IdMaps;
  /** Where something is mounted in the container, seen as its processes see it: none is to be removed. */
  readonly mountPoints: ReadonlySet<string>;
}

/** What cp sees (the processes' view, mounts included) or export (the overlay alone). */
export type RootView = 'processes' | 'overlay';

/** The mount points in /proc/PID/mountinfo, as paths from that process's root. Pure. */
export function mountPoints(mountinfo: string): Set<string> {
  const unescape = (path: string) => path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return new Set(mountinfo.split('\n').flatMap((line) => (line.split(' ')[4] ? [unescape(line.split(' ')[4]!)] : [])));
}

interface Opened {
  readonly fd: number;
  readonly mountPoints: ReadonlySet<string>;
}

/** The running container's root as VIEW asks; its overlay when its process cannot be looked into. */
function openRunning(paths: ContainerPaths, view: RootView): Opened {
  const overlay = openRoot(paths.rootfs);
  if (view === 'overlay') return { fd: overlay, mountPoints: new Set() };
  try {
    const pid = Number(readFileSync(join(paths.bundle, 'pid'), 'utf8'));
    const proc = openRoot(`/proc/${pid}/root`);
    const [a, b] = [fstatSync(proc), fstatSync(overlay)];
    // A pid reused by another process has another root: never look there.
    if (a.dev === b.dev && a.ino === b.ino) {
      closeSync(overlay);
      return { fd: proc, mountPoints: mountPoints(readFileSync(`/proc/${pid}/mountinfo`, 'utf8')) };
    }
    closeSync(proc);
  } catch {
    // Ending, or not ours to look into: its overlay is still mounted.
  }
  return { fd: overlay, mountPoints: new Set() };
}

function specIdMaps(paths: ContainerPaths): IdMaps {
  const spec = JSON.parse(readFileSync(join(paths.bundle, 'config.json'), 'utf8')) as OciSpec;
  return idMaps(spec.linux?.uidMappings, spec.linux?.gidMappings);
}

/** A stopped container's root, mounted and opened, and detached before anyone else could see it. */
function openStopped(ctx: Context, c: ContainerRecord, paths: ContainerPaths): number {
  const store = ctx.store();
  const image = store.image(c.imageId);
  if (!image) throw new TpodError(`the image of container ${c.name} (${c.imageId.slice(0, 12)}) is gone`, { hint: 'remove the container' });
  const driver = configOf(c).options.userns === 'keep-id' ? 'fuse-overlayfs' : chooseDriver(ctx.paths.storageDir).driver;
  mountRootfs(driver, { lower: image.layers.map((l) => join(store.layerDir(l), 'diff')), upper: paths.upper, work: paths.work }, paths.rootfs);
  try {
    return openRoot(paths.rootfs);
  } finally {
    unmountRootfs(paths.rootfs);
  }
}

/** Runs FN on the root file system of container NAMEORID, seen as VIEW says; closes it after. */
export async function withContainerRoot<T>(ctx: Context, nameOrId: string, view: RootView, fn: (root: ContainerRoot) => Promise<T>): Promise<T> {
  const store = ctx.store();
  const containers = new Containers(store);
  const found = findContainer(ctx, nameOrId);
  const paths = containers.paths(found.id);
  // Under the lock, so that the state acted on is the state. A stopped one is held while we
  // copy: a start meanwhile would mount its layer a second time (checkStartable refuses).
  let release = () => {};
  const { record, opened, ids } = store.locked(() => {
    const record = containers.get(found.id);
    if (!record) throw new TpodError(`container ${found.name} was removed meanwhile`);
    if (record.state === 'running') return { record, opened: openRunning(paths, view), ids: specIdMaps(paths) };
    release = containers.holdStopped(record.id);
    try {
      return { record, opened: { fd: openStopped(ctx, record, paths), mountPoints: new Set<string>() }, ids: idMaps() };
    } catch (err) {
      release();
      throw err;
    }
  });
  const { fd } = opened;
  try {
    const image = (JSON.parse(store.config(record.imageId).toString('utf8')) as ImageConfig).config ?? {};
    return await fn({ record, config: configOf(record), image, fd, ids, mountPoints: opened.mountPoints });
  } finally {
    closeSync(fd);
    release();
  }
}
