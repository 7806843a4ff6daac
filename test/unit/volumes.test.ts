/** Volumes without a container: names, options, the copy-up, and the volume store on a scratch directory. */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyValues } from '../../src/cli/options/key-values.js';
import { createVolume, inspectVolume, pruneVolumes, removeAnonymousVolumes, removeVolume, resolveVolumeMounts } from '../../src/engine/volumes.js';
import type { VolumeRequest } from '../../src/spec/mounts.js';
import { Store } from '../../src/storage/store.js';
import { NoSuchVolume, Volumes, checkLocalOptions, checkVolumeName, copyTree } from '../../src/storage/volumes.js';

const scratch = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
const me = { uid: process.getuid!(), gid: process.getgid!() };

describe('volume names and options', () => {
  it('takes podman\'s names and refuses the rest', () => {
    for (const ok of ['data', 'a', '0', 'my_vol.1-x']) expect(() => checkVolumeName(ok)).not.toThrow();
    for (const bad of ['', '-x', '.x', '_x', 'a/b', '..', 'a b', 'ä']) {
      expect(() => checkVolumeName(bad)).toThrow(`invalid volume name "${bad}": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
    }
  });
  it('reads --label and --opt as podman does: KEY=VALUE, KEY alone, the last one winning', () => {
    expect(keyValues('label', ['a=1', 'b', 'c=x=y', 'a=2'])).toEqual({ a: '2', b: '', c: 'x=y' });
    expect(() => keyValues('label', ['=1'])).toThrow('invalid label "=1": no key');
  });
  it('accepts the local driver\'s options only, with numeric owners', () => {
    expect(checkLocalOptions({ type: 'tmpfs', o: 'size=1m', uid: '1000', nocopy: '' })).toEqual({ uid: 1000, gid: undefined });
    expect(() => checkLocalOptions({ colour: 'red' })).toThrow("invalid mount option colour for driver 'local'");
    expect(() => checkLocalOptions({ gid: 'staff' })).toThrow('invalid volume option gid=staff: it must be a number');
  });
});

describe('copyTree', () => {
  it('copies content, modes, times, symlinks, hard links and fifos', () => {
    const from = scratch('tpod-from-');
    const to = scratch('tpod-to-');
    mkdirSync(join(from, 'dir'));
    writeFileSync(join(from, 'dir/file'), 'content');
    chmodSync(join(from, 'dir/file'), 0o751);
    linkSync(join(from, 'dir/file'), join(from, 'hard'));
    symlinkSync('dir/file', join(from, 'link'));
    expect(spawnSync('mkfifo', [join(from, 'fifo')]).status).toBe(0);
    chmodSync(join(from, 'dir'), 0o710);
    utimesSync(join(from, 'dir'), 1000, 2000);

    copyTree(from, to);
    expect(readFileSync(join(to, 'dir/file'), 'utf8')).toBe('content');
    expect(statSync(join(to, 'dir/file')).mode & 0o7777).toBe(0o751);
    expect(statSync(join(to, 'hard')).ino).toBe(statSync(join(to, 'dir/file')).ino);
    expect(readlinkSync(join(to, 'link'))).toBe('dir/file');
    expect(lstatSync(join(to, 'fifo')).isFIFO()).toBe(true);
    expect(statSync(join(to, 'dir')).mode & 0o7777).toBe(0o710);
    expect(statSync(join(to, 'dir')).mtimeMs).toBe(2_000_000);
  });
});

describe('the volume store', () => {
  const store = new Store(scratch('tpod-store-'));
  const volumes = new Volumes(store);
  const fields = { labels: { a: 'b' }, options: {}, anonymous: false };

  it('makes, finds, lists and removes volumes', () => {
    const made = createVolume(store, { name: 'one', driver: 'local', labels: { a: 'b' }, options: {}, ignore: false });
    expect(made).toMatchObject({ name: 'one', driver: 'local', labels: { a: 'b' }, anonymous: false, needsCopyUp: true, needsChown: true });
    expect(statSync(volumes.dataDir('one')).mode & 0o777).toBe(0o755);
    expect(() => store.locked(() => volumes.create({ name: 'one', ...fields }))).toThrow('volume with name one already exists: volume already exists');
    expect(createVolume(store, { name: 'one', driver: 'local', labels: {}, options: {}, ignore: true }).labels).toEqual({ a: 'b' });
    const unnamed = createVolume(store, { name: undefined, driver: 'local', labels: {}, options: {}, ignore: false });
    expect(unnamed.name).toMatch(/^[0-9a-f]{64}$/);
    expect(volumes.list().map((v) => v.name)).toEqual([unnamed.name, 'one'].sort());
    expect(inspectVolume(store, made)).toEqual({
      Name: 'one', Driver: 'local', Mountpoint: volumes.dataDir('one'), CreatedAt: made.created, Labels: { a: 'b' },
      Scope: 'local', Options: {}, NeedsCopyUp: true, NeedsChown: true,
    });
    expect(() => createVolume(store, { name: 'x', driver: 'nfs', labels: {}, options: {}, ignore: false })).toThrow(/only the local driver/);
    removeVolume(store, 'one', false);
    expect(() => removeVolume(store, 'one', false)).toThrow(NoSuchVolume);
    expect(() => volumes.find('../one')).toThrow('no volume with name "../one" found: no such volume');
    expect(pruneVolumes(store)).toEqual([unnamed.name]);
    expect(volumes.list()).toEqual([]);
  });

  it('keeps a volume a container record names, from rm (exit 2) and prune', () => {
    createVolume(store, { name: 'used', driver: 'local', labels: {}, options: {}, ignore: false });
    const dir = join(store.root, 'containers', 'c'.repeat(64));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'container.json'), JSON.stringify({ id: 'c'.repeat(64), name: 'keeper', state: 'exited', volumes: ['used'] }));
    expect(() => removeVolume(store, 'used', false)).toThrow(`volume used is being used by the following container(s): ${'c'.repeat(64)}: volume is being used`);
    expect(pruneVolumes(store)).toEqual([]);
    removeVolume(store, 'used', true);
    expect(existsSync(dir)).toBe(false);
    expect(volumes.get('used')).toBeUndefined();
  });
});

describe('resolveVolumeMounts', () => {
  const store = new Store(scratch('tpod-store-'));
  const volumes = new Volumes(store);
  const rootfs = scratch('tpod-rootfs-');
  mkdirSync(join(rootfs, 'srv/app'), { recursive: true });
  writeFileSync(join(rootfs, 'srv/app/seed'), 'from the image');
  chmodSync(join(rootfs, 'srv/app'), 0o750);
  symlinkSync('/srv/app', join(rootfs, 'app'));
  const request = (name: string, destination: string, extra: Partial<VolumeRequest> = {}): VolumeRequest =>
    ({ type: 'volume', name, destination, options: [], chown: false, copy: true, create: true, ...extra });

  it('binds each volume\'s _data, claiming the names first, copying the image\'s content into a new volume once', () => {
    let claimed: string[] = [];
    const tmpfs = { type: 'tmpfs', destination: '/scratch', options: [] } as const;
    const mounts = resolveVolumeMounts(store, [tmpfs, request('data', '/app'), request('', '/empty')], rootfs, me, (names) => {
      claimed = names;
      // Claimed before anything is made.
      expect(volumes.list()).toEqual([]);
    });
    expect(claimed).toHaveLength(2);
    expect(claimed[0]).toBe('data');
    expect(mounts[0]).toBe(tmpfs);
    expect(mounts[1]).toMatchObject({ type: 'bind', source: volumes.dataDir('data'), destination: '/app', options: [] });
    expect(mounts[2]).toMatchObject({ type: 'bind', source: volumes.dataDir(claimed[1]!), destination: '/empty' });
    // Through the image's symlink, with the directory's mode.
    expect(readFileSync(join(volumes.dataDir('data'), 'seed'), 'utf8')).toBe('from the image');
    expect(statSync(volumes.dataDir('data')).mode & 0o777).toBe(0o750);
    expect(volumes.get('data')).toMatchObject({ anonymous: false, needsCopyUp: false, needsChown: false });
    // Nothing at /empty in the image: copy-up waits for a container that has something there.
    expect(volumes.get(claimed[1]!)).toMatchObject({ anonymous: true, needsCopyUp: true, needsChown: false });

    writeFileSync(join(volumes.dataDir('data'), 'seed'), 'changed');
    resolveVolumeMounts(store, [request('data', '/srv/app')], rootfs, me, () => {});
    expect(readFileSync(join(volumes.dataDir('data'), 'seed'), 'utf8')).toBe('changed');

    removeAnonymousVolumes(store, claimed);
    expect(volumes.list().map((v) => v.name)).toEqual(['data']);
  });

  it('refuses a missing volume with nocreate, and a bad name', () => {
    expect(() => resolveVolumeMounts(store, [request('absent', '/x', { create: false })], rootfs, me, () => {})).toThrow(NoSuchVolume);
    expect(() => resolveVolumeMounts(store, [request('a:b', '/x')], rootfs, me, () => {})).toThrow(/invalid volume name "a:b"/);
    expect(volumes.get('absent')).toBeUndefined();
  });

  it('passes binds and tmpfs mounts through without touching the store when there is no volume', () => {
    const bind = { type: 'bind', source: '/tmp', destination: '/host', options: [] } as const;
    let claimed = false;
    expect(resolveVolumeMounts(store, [bind], rootfs, me, () => (claimed = true))).toEqual([bind]);
    expect(claimed).toBe(false);
  });
});
