/**
 * Paths inside a directory that is some container's or layer's root,
 * resolved the way the kernel would resolve them in a chroot there: `..`
 * stops at the top, and symlinks are followed with absolute targets starting
 * again at the top. Nothing here can reach outside the root.
 */
import { type Stats, lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { TpodError, errnoCode } from '../errors.js';

const MAX_SYMLINK_HOPS = 40;

export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** The entry's path relative to the layer top, with `.` gone and `..` stopped at the top. Pure. */
export function cleanEntryPath(path: string): string {
  return posix.normalize(`/${path}`).replace(/^\/+/, '').replace(/\/+$/, '');
}

/**
 * The real directory, inside ROOT, that holds the last component of PATH:
 * each parent is resolved as in a chroot at ROOT, and created when missing.
 */
export function resolveParent(root: string, path: string): { dir: string; name: string } {
  const parts = cleanEntryPath(path).split('/');
  const name = parts.pop() ?? '';
  const resolved: string[] = [];
  const queue = parts.filter((p) => p !== '');
  let hops = 0;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '.' || part === '') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const here = join(root, ...resolved, part);
    const st = lstatOrUndefined(here);
    if (!st) {
      mkdirSync(here, 0o755);
    } else if (st.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) throw new TpodError(`${path}: too many levels of symbolic links`);
      const target = readlinkSync(here);
      if (target.startsWith('/')) resolved.length = 0;
      queue.unshift(...target.split('/'));
      continue;
    } else if (!st.isDirectory()) {
      throw new TpodError(`${path}: ${join(...resolved, part)} is not a directory`);
    }
    resolved.push(part);
  }
  return { dir: join(root, ...resolved), name };
}

/** PATH inside ROOT, every symlink followed within ROOT; undefined when something on the way is missing. */
export function resolveInRoot(root: string, path: string): { real: string; stats: Stats } | undefined {
  const queue = path.split('/').filter(Boolean);
  const resolved: string[] = [];
  let hops = 0;
  let stats: Stats | undefined;
  while (queue.length > 0) {
    const part = queue.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const here = join(root, ...resolved, part);
    try {
      stats = lstatSync(here);
    } catch {
      return undefined;
    }
    if (stats.isSymbolicLink()) {
      if (++hops > MAX_SYMLINK_HOPS) return undefined;
      const target = readlinkSync(here);
      if (target.startsWith('/')) resolved.length = 0;
      queue.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    resolved.push(part);
  }
  if (!stats) stats = lstatSync(root);
  return { real: join(root, ...resolved), stats };
}
