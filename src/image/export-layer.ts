/**
 * Writes a stored layer directory back to a tarball in the OCI layer format,
 * the reverse of unpack.ts: the kernel overlay's whiteouts (character devices
 * 0/0) become `.wh.NAME` files and an opaque directory (user.overlay.opaque=y)
 * gets a `.wh..wh..opq` entry. Runs inside tpod's user namespace, so the
 * owners lstat reports are the container's own ids.
 *
 * The same directory always gives the same bytes (names sorted, times in
 * whole seconds, no user or group names), but not necessarily the bytes the
 * layer was pulled as: tpod keeps the files, not the original tarball.
 */
import { createReadStream, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { Header, Pax } from 'tar';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import { lgetxattr } from '../sys/libc.js';

export interface TarFields {
  /** Relative, no leading `./` or `/`; a directory's ends in `/`. */
  readonly path: string;
  readonly type: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'FIFO';
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Seconds since the epoch. */
  readonly mtime: number;
  readonly linkpath?: string;
}

/**
 * The header block of one entry, after a pax header when a field does not fit
 * ustar (a long name or link target, a file of 8 GiB or more, a large id, a
 * name that is not ASCII).
 */
export function tarHeader(fields: TarFields): Buffer {
  const data = { ...fields, mtime: new Date(fields.mtime * 1000) };
  const block = Buffer.alloc(512);
  if (!new Header(data).encode(block)) return block;
  return Buffer.concat([new Pax(data).encode(), block]);
}

/** Zeros that fill an entry's data up to a whole 512-byte block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((512 - (size % 512)) % 512);
}

/** What ends every tarball: two zero blocks. */
export const TAR_END = Buffer.alloc(1024);

const OPAQUE_XATTR = 'user.overlay.opaque';

async function* entries(root: string): AsyncGenerator<Buffer> {
  // "dev:ino" of each file seen with more than one link, to its first path.
  const links = new Map<string, string>();

  async function* directory(dir: string): AsyncGenerator<Buffer> {
    for (const name of readdirSync(join(root, dir)).sort()) {
      const path = dir ? `${dir}/${name}` : name;
      const full = join(root, path);
      const st = lstatSync(full);
      const base = { path, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, size: 0, mtime: Math.floor(st.mtimeMs / 1000) };

      if (st.isDirectory()) {
        yield tarHeader({ ...base, path: `${path}/`, type: 'Directory' });
        if (lgetxattr(full, OPAQUE_XATTR) === 'y') yield tarHeader({ ...base, path: `${path}/.wh..wh..opq`, type: 'File', mode: base.mode & 0o777 });
        yield* directory(path);
        continue;
      }
      if (st.isCharacterDevice() && st.rdev === 0) {
        yield tarHeader({ ...base, path: posix.join(dir, `.wh.${name}`), type: 'File' });
        continue;
      }
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        const first = links.get(key);
        if (first !== undefined) {
          yield tarHeader({ ...base, type: 'Link', linkpath: first });
          continue;
        }
        links.set(key, path);
      }
      if (st.isFile()) {
        yield tarHeader({ ...base, type: 'File', size: st.size });
        if (st.size > 0) {
          let left = st.size;
          // Never more than the header promised, whatever happens to the file meanwhile.
          for await (const chunk of createReadStream(full, { end: st.size - 1, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
            left -= chunk.length;
            yield chunk;
          }
          if (left > 0) throw new TpodError(`${full} became shorter while it was being saved`);
        }
        yield tarPadding(st.size);
      } else if (st.isSymbolicLink()) {
        yield tarHeader({ ...base, type: 'SymbolicLink', linkpath: readlinkSync(full) });
      } else if (st.isFIFO()) {
        yield tarHeader({ ...base, type: 'FIFO' });
      } else {
        // unpack.ts creates no device nodes (other than whiteouts) and no sockets.
        log.debug(`${full}: skipped, neither file, directory, link nor FIFO`);
      }
    }
  }

  yield* directory('');
  yield TAR_END;
}

/** The layer extracted in ROOT (a layer's diff directory) as an uncompressed tarball. */
export function exportLayer(root: string): Readable {
  return Readable.from(entries(root), { objectMode: false });
}
