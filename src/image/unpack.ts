/**
 * Extracts an image layer into its own directory, as the kernel overlay in a
 * user namespace reads it. Runs inside tpod's user namespace, where chown to
 * the subordinate ids is a real chown.
 *
 * A layer is untrusted input. node-tar's own safety rewrites absolute symlink
 * targets and refuses `..` in them, which breaks real images (/etc/localtime
 * -> /usr/share/zoneinfo/UTC), and turning it off lets entries write anywhere.
 * So node-tar only parses here; every path is resolved the way the kernel
 * would resolve it in a chroot at the layer directory (`..` stops at the top,
 * symlinks are followed but their absolute targets start again at the top),
 * and only the last component is created, never followed. Only this process
 * writes in the directory while it is extracted, so the checks cannot race.
 */
import {
  closeSync,
  createReadStream,
  readFileSync,
  readSync,
  fchmodSync,
  fchownSync,
  futimesSync,
  linkSync,
  lchownSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  utimesSync,
  chmodSync,
  constants,
  type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { TpodError, errnoCode } from '../errors.js';
import { log } from '../log.js';
import { parseIdMap } from '../rootless/proc.js';
import { S_IFCHR, S_IFIFO, lsetxattr, mknod } from '../sys/libc.js';
import { meter } from './digest.js';
import { feedEntries, writeBody } from '../storage/tar-entries.js';
import { cleanEntryPath, lstatOrUndefined, resolveParent } from '../storage/in-root.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** Makes room for a new entry at PATH: anything there goes, unless both are directories. */
function clear(path: string, keepDirectory: boolean): Stats | undefined {
  const st = lstatOrUndefined(path);
  if (st && !(keepDirectory && st.isDirectory())) {
    rmSync(path, { recursive: true, force: true });
    return undefined;
  }
  return st;
}

export interface LayerStats {
  /** Bytes of the uncompressed tarball. */
  readonly size: number;
  /** sha256 of the uncompressed tarball: what the image config's rootfs.diff_ids must list. */
  readonly diffId: string;
}

export interface UnpackOptions {
  /** For messages: the layer's digest. */
  readonly layer: string;
}

/** How many uids our user namespace maps, for the message about an owner beyond them. */
function mappedIds(): number {
  return parseIdMap(readFileSync('/proc/self/uid_map', 'utf8')).reduce((sum, e) => sum + e.size, 0);
}

interface DirTimes {
  readonly path: string;
  readonly mtime: Date;
}

class LayerWriter {
  private readonly dirTimes: DirTimes[] = [];

  constructor(
    private readonly root: string,
    private readonly options: UnpackOptions,
  ) {}

  private owner(entry: ReadEntry, chown: () => void): void {
    try {
      chown();
    } catch (err) {
      if (errnoCode(err) !== 'EINVAL') throw err;
      throw new TpodError(
        `layer ${this.options.layer}: /${cleanEntryPath(entry.path)} belongs to uid ${entry.uid}, gid ${entry.gid}, beyond the ${mappedIds()} ids your user namespace maps`,
        { hint: `give your user a larger range in /etc/subuid and /etc/subgid (sudo usermod --add-subuids 100000-231071 --add-subgids 100000-231071 $USER)` },
      );
    }
  }

  /** Handles one entry; file content arrives afterwards through the returned sink. */
  entry(entry: ReadEntry): ((chunk: Buffer) => void) | undefined {
    const { dir, name } = resolveParent(this.root, entry.path);
    const uid = entry.uid ?? 0;
    const gid = entry.gid ?? 0;
    const mode = (entry.mode ?? 0o644) & 0o7777;
    const mtime = entry.mtime ?? new Date(0);

    if (name === OPAQUE) {
      lsetxattr(dir, 'user.overlay.opaque', 'y');
      return undefined;
    }
    if (name.startsWith(WHITEOUT)) {
      const hidden = name.slice(WHITEOUT.length);
      // Other .wh..wh. names are aufs bookkeeping, meaningless to overlay.
      if (hidden.startsWith(WHITEOUT) || hidden === '' || hidden === '..' || hidden === '.') return undefined;
      const path = join(dir, hidden);
      clear(path, false);
      mknod(path, S_IFCHR | 0o000, 0);
      return undefined;
    }
    if (name === '') {
      // The layer's top directory itself ("./").
      this.owner(entry, () => lchownSync(this.root, uid, gid));
      chmodSync(this.root, mode);
      this.dirTimes.push({ path: this.root, mtime });
      return undefined;
    }

    const path = join(dir, name);
    switch (entry.type) {
      case 'Directory': {
        if (!clear(path, true)) mkdirSync(path, 0o700);
        this.owner(entry, () => lchownSync(path, uid, gid));
        chmodSync(path, mode);
        this.dirTimes.push({ path, mtime });
        return undefined;
      }
      case 'File':
      case 'OldFile':
      case 'ContiguousFile': {
        clear(path, false);
        const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        const finish = () => {
          try {
            this.owner(entry, () => fchownSync(fd, uid, gid));
            // After chown, which clears setuid and setgid.
            fchmodSync(fd, mode);
            futimesSync(fd, mtime, mtime);
          } finally {
            closeSync(fd);
          }
        };
        return writeBody(fd, entry.size, finish);
      }
      case 'SymbolicLink': {
        clear(path, false);
        // The target is data, read later inside the container's root: kept verbatim.
        symlinkSync(entry.linkpath ?? '', path);
        this.owner(entry, () => lchownSync(path, uid, gid));
        lutimesSync(path, mtime, mtime);
        return undefined;
      }
      case 'Link': {
        const target = resolveParent(this.root, entry.linkpath ?? '');
        const source = join(target.dir, target.name);
        if (target.name === '' || !lstatOrUndefined(source)) {
          throw new TpodError(`layer ${this.options.layer}: hard link /${cleanEntryPath(entry.path)} points to /${cleanEntryPath(entry.linkpath ?? '')}, which the layer does not have`);
        }
        if (source !== path) {
          clear(path, false);
          linkSync(source, path);
        }
        return undefined;
      }
      case 'FIFO': {
        clear(path, false);
        mknod(path, S_IFIFO | mode, 0);
        this.owner(entry, () => lchownSync(path, uid, gid));
        lutimesSync(path, mtime, mtime);
        return undefined;
      }
      case 'CharacterDevice':
      case 'BlockDevice':
        // A user namespace may not create device nodes; podman skips them too.
        log.debug(`layer ${this.options.layer}: skipping device node /${cleanEntryPath(entry.path)}`);
        return undefined;
      default:
        log.debug(`layer ${this.options.layer}: skipping ${entry.type} entry /${cleanEntryPath(entry.path)}`);
        return undefined;
    }
  }

  /** Directory times last: adding entries to a directory changes its mtime. */
  finish(): void {
    for (const { path, mtime } of this.dirTimes.reverse()) utimesSync(path, mtime, mtime);
  }
}

type Compression = 'gzip' | 'zstd' | 'none';

/** By magic number rather than media type: registries and archives get those wrong. Pure. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

export function fileCompression(file: string): Compression {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(4);
    return detectCompression(head.subarray(0, readSync(fd, head, 0, 4, 0)));
  } finally {
    closeSync(fd);
  }
}

/** Extracts the layer tarball FILE (plain or gzip) into ROOT, an empty directory. */
export async function unpackLayer(file: string, root: string, options: UnpackOptions): Promise<LayerStats> {
  const compression = fileCompression(file);
  if (compression === 'zstd') throw new TpodError(`layer ${options.layer} is compressed with zstd, which tpod cannot read yet`);

  const writer = new LayerWriter(root, options);
  const parser = new Parser({ strict: true });
  // Errors thrown while handling an entry stop the parse; the first one is the one to report.
  const failure = feedEntries(parser, (entry) => writer.entry(entry));

  const measure = meter();
  try {
    if (compression === 'gzip') await pipeline(createReadStream(file), createGunzip(), measure.stream, parser);
    else await pipeline(createReadStream(file), measure.stream, parser);
  } catch (err) {
    throw failure() ?? new TpodError(`layer ${options.layer} is not a valid tar archive: ${(err as Error).message}`);
  }
  if (failure()) throw failure();
  writer.finish();
  const { digest: diffId, size } = measure.result();
  return { size, diffId };
}
