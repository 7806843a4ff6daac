/**
 * Paths inside a root that must not be escaped (a container's root file
 * system, or the directory `tpod cp` writes into), walked through directory
 * descriptors rather than path strings: each step looks up one name in a
 * directory already open and opens it with O_NOFOLLOW. So neither a symlink
 * nor `..` leads outside the root, not even one a running container swaps in
 * between our look and our use, which storage/in-root.ts, walking path
 * strings, cannot rule out. Symlinks on the way are followed as the kernel
 * would follow them in a chroot at the root: `..` stops at the top, and an
 * absolute target starts again there.
 *
 * Node has no openat(): /proc/self/fd/N/NAME is NAME in the directory that
 * descriptor N holds open, wherever that directory has been moved meanwhile.
 */
import { type Stats, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, rmdirSync, unlinkSync } from 'node:fs';
import { TpodError } from '../errors.js';
import { lstatOrUndefined } from '../storage/in-root.js';

const MAX_SYMLINK_HOPS = 40;
const DIRECTORY = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

/** NAME in the directory open as FD; '.' is that directory itself. */
export const at = (fd: number, name: string): string => `/proc/self/fd/${fd}/${name}`;

/** The root itself, symlinks in PATH followed (/proc/PID/root is one). */
export function openRoot(path: string): number {
  return openSync(path, constants.O_RDONLY | constants.O_DIRECTORY);
}

/** The directory NAME in the directory open as FD, never through a symlink. */
export function openDirAt(fd: number, name: string): number {
  return openSync(at(fd, name), DIRECTORY);
}

/** A path's parts, without the empty and `.` ones (`..` stays: it is walked). */
const parts = (path: string): string[] => path.split('/').filter((p) => p !== '' && p !== '.');

export interface Found {
  /** The directory that holds it, open: the caller closes it. */
  readonly dir: number;
  /** Its name there; '.' when the path named that directory itself (the root, or a `..`). */
  readonly name: string;
  /** Its path from the root, symlinks resolved: /etc/passwd. */
  readonly path: string;
  /** Its lstat; undefined when it does not exist (its directory does). */
  readonly stats: Stats | undefined;
}

export interface LookupOptions {
  /** Follow a symlink in the last part too. */
  readonly follow?: boolean;
  /** Make missing directories on the way (0755), as tar extraction does. */
  readonly create?: boolean;
}

/**
 * PATH (absolute or not, it starts at the root) below the directory open as
 * ROOT; undefined when a directory on the way is missing.
 */
export function lookup(root: number, path: string, options: LookupOptions = {}): Found | undefined {
  const stack = [{ fd: openDirAt(root, '.'), name: '' }];
  const queue = parts(path);
  const pathOf = (name: string) => `/${[...stack.slice(1).map((d) => d.name), name].filter(Boolean).join('/')}`;
  let kept = -1;
  const found = (name: string, stats: Stats | undefined): Found => {
    kept = stack.at(-1)!.fd;
    return { dir: kept, name, path: pathOf(name === '.' ? '' : name), stats };
  };
  let hops = 0;
  try {
    while (queue.length > 0) {
      const part = queue.shift()!;
      if (part === '..') {
        if (stack.length > 1) closeSync(stack.pop()!.fd);
        continue;
      }
      const dir = stack.at(-1)!.fd;
      const last = queue.length === 0;
      let stats = lstatOrUndefined(at(dir, part));
      if (!stats) {
        if (last) return found(part, undefined);
        if (!options.create) return undefined;
        mkdirSync(at(dir, part), 0o755);
        stats = lstatSync(at(dir, part));
      }
      if (stats.isSymbolicLink() && (!last || options.follow)) {
        if (++hops > MAX_SYMLINK_HOPS) throw new TpodError(`${path}: too many levels of symbolic links`);
        const target = readlinkSync(at(dir, part));
        if (target.startsWith('/')) while (stack.length > 1) closeSync(stack.pop()!.fd);
        queue.unshift(...parts(target));
        continue;
      }
      if (last) return found(part, stats);
      if (!stats.isDirectory()) throw new TpodError(`${path}: ${pathOf(part)} is not a directory`);
      stack.push({ fd: openDirAt(dir, part), name: part });
    }
    return found('.', fstatSync(stack.at(-1)!.fd));
  } finally {
    for (const d of stack) if (d.fd !== kept) closeSync(d.fd);
  }
}

/** The directory PATH names below ROOT, open, and its path with symlinks resolved; made (with what leads to it) when missing and CREATE. */
export function openDirIn(root: number, path: string, create: boolean): { fd: number; path: string } {
  const f = lookup(root, path, { follow: true, create });
  if (!f) throw new TpodError(`${path}: no such file or directory`);
  if (f.name === '.') return { fd: f.dir, path: f.path };
  try {
    if (!f.stats) {
      if (!create) throw new TpodError(`${f.path}: no such file or directory`);
      mkdirSync(at(f.dir, f.name), 0o755);
    } else if (!f.stats.isDirectory()) {
      throw new TpodError(`${f.path}: not a directory`);
    }
    return { fd: openDirAt(f.dir, f.name), path: f.path };
  } finally {
    closeSync(f.dir);
  }
}

/** Removes NAME from the directory open as FD, a directory with all it holds, never through a symlink. */
export function removeAt(fd: number, name: string): void {
  if (!lstatSync(at(fd, name)).isDirectory()) return unlinkSync(at(fd, name));
  const dir = openDirAt(fd, name);
  try {
    for (const child of readdirSync(at(dir, '.'))) removeAt(dir, child);
  } finally {
    closeSync(dir);
  }
  rmdirSync(at(fd, name));
}

/** The text of the regular file PATH names below ROOT; undefined when there is none. */
export function readFileIn(root: number, path: string): string | undefined {
  const f = lookup(root, path, { follow: true });
  if (!f) return undefined;
  try {
    if (!f.stats?.isFile()) return undefined;
    const fd = openSync(at(f.dir, f.name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      return readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } finally {
    closeSync(f.dir);
  }
}
