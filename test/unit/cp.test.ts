/**
 * tpod cp's parts on scratch directories: the arguments, where a copy lands,
 * lookups that stay inside a root, trees read and written, and archives
 * that try to write outside the destination.
 */
import { closeSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { idMaps, mountPoints } from '../../src/engine/container-root.js';
import { type CopySource, parseCopyArguments, placement } from '../../src/engine/cp.js';
import { type TreeItem, TreeWriter, extractTar, readTree, tarStream, writeTree } from '../../src/engine/file-tree.js';
import { lookup, openRoot } from '../../src/engine/root-fd.js';
import { tar } from '../registry/tar-writer.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'tpod-cp-'));

/** FN with the directory DIR open as a root, closed once FN is done (or its promise settled). */
function inRoot<T>(dir: string, fn: (fd: number) => T): T {
  const fd = openRoot(dir);
  let result: T;
  try {
    result = fn(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (result instanceof Promise) return result.finally(() => closeSync(fd)) as T;
  closeSync(fd);
  return result;
}

async function collect(items: AsyncIterable<TreeItem>): Promise<TreeItem[]> {
  const all: TreeItem[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('cp arguments', () => {
  it('reads [CONTAINER:]PATH as podman does', () => {
    expect(parseCopyArguments('web:/etc/hosts', '.')).toEqual({ source: { container: 'web', path: '/etc/hosts' }, destination: { path: '.' } });
    // A path that starts with . or / is the host's, colons and all.
    expect(parseCopyArguments('./a:b', 'web:rel/x')).toEqual({ source: { path: './a:b' }, destination: { container: 'web', path: 'rel/x' } });
    expect(parseCopyArguments('-', 'web:/tmp').source).toEqual({ path: '-' });
    expect(parseCopyArguments('a:/x', 'b:/y').destination).toEqual({ container: 'b', path: '/y' });
  });
  it('refuses a missing path, and two host paths', () => {
    expect(() => parseCopyArguments('web:', '/tmp')).toThrow('invalid arguments "web:", "/tmp": you must specify paths');
    expect(() => parseCopyArguments('/a', '/b')).toThrow('one of them must be a container\'s');
  });
});

describe('where a copy lands', () => {
  const file: CopySource = { kind: 'file', name: 'passwd', contentOnly: false };
  const dir: CopySource = { kind: 'directory', name: 'd', contentOnly: false };
  const content: CopySource = { ...dir, contentOnly: true };
  const stream: CopySource = { kind: 'stream', name: '', contentOnly: true };
  const dest = (state: 'directory' | 'file' | 'other' | 'missing', typed = '/x') => ({ state, name: 'x', typed, where: 'the host' });

  it('follows docker cp for files and directories', () => {
    expect(placement(file, dest('directory'))).toEqual({ into: 'destination', as: 'passwd' });
    expect(placement(file, dest('file'))).toEqual({ into: 'parent', as: 'x' });
    expect(placement(file, dest('missing'))).toEqual({ into: 'parent', as: 'x' });
    expect(placement(dir, dest('directory'))).toEqual({ into: 'destination', as: 'd' });
    expect(placement(content, dest('directory'))).toEqual({ into: 'destination', as: '' });
    // A new name takes the directory's content, however it was typed.
    expect(placement(dir, dest('missing'))).toEqual({ into: 'parent', as: 'x' });
    expect(placement(content, dest('missing'))).toEqual({ into: 'parent', as: 'x' });
    expect(placement(stream, dest('directory'))).toEqual({ into: 'destination', as: '' });
  });
  it('refuses what podman refuses, in its words', () => {
    expect(() => placement(dir, dest('file'))).toThrow('destination must be a directory when copying a directory');
    expect(() => placement(stream, dest('missing'))).toThrow('destination must be a directory when copying from stdin');
    expect(() => placement(stream, dest('file'))).toThrow('destination must be a directory when copying from stdin');
    expect(() => placement(file, dest('missing', '/x/'))).toThrow('"/x/" could not be found on the host: no such file or directory');
    expect(() => placement(file, dest('file', '/x/'))).toThrow('"/x/" is not a directory');
    expect(() => placement(file, dest('other'))).toThrow('invalid destination: "/x" must be a directory or a regular file');
  });
});

describe('lookups inside a root', () => {
  it('follows symlinks as a chroot would, never outside the root', () => {
    const root = scratch();
    const outside = scratch();
    writeFileSync(join(outside, 'secret'), 'host');
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc', 'passwd'), 'container');
    symlinkSync('/etc/passwd', join(root, 'x'));
    symlinkSync(outside, join(root, 'out'));
    symlinkSync('../../../../../../etc', join(root, 'up'));
    inRoot(root, (fd) => {
      const at = (path: string) => {
        const f = lookup(fd, path, { follow: true });
        if (f) closeSync(f.dir);
        return f && { path: f.path, exists: f.stats !== undefined };
      };
      expect(at('/x')).toEqual({ path: '/etc/passwd', exists: true });
      expect(at('/up/passwd')).toEqual({ path: '/etc/passwd', exists: true });
      expect(at('/../../etc/passwd')).toEqual({ path: '/etc/passwd', exists: true });
      // The absolute target starts again at the root: the host's directory is not there.
      expect(at('/out/secret')).toBeUndefined();
      expect(at('/')).toEqual({ path: '/', exists: true });
      const link = lookup(fd, '/x');
      closeSync(link!.dir);
      expect(link!.stats!.isSymbolicLink()).toBe(true);
    });
  });
});

describe('trees', () => {
  it('reads a tree as tar entries, hard links once, and writes it back the same', async () => {
    const from = scratch();
    mkdirSync(join(from, 'd', 'sub'), { recursive: true });
    writeFileSync(join(from, 'd', 'a'), 'alpha');
    writeFileSync(join(from, 'd', 'sub', 'b'), 'beta');
    symlinkSync('/etc', join(from, 'd', 'link'));
    // A hard link: read as one file and a link to it.
    linkSync(join(from, 'd', 'a'), join(from, 'd', 'hard'));
    utimesSync(join(from, 'd', 'sub'), 1_000_000_000, 1_000_000_000);
    const items = await inRoot(from, async (fd) => {
      const found = lookup(fd, '/d')!;
      try {
        return await collect(readTree(found.dir, found.name, 'copy', found.path));
      } finally {
        closeSync(found.dir);
      }
    });
    const headers = items.filter((i) => !Buffer.isBuffer(i)) as { path: string; type: string; linkpath?: string }[];
    expect(headers.map((h) => `${h.type} ${h.path}${h.linkpath ? ` -> ${h.linkpath}` : ''}`)).toEqual([
      'Directory copy/',
      'File copy/a',
      'Link copy/hard -> copy/a',
      'SymbolicLink copy/link -> /etc',
      'Directory copy/sub/',
      'File copy/sub/b',
    ]);

    const to = scratch();
    await inRoot(to, (fd) => writeTree((async function* () { yield* items; })(), new TreeWriter(fd, '')));
    expect(readFileSync(join(to, 'copy', 'sub', 'b'), 'utf8')).toBe('beta');
    expect(readlinkSync(join(to, 'copy', 'link'))).toBe('/etc');
    expect(statSync(join(to, 'copy', 'hard')).ino).toBe(statSync(join(to, 'copy', 'a')).ino);
    expect(statSync(join(to, 'copy', 'sub')).mtimeMs).toBe(1_000_000_000_000);
  });

  it('makes a tar stream that tar reads', async () => {
    const from = scratch();
    writeFileSync(join(from, 'f'), 'x'.repeat(1000));
    const bytes = Buffer.concat(await inRoot(from, (fd) => collect(tarStream(readTree(fd, '.', '', '/'))) as Promise<Buffer[]>));
    expect(bytes.length % 512).toBe(0);
    const to = scratch();
    await inRoot(to, (fd) => extractTar(Readable.from([bytes]), new TreeWriter(fd, ''), 'not a tar'));
    expect(readFileSync(join(to, 'f'), 'utf8')).toBe('x'.repeat(1000));
  });

  it('keeps every entry of a hostile archive inside the destination', async () => {
    const parent = scratch();
    const dest = join(parent, 'dest');
    const outside = join(parent, 'outside');
    mkdirSync(dest);
    mkdirSync(outside);
    const archive = tar([
      { name: '../outside/e1', data: 'x' },
      { name: `${outside}/e2`, data: 'x' },
      { name: 'l', type: 'symlink', linkname: outside },
      { name: 'l/e3', data: 'x' },
      { name: 'l2', type: 'symlink', linkname: '../../../../../../..' },
      { name: `l2${outside}/e4`, data: 'x' },
      { name: 'sub/../../outside/e5', data: 'x' },
    ]);
    await inRoot(dest, (fd) => extractTar(Readable.from([archive]), new TreeWriter(fd, ''), 'not a tar'));
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(dest, 'outside', 'e1'))).toBe(true);
    expect(existsSync(join(dest, outside, 'e3'))).toBe(true);
    expect(existsSync(join(dest, outside, 'e4'))).toBe(true);
    expect(lstatSync(join(dest, 'l')).isSymbolicLink()).toBe(true);
  });

  it('replaces a directory with a file, or the reverse, only when told to', async () => {
    const dest = scratch();
    mkdirSync(join(dest, 'd'));
    writeFileSync(join(dest, 'd', 'inside'), '');
    const archive = tar([{ name: 'd', data: 'now a file' }]);
    await expect(inRoot(dest, (fd) => extractTar(Readable.from([archive]), new TreeWriter(fd, ''), 'not a tar'))).rejects.toThrow('cannot overwrite directory /d with a non-directory');
    await inRoot(dest, (fd) => extractTar(Readable.from([archive]), new TreeWriter(fd, '', { overwrite: true }), 'not a tar'));
    expect(readFileSync(join(dest, 'd'), 'utf8')).toBe('now a file');
  });

  it('says what is not an archive', async () => {
    const dest = scratch();
    for (const input of [Buffer.from('x\n'), Buffer.alloc(0)]) {
      await expect(inRoot(dest, (fd) => extractTar(Readable.from([input]), new TreeWriter(fd, ''), 'not a tar'))).rejects.toThrow('not a tar');
    }
  });
});

describe('a running container\'s mount points', () => {
  it('are read from its mountinfo, escapes undone', () => {
    const info = [
      '2530 2377 0:576 / / rw,relatime - overlay overlay rw',
      '2531 2530 254:0 /data/etc/hosts /etc/hosts rw - ext4 /dev/vda rw',
      '2532 2530 254:0 /vol /my\\040data rw - ext4 /dev/vda rw',
      '',
    ].join('\n');
    expect([...mountPoints(info)]).toEqual(['/', '/etc/hosts', '/my data']);
  });
});

describe('container id maps', () => {
  it('are the identity without a user namespace of its own', () => {
    const ids = idMaps();
    expect(ids.ours({ uid: 1234, gid: 5 })).toEqual({ uid: 1234, gid: 5 });
    expect(ids.container({ uid: 7, gid: 0 })).toEqual({ uid: 7, gid: 0 });
  });
  it('turn keep-id\'s ids into ours and back', () => {
    // Container 1000 is our 0; its 0..999 are our 1..1000; the rest are themselves.
    const map = [
      { containerID: 0, hostID: 1, size: 1000 },
      { containerID: 1000, hostID: 0, size: 1 },
      { containerID: 1001, hostID: 1001, size: 64535 },
    ];
    const ids = idMaps(map, map);
    expect(ids.ours({ uid: 1000, gid: 0 })).toEqual({ uid: 0, gid: 1 });
    expect(ids.container({ uid: 0, gid: 1 })).toEqual({ uid: 1000, gid: 0 });
    expect(ids.container({ uid: 70000, gid: 1001 })).toEqual({ uid: 65534, gid: 1001 });
    expect(() => ids.ours({ uid: 70000, gid: 0 })).toThrow('id 70000 is not mapped');
  });
});
