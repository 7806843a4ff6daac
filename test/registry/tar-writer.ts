/**
 * A minimal ustar writer. It writes every field exactly as given, with no
 * normalisation or safety checks, so that tests can craft the malicious
 * entries (`../x`, absolute names, links out of the tree, device nodes) that
 * tar tools refuse to produce.
 */

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
  /** Written verbatim (split into ustar prefix + name when longer than 100 bytes). */
  name: string;
  type?: EntryType;
  /** Permission bits including setuid/setgid/sticky; default 0644 for files, 0755 for dirs, 0777 for symlinks. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Target of a symlink or hardlink, verbatim. */
  linkname?: string;
  data?: Buffer | string;
  devmajor?: number;
  devminor?: number;
  /** Seconds since the epoch; fixed by default so that layer digests are reproducible. */
  mtime?: number;
}

const TYPEFLAG: Record<EntryType, string> = { file: '0', hardlink: '1', symlink: '2', char: '3', block: '4', dir: '5', fifo: '6' };
const DEFAULT_MODE: Record<EntryType, number> = { file: 0o644, hardlink: 0o644, symlink: 0o777, char: 0o600, block: 0o600, dir: 0o755, fifo: 0o644 };
const FIXED_MTIME = 1_700_000_000;

/** The whole archive, end-of-archive blocks included. */
export function tar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data) : (entry.data ?? Buffer.alloc(0));
    parts.push(header(entry, data.length), data, Buffer.alloc(pad(data.length)));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

function header(entry: TarEntry, size: number): Buffer {
  const type = entry.type ?? 'file';
  const block = Buffer.alloc(512);
  const [prefix, name] = splitName(entry.name);
  block.write(name, 0, 100, 'utf8');
  octal(block, 100, 8, entry.mode ?? DEFAULT_MODE[type]);
  octal(block, 108, 8, entry.uid ?? 0);
  octal(block, 116, 8, entry.gid ?? 0);
  // Only regular files carry data; a size on a link would make readers skip bytes.
  octal(block, 124, 12, type === 'file' ? size : 0);
  octal(block, 136, 12, entry.mtime ?? FIXED_MTIME);
  block.write(TYPEFLAG[type], 156, 1, 'ascii');
  block.write(entry.linkname ?? '', 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 8, 'ascii');
  octal(block, 329, 8, entry.devmajor ?? 0);
  octal(block, 337, 8, entry.devminor ?? 0);
  block.write(prefix, 345, 155, 'utf8');
  // The checksum is computed with its own field read as spaces.
  block.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return block;
}

function splitName(full: string): [string, string] {
  if (Buffer.byteLength(full) <= 100) return ['', full];
  for (let i = full.indexOf('/'); i > 0; i = full.indexOf('/', i + 1)) {
    const prefix = full.slice(0, i);
    const name = full.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return [prefix, name];
  }
  throw new Error(`tar-writer: name too long for ustar: ${full}`);
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`tar-writer: ${value} does not fit in ${width - 1} octal digits`);
  block.write(`${digits.padStart(width - 1, '0')}\u0000`, offset, width, 'ascii');
}

function pad(size: number): number {
  return (512 - (size % 512)) % 512;
}
