/**
 * Trees of files as a stream of tar entries, each header followed by its
 * file's bytes: read from one root (a container's, the host's), written to
 * a tar stream or into another root. `tpod cp` and `tpod export` are made of
 * these. Both ends work through root-fd.ts, so neither what is read nor
 * what is written can lead outside its root, whatever symlinks the tree or
 * the archive holds.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  futimesSync,
  linkSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { TpodError, errnoCode } from '../errors.js';
import { TAR_END, type TarFields, tarHeader, tarPadding } from '../image/export-layer.js';
import { log } from '../log.js';
import { type Sink, feedEntries, writeBody } from '../storage/tar-entries.js';
import { cleanEntryPath, lstatOrUndefined } from '../storage/in-root.js';
import { S_IFIFO, mknod } from '../sys/libc.js';
import { at, lookup, openDirAt, openDirIn, removeAt } from './root-fd.js';

/** A header, or the next bytes of the file the last header announced. */
export type TreeItem = TarFields | Buffer;

const CHUNK = 1 << 20;
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

export interface ReadOptions {
  /** Left out, with what is below: by the path from the root (/proc). */
  readonly skip?: (path: string) => boolean;
}

/** The bytes of the regular file open as FD, exactly SIZE of them. */
function* fileBytes(fd: number, size: number, what: string): Generator<Buffer> {
  for (let left = size; left > 0; ) {
    const chunk = Buffer.alloc(Math.min(CHUNK, left));
    const got = readSync(fd, chunk, 0, chunk.length, size - left);
    if (got === 0) throw new TpodError(`${what} became shorter while it was being copied`);
    left -= got;
    yield chunk.subarray(0, got);
  }
}

/**
 * NAME in the directory open as DIR, and when a directory all below it, as
 * tar entries named from AS ('' for a directory: its entries without one of
 * its own); PATH is its path from the root. Owners are as lstat gives them.
 * Sockets and device nodes are left out.
 */
export async function* readTree(dir: number, name: string, as: string, path: string, options: ReadOptions = {}): AsyncGenerator<TreeItem> {
  // "dev:ino" of each file seen with more than one link, to its first entry.
  const links = new Map<string, string>();

  async function* entry(dir: number, name: string, as: string, path: string): AsyncGenerator<TreeItem> {
    const st = lstatSync(at(dir, name));
    const base = { path: as, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, size: 0, mtime: Math.floor(st.mtimeMs / 1000) };
    if (st.isDirectory()) {
      const fd = openDirAt(dir, name);
      try {
        if (as) yield { ...base, path: `${as}/`, type: 'Directory' };
        for (const child of readdirSync(at(fd, '.')).sort()) {
          const childPath = posix.join(path, child);
          if (!options.skip?.(childPath)) yield* entry(fd, child, as ? `${as}/${child}` : child, childPath);
        }
      } finally {
        closeSync(fd);
      }
      return;
    }
    if (st.nlink > 1) {
      const first = links.get(`${st.dev}:${st.ino}`);
      if (first !== undefined) return yield { ...base, type: 'Link', linkpath: first };
      links.set(`${st.dev}:${st.ino}`, as);
    }
    if (st.isSymbolicLink()) return yield { ...base, type: 'SymbolicLink', linkpath: readlinkSync(at(dir, name)) };
    if (st.isFIFO()) return yield { ...base, type: 'FIFO' };
    if (!st.isFile()) return log.debug(`${path}: left out, neither file, directory, symlink nor FIFO`);
    // Non-blocking: should a FIFO have taken the file's place meanwhile, the open does not wait for a writer.
    const fd = openSync(at(dir, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    try {
      const now = fstatSync(fd);
      if (!now.isFile()) throw new TpodError(`${path} changed while it was being copied`);
      yield { ...base, type: 'File', size: now.size };
      yield* fileBytes(fd, now.size, path);
    } finally {
      closeSync(fd);
    }
  }

  yield* entry(dir, name, as, path);
}

/** ITEMS with each header changed by CHANGE. */
export async function* mapHeaders(items: AsyncIterable<TreeItem>, change: (fields: TarFields) => TarFields): AsyncGenerator<TreeItem> {
  for await (const item of items) yield Buffer.isBuffer(item) ? item : change(item);
}

/** ITEMS as an uncompressed tar stream. */
export async function* tarStream(items: AsyncIterable<TreeItem>): AsyncGenerator<Buffer> {
  let size = 0;
  for await (const item of items) {
    if (Buffer.isBuffer(item)) {
      yield item;
      continue;
    }
    yield tarPadding(size);
    yield tarHeader(item);
    size = item.type === 'File' ? item.size : 0;
  }
  yield tarPadding(size);
  yield TAR_END;
}

interface Owner {
  readonly uid: number;
  readonly gid: number;
}

export interface WriteOptions {
  /** The owner each entry gets, in our ids; without it, what is made is ours. */
  readonly owner?: (fields: TarFields) => Owner;
  /** A directory may replace a non-directory and the reverse (cp --overwrite). */
  readonly overwrite?: boolean;
  /** How messages name the root: '/' (a container's), or the host directory written into. */
  readonly shownAs?: string;
  /** Paths from the root where something is mounted: neither they nor what holds them are replaced. */
  readonly mountPoints?: ReadonlySet<string>;
  /** Entries whose path starts with FROM get TO instead: the name a copy takes at its destination. */
  readonly rename?: { readonly from: string; readonly to: string };
}

/**
 * Writes tar entries into the directory BASE below the root open as ROOT.
 * Every path is looked up inside the root, symlinks there followed but only
 * within it, and only the last part is made, never followed: so no entry
 * (`..`, an absolute path, a symlink an earlier entry made) writes outside it.
 */
export class TreeWriter {
  private readonly dirTimes: { readonly path: string; readonly mtime: number }[] = [];

  constructor(
    private readonly root: number,
    private readonly base: string,
    private readonly options: WriteOptions = {},
  ) {}

  /** Where the entry goes, from BASE; '' is BASE itself. */
  private target(path: string): string {
    const clean = cleanEntryPath(path);
    const rename = this.options.rename;
    if (!rename) return clean;
    if (clean === rename.from) return rename.to;
    return clean.startsWith(`${rename.from}/`) ? `${rename.to}${clean.slice(rename.from.length)}` : clean;
  }

  /** Gives the entry open as FD its owner and mode, owner first: a chown clears set-id bits. */
  private finishFd(fd: number, fields: TarFields, where: string, owner: Owner | undefined): void {
    if (owner) this.chown(where, () => fchownSync(fd, owner.uid, owner.gid), owner);
    fchmodSync(fd, fields.mode & 0o7777);
  }

  private chown(where: string, chown: () => void, owner: Owner): void {
    try {
      chown();
    } catch (err) {
      if (errnoCode(err) !== 'EINVAL') throw err;
      throw new TpodError(`${where}: owner ${owner.uid}:${owner.gid} is beyond the ids your user namespace maps`);
    }
  }

  /** Makes room at NAME (PATH from the root) for the entry, a directory when WANTDIR; true when a directory is there to keep. */
  private clear(dir: number, name: string, wantDir: boolean, path: string, where: string): boolean {
    const existing = lstatOrUndefined(at(dir, name));
    if (!existing) return false;
    if (wantDir && existing.isDirectory()) return true;
    if (existing.isDirectory() !== wantDir && !this.options.overwrite) {
      throw new TpodError(
        wantDir ? `cannot overwrite non-directory ${where} with a directory` : `cannot overwrite directory ${where} with a non-directory`,
        { hint: 'use --overwrite' },
      );
    }
    // Removing a mount point through another mount namespace would unmount it there.
    for (const m of this.options.mountPoints ?? []) {
      if (m === path || m.startsWith(`${path}/`)) throw new TpodError(`cannot replace ${where}: ${m} is a mount point in the container (device or resource busy)`);
    }
    removeAt(dir, name);
    return false;
  }

  /** Handles one entry; a file's bytes follow through the returned sink. */
  entry(fields: TarFields): Sink | undefined {
    const path = this.target(fields.path);
    // The archive's own top ("./") stands for the destination, which is left as it is.
    if (path === '') return undefined;
    const full = posix.join(this.base, path);
    const where = posix.join(this.options.shownAs ?? '/', full);
    const parent = openDirIn(this.root, posix.dirname(full), true);
    const name = posix.basename(full);
    try {
      const kept = this.clear(parent.fd, name, fields.type === 'Directory', posix.join(parent.path, name), where);
      return this.make(parent.fd, name, fields, where, full, kept);
    } finally {
      closeSync(parent.fd);
    }
  }

  private make(dir: number, name: string, fields: TarFields, where: string, full: string, kept: boolean): Sink | undefined {
    const here = at(dir, name);
    const owner = this.options.owner?.(fields);
    switch (fields.type) {
      case 'Directory': {
        if (!kept) mkdirSync(here, 0o700);
        const fd = openDirAt(dir, name);
        try {
          this.finishFd(fd, fields, where, owner);
        } finally {
          closeSync(fd);
        }
        this.dirTimes.push({ path: full, mtime: fields.mtime });
        return undefined;
      }
      case 'File': {
        const fd = openSync(here, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
        const done = () => {
          try {
            this.finishFd(fd, fields, where, owner);
            futimesSync(fd, fields.mtime, fields.mtime);
          } finally {
            closeSync(fd);
          }
        };
        return writeBody(fd, fields.size, done);
      }
      case 'SymbolicLink':
        symlinkSync(fields.linkpath ?? '', here);
        if (owner) this.chown(where, () => lchownSync(here, owner.uid, owner.gid), owner);
        lutimesSync(here, fields.mtime, fields.mtime);
        return undefined;
      case 'Link': {
        const source = lookup(this.root, posix.join(this.base, this.target(fields.linkpath ?? '')));
        try {
          if (!source?.stats || source.stats.isDirectory()) throw new TpodError(`${where}: a hard link to /${this.target(fields.linkpath ?? '')}, which is not a file the copy made`);
          linkSync(at(source.dir, source.name), here);
        } finally {
          if (source) closeSync(source.dir);
        }
        return undefined;
      }
      case 'FIFO': {
        mknod(here, S_IFIFO | 0o600, 0);
        // Opened without waiting for a writer, to set what a path would set through a symlink swapped in.
        const fd = openSync(here, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
        try {
          this.finishFd(fd, fields, where, owner);
          futimesSync(fd, fields.mtime, fields.mtime);
        } finally {
          closeSync(fd);
        }
        return undefined;
      }
    }
  }

  /** Directory times last: making entries in a directory moves its mtime. */
  finish(): void {
    for (const { path, mtime } of this.dirTimes.reverse()) {
      const found = lookup(this.root, path);
      if (!found) continue;
      try {
        if (!found.stats?.isDirectory()) continue;
        const fd = openDirAt(found.dir, found.name);
        try {
          futimesSync(fd, mtime, mtime);
        } finally {
          closeSync(fd);
        }
      } finally {
        closeSync(found.dir);
      }
    }
  }
}

/** Writes ITEMS with WRITER. */
export async function writeTree(items: AsyncIterable<TreeItem>, writer: TreeWriter): Promise<void> {
  let sink: Sink | undefined;
  for await (const item of items) {
    if (Buffer.isBuffer(item)) sink?.(item);
    else sink = writer.entry(item);
  }
  writer.finish();
}

/** The fields of a parsed entry tpod can make; undefined for the rest (devices, pax and GNU extras). */
function fieldsOf(entry: ReadEntry): TarFields | undefined {
  const type = entry.type === 'OldFile' || entry.type === 'ContiguousFile' ? 'File' : entry.type;
  if (type !== 'File' && type !== 'Directory' && type !== 'SymbolicLink' && type !== 'Link' && type !== 'FIFO') return undefined;
  return {
    path: entry.path,
    type,
    mode: (entry.mode ?? 0o644) & 0o7777,
    uid: entry.uid ?? 0,
    gid: entry.gid ?? 0,
    size: type === 'File' ? entry.size : 0,
    mtime: Math.floor((entry.mtime?.getTime() ?? 0) / 1000),
    ...(entry.linkpath === undefined ? {} : { linkpath: entry.linkpath }),
  };
}

/**
 * Extracts the tar archive (plain, gzip or zstd) INPUT reads with WRITER.
 * Throws NOTTAR's message for input that is not an archive at all.
 */
export async function extractTar(input: Readable, writer: TreeWriter, notTar: string): Promise<void> {
  const parser = new Parser({ strict: true });
  let entries = 0;
  const failure = feedEntries(parser, (entry) => {
    entries++;
    const fields = fieldsOf(entry);
    if (!fields) log.debug(`${entry.path}: left out, a ${entry.type} entry`);
    return fields && writer.entry(fields);
  });
  try {
    await pipeline(input, parser);
  } catch (err) {
    throw failure() ?? new TpodError(entries === 0 ? notTar : `the archive is damaged: ${(err as Error).message}`);
  }
  if (failure()) throw failure();
  if (entries === 0) throw new TpodError(notTar);
  writer.finish();
}
