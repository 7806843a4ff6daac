/**
 * `tpod diff`: what a container changed, read from its own layer (the
 * overlay's upper directory) against its image's layers, or what an image's
 * top layer changed against the layers below it; no mount needed, so a
 * stopped container shows the same as a running one.
 *
 * As containers/storage does it for podman's overlay driver: the layer is
 * walked in name order; a whiteout is a deletion (D); anything else is an
 * addition (A) unless a lower layer has it, then a change (C), but a
 * directory whose size, mode and time are the lower one's is left out; the
 * parents of an addition or deletion are changes, listed before it. A
 * directory made opaque over one the lower layers have was deleted, and what
 * it holds now is listed below it. Where lower layers have an opaque
 * directory, tpod does not look below it (podman does, and calls a new
 * file there a change). The files the runtime makes as mount points
 * (/etc/hosts, /proc, ...) are left out, as podman leaves them out.
 */
import { type BigIntStats, lstatSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';
import { TpodError, errnoCode } from '../errors.js';
import { lgetxattr } from '../sys/libc.js';
import { Containers } from '../storage/containers.js';
import { chooseDriver } from '../storage/driver.js';
import type { ImageRecord } from '../storage/store.js';
import type { Context } from './context.js';
import { findContainer } from './containers.js';
import { findImage } from './images.js';
import { configOf } from './start.js';

export type ChangeKind = 'A' | 'C' | 'D';

export interface Change {
  readonly kind: ChangeKind;
  readonly path: string;
}

/** What the runtime makes for its mounts, and podman leaves out of a diff. */
const MOUNT_POINTS = new Set(['/dev', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/etc/mtab', '/proc', '/run', '/run/.containerenv', '/run/secrets', '/run/tpod-init', '/sys']);

const WHITEOUT = '.wh.';
const OPAQUE_FILE = '.wh..wh..opq';
/** The kernel overlay's (unprivileged and privileged) and fuse-overlayfs's own marks of an opaque directory. */
const OPAQUE_XATTRS = ['user.overlay.opaque', 'trusted.overlay.opaque', 'user.fuseoverlayfs.opaque'];

function lstatOrUndefined(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

const isWhiteout = (st: BigIntStats) => st.isCharacterDevice() && st.rdev === 0n;

/** Marked opaque: what lower layers have there is hidden. fuse-overlayfs marks it with a file too. */
function isOpaque(dir: string): boolean {
  return OPAQUE_XATTRS.some((name) => lgetxattr(dir, name) === 'y') || lstatOrUndefined(join(dir, OPAQUE_FILE))?.isFile() === true;
}

/** Names in byte order, as Go's filepath.Walk lists them. */
const sorted = (names: string[]) => names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

/** Directories alike as containers/storage compares them: size, mode, and time (to the second when one lacks nanoseconds). */
function sameDirectory(a: BigIntStats, b: BigIntStats): boolean {
  const sameTime = a.mtimeNs === b.mtimeNs || (a.mtimeMs / 1000n === b.mtimeMs / 1000n && (a.mtimeNs % 1_000_000_000n === 0n || b.mtimeNs % 1_000_000_000n === 0n));
  return a.size === b.size && a.mode === b.mode && sameTime;
}

/**
 * PATH in the lower layers LOWERS (topmost first): its lstat in the first
 * that has it; undefined when none does, or a whiteout or opaque directory
 * on the way hides it. Symlinks in a layer are never followed.
 */
export function inLowerLayers(lowers: readonly string[], path: string): BigIntStats | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const layer of lowers) {
    let here = layer;
    for (const [i, part] of parts.entries()) {
      here = join(here, part);
      const st = lstatOrUndefined(here);
      if (!st) break;
      if (isWhiteout(st)) return undefined;
      if (i === parts.length - 1) return st;
      if (!st.isDirectory()) break;
      if (isOpaque(here)) {
        // The layers below see nothing here; this one may still have the rest of the path.
        const rest = lstatOrUndefined(join(here, ...parts.slice(i + 1)));
        return rest && !isWhiteout(rest) ? rest : undefined;
      }
    }
  }
  return undefined;
}

/**
 * The changes the layer UPPER makes over the layers LOWERS (topmost first).
 * FUSE: fuse-overlayfs wrote UPPER, and names starting .wh. are its own.
 */
export function layerChanges(upper: string, lowers: readonly string[], fuse: boolean): Change[] {
  const changes: Change[] = [];
  const changedDirs = new Set<string>();

  const visit = (path: string, st: BigIntStats): void => {
    const name = posix.basename(path);
    let change: Change;
    if (fuse && name.startsWith(WHITEOUT)) {
      // fuse-overlayfs's: a whiteout file where it cannot make device nodes; its opaque mark,
      // and a whiteout it makes beside that mark, say nothing themselves.
      if (name === OPAQUE_FILE || !st.isFile()) return;
      change = { kind: 'D', path: posix.join(posix.dirname(path), name.slice(WHITEOUT.length)) };
    } else if (isWhiteout(st)) {
      change = { kind: 'D', path };
    } else {
      const lower = inLowerLayers(lowers, path);
      if (st.isDirectory() && lower && isOpaque(join(upper, path))) {
        change = { kind: 'D', path };
      } else if (!lower) {
        change = { kind: 'A', path };
      } else {
        if (st.isDirectory() && lower.isDirectory() && sameDirectory(st, lower)) return;
        change = { kind: 'C', path };
      }
    }
    if (st.isDirectory()) changedDirs.add(path);
    if (change.kind !== 'C') {
      const parents: Change[] = [];
      for (let dir = posix.dirname(change.path); dir !== '/'; dir = posix.dirname(dir)) {
        if (changedDirs.has(dir)) continue;
        parents.unshift({ kind: 'C', path: dir });
        changedDirs.add(dir);
      }
      changes.push(...parents);
    }
    changes.push(change);
  };

  const walk = (dir: string): void => {
    for (const name of sorted(readdirSync(join(upper, dir)))) {
      const path = posix.join(dir, name);
      const st = lstatSync(join(upper, path), { bigint: true });
      visit(path, st);
      if (st.isDirectory()) walk(path);
    }
  };
  walk('/');
  return changes.filter((c) => !MOUNT_POINTS.has(c.path));
}

/** What NAMEORID changed: an image's top layer over its others, as podman looks for an image first; else a container's layer over its image. */
export function changesOf(ctx: Context, nameOrId: string): Change[] {
  const store = ctx.store();
  const layerDirs = (diffIds: readonly string[]) => diffIds.map((d) => join(store.layerDir(d), 'diff')).reverse();
  const image = imageNamed(ctx, nameOrId);
  if (image) {
    const [top, ...lowers] = layerDirs(image.layers);
    return top ? layerChanges(top, lowers, false) : [];
  }
  const c = findContainer(ctx, nameOrId);
  const base = store.image(c.imageId);
  if (!base) throw new TpodError(`the image of container ${c.name} (${c.imageId.slice(0, 12)}) is gone`);
  // The layer of a keep-id container is fuse-overlayfs's, as is every layer where the kernel overlay does not work.
  const fuse = configOf(c).options.userns === 'keep-id' || chooseDriver(ctx.paths.storageDir).driver === 'fuse-overlayfs';
  return layerChanges(new Containers(store).paths(c.id).upper, layerDirs(base.layers), fuse);
}

function imageNamed(ctx: Context, nameOrId: string): ImageRecord | undefined {
  try {
    return findImage(ctx.store(), ctx.registries(), nameOrId);
  } catch (err) {
    // Not an image's name (or no valid one at all): a container's, maybe.
    if (err instanceof TpodError) return undefined;
    throw err;
  }
}
