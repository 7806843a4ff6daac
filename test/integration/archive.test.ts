/**
 * save and load: images pulled from the test registry go into docker-archive
 * and oci-archive tarballs and come back into another storage with the same
 * files, and the archives travel to podman and back.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OWNERS_SCRIPT, OWNERS_SEEN, type TestImage, buildImage, busyboxLayer, multiLayerImage, ownersImage } from '../registry/images.js';
import { sha256 } from '../registry/push.js';
import { tar } from '../registry/tar-writer.js';
import { Sandbox, TPOD, inImage, readOr, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');
const podmanMissing = spawnSync('podman', ['--version']).status === 0 ? undefined : 'podman is not installed (Debian package podman)';
const insecure = '--tls-verify=false';
let repoCount = 0;
const repo = (what: string) => `tpod-test/archive-${what}-${process.pid}-${repoCount++}`;

/** What the multi-layer image shows once its whiteouts and opaque directory have done their work. */
const MULTI_SCRIPT = 'cat data/keep data/changed; ls -A data; ls -A opaque';
const MULTI_SEEN = 'keep\nv2\nchanged\nkeep\nnew\n';
/** Every file below the top with type, owner and mode (STAT adds more), and its content or target. */
const listing = (stat = '') =>
  `find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r f; do stat -c "%n %F %u:%g %a${stat}" "$f"; if [ -L "$f" ]; then readlink "$f"; elif [ -f "$f" ]; then sha256sum <"$f"; fi; done`;
/** With link counts and mtimes, for two kernel overlays (podman's vfs counts a directory's links differently). */
const LISTING_SCRIPT = listing(' %h %Y');
/** unpack.ts gives a FIFO the time it was made, not the one in the layer. */
const fifoTimeless = (text: string) => text.replace(/^(\S+ fifo .*) \d+$/gm, '$1');

const DEEP = `${'a'.repeat(90)}/${'b'.repeat(90)}`;

/**
 * What ustar alone cannot hold, for a layer written back from its files: a
 * hard link, a path over 255 bytes (made through a symlinked parent, as no
 * ustar header can name it), a link target over 100 bytes, a name that is not
 * ASCII, and a FIFO.
 */
function awkwardImage(): TestImage {
  return buildImage([
    busyboxLayer(),
    [
      { name: 'awkward/', type: 'dir' },
      { name: 'awkward/original', uid: 1000, gid: 1000, mode: 0o640, data: 'linked\n' },
      { name: 'awkward/hardlink', type: 'hardlink', linkname: 'awkward/original' },
      { name: `awkward/${'a'.repeat(90)}/`, type: 'dir' },
      { name: `awkward/${DEEP}/`, type: 'dir', mode: 0o750 },
      { name: 'awkward/deep', type: 'symlink', linkname: DEEP },
      { name: `awkward/deep/${'c'.repeat(90)}`, data: 'deep\n' },
      { name: 'awkward/long-target', type: 'symlink', linkname: `${'t'.repeat(150)}/x` },
      { name: 'awkward/café', data: 'accent\n' },
      { name: 'awkward/fifo', type: 'fifo', mode: 0o600 },
    ],
  ]);
}

/** What a container would see in IMAGE: SCRIPT's output, which must print nothing on stderr. */
function seenIn(box: Sandbox, image: string, script: string): string {
  const r = inImage(box, image, script);
  expect(r.stderr).toBe('');
  return r.stdout;
}

/** tpod with bytes in and out, for archives on standard input and output. */
function tpodBinary(box: Sandbox, args: readonly string[], input?: Buffer): SpawnSyncReturns<Buffer> {
  return spawnSync(TPOD, args, { env: box.env, input: input ?? Buffer.alloc(0), maxBuffer: 1 << 30, timeout: 60_000 });
}

function imageIds(box: Sandbox): string[] {
  return [...new Set(box.run(['images', '--format', '{{.Id}}']).stdout.split('\n').filter(Boolean))];
}

/** Everything in the store but its lock: empty after a load that stored nothing. */
function storeContents(box: Sandbox): string[] {
  const root = join(box.env.XDG_DATA_HOME!, 'tpod');
  return ['images', 'layers', 'blobs/sha256', 'tmp'].flatMap((d) => readdirSync(join(root, d)).map((e) => `${d}/${e}`));
}

async function pushed(image: TestImage, what: string): Promise<string> {
  const path = repo(what);
  await image.push(registries!.open, path, 'latest');
  return `${registries!.open}/${path}:latest`;
}

describe.skipIf(skip)(`save and load${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let source: Sandbox;
  let multi: string;
  let owners: string;
  const multiImage = multiLayerImage();
  const ownersImg = ownersImage();
  beforeAll(async () => {
    source = new Sandbox();
    [multi, owners] = await Promise.all([pushed(multiImage, 'multi'), pushed(ownersImg, 'owners')]);
    for (const name of [multi, owners]) expect(source.run(['pull', '-q', insecure, name]).code).toBe(0);
  });
  afterAll(() => source.destroy());

  for (const format of ['docker-archive', 'oci-archive'] as const) {
    it(`round-trips images through a ${format}, keeping ids, whiteouts, the opaque directory, owners and setuid`, () => {
      const target = new Sandbox();
      try {
        const file = join(source.dir, `multi.${format}.tar`);
        const saved = source.run(['save', '--format', format, '-o', file, multi]);
        expect(saved.code, saved.stderr).toBe(0);
        expect(saved.stdout + saved.stderr).toBe('');
        const loaded = target.run(['load', '-i', file]);
        expect(loaded.code, loaded.stderr).toBe(0);
        expect(loaded.stdout).toBe(`Loaded image: ${multi}\n`);

        // Standard output to standard input, gzip-compressed on the way.
        const out = tpodBinary(source, ['save', '--format', format, owners]);
        expect(out.status, out.stderr.toString()).toBe(0);
        const piped = tpodBinary(target, ['load'], gzipSync(out.stdout));
        expect(piped.status, piped.stderr.toString()).toBe(0);
        expect(piped.stdout.toString()).toBe(`Loaded image: ${owners}\n`);

        expect(imageIds(target).sort()).toEqual([multiImage.configDigest, ownersImg.configDigest].map((d) => d.slice(7)).sort());
        expect(seenIn(target, multi, MULTI_SCRIPT)).toBe(MULTI_SEEN);
        expect(seenIn(target, owners, OWNERS_SCRIPT)).toBe(OWNERS_SEEN);
        expect(seenIn(target, owners, LISTING_SCRIPT)).toBe(seenIn(source, owners, LISTING_SCRIPT));
        expect(readdirSync(join(target.env.XDG_DATA_HOME!, 'tpod/tmp'))).toEqual([]);
      } finally {
        target.destroy();
      }
    });
  }

  it('puts several images in one docker-archive, and names none for an image saved by id', () => {
    const target = new Sandbox();
    try {
      const file = join(source.dir, 'both.tar');
      expect(source.run(['save', '-o', file, multi, owners, multi]).code).toBe(0);
      const manifest = JSON.parse(tarMember(readFileSync(file), 'manifest.json').toString()) as { RepoTags: string[] }[];
      expect(manifest.map((m) => m.RepoTags)).toEqual([[multi], [owners]]);
      expect(target.run(['load', '-i', file]).stdout).toBe(`Loaded image: ${multi}\nLoaded image: ${owners}\n`);

      const byId = join(source.dir, 'by-id.tar');
      const id = ownersImg.configDigest.slice(7);
      expect(source.run(['save', '--format', 'oci-archive', '-o', byId, id.slice(0, 12)]).code).toBe(0);
      const other = new Sandbox();
      try {
        expect(other.run(['load', '-i', byId]).stdout).toBe(`Loaded image: sha256:${id}\n`);
        expect(other.run(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']).stdout).toBe(`<none>:<none> ${id.slice(0, 12)}\n`);
      } finally {
        other.destroy();
      }
    } finally {
      target.destroy();
    }
  });

  it('writes a layer from its files when its blob is not kept: same files, new diff ids, the same bytes every time', async () => {
    const box = new Sandbox();
    const target = new Sandbox();
    try {
      const awkwardImg = awkwardImage();
      const awkward = await pushed(awkwardImg, 'awkward');
      for (const name of [multi, owners, awkward]) expect(box.run(['pull', '-q', insecure, name]).code).toBe(0);
      // As a store written before tpod kept blobs.
      const blobs = join(box.env.XDG_DATA_HOME!, 'tpod/blobs/sha256');
      expect(box.run(['unshare', 'sh', '-c', `rm -f "${blobs}"/*`]).code).toBe(0);

      for (const format of ['docker-archive', 'oci-archive'] as const) {
        const file = join(box.dir, `all.${format}.tar`);
        for (const name of [multi, owners, awkward]) {
          const first = tpodBinary(box, ['save', '--format', format, name]);
          expect(first.status, first.stderr.toString()).toBe(0);
          expect(sha256(tpodBinary(box, ['save', '--format', format, name]).stdout)).toBe(sha256(first.stdout));
          writeFileSync(file, first.stdout);
          const loaded = target.run(['load', '-i', file]);
          expect(loaded.code, loaded.stderr).toBe(0);
          expect(loaded.stdout).toBe(`Loaded image: ${name}\n`);
          expect(fifoTimeless(seenIn(target, name, LISTING_SCRIPT))).toBe(fifoTimeless(seenIn(box, name, LISTING_SCRIPT)));
        }
        expect(seenIn(target, multi, MULTI_SCRIPT)).toBe(MULTI_SEEN);
        expect(seenIn(target, owners, OWNERS_SCRIPT)).toBe(OWNERS_SEEN);
        // tar-writer's headers are not tpod's: the layers, and so the image, got new digests.
        const inspect = JSON.parse(target.run(['image', 'inspect', awkward]).stdout)[0] as { Id: string; RootFS: { Layers: string[] } };
        expect(inspect.Id).not.toBe(awkwardImg.configDigest.slice(7));
        const config = JSON.parse(target.run(['unshare', 'cat', join(target.env.XDG_DATA_HOME!, 'tpod/images', inspect.Id, 'config.json')]).stdout);
        expect(config.rootfs.diff_ids).toEqual(inspect.RootFS.Layers);
        expect(target.run(['rmi', '-a', '-f']).code).toBe(0);
      }
      expect(seenIn(box, awkward, 'cat awkward/hardlink awkward/deep/c*; stat -c %h awkward/original')).toBe('linked\ndeep\n2\n');
    } finally {
      target.destroy();
      box.destroy();
    }
  });

  it('refuses a truncated archive, a layer that does not match its digest, and formats it cannot write, storing nothing', () => {
    const target = new Sandbox();
    try {
      const good = tpodBinary(source, ['save', multi]).stdout;
      const layer = tar([{ name: 'file', data: 'real\n' }]);
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(tar([{ name: 'file', data: 'claimed\n' }]))] } }));
      const wrongDiffId = tar([
        { name: 'layer.tar', data: layer },
        { name: 'config.json', data: config },
        { name: 'manifest.json', data: JSON.stringify([{ Config: 'config.json', RepoTags: ['wrong:1'], Layers: ['layer.tar'] }]) },
      ]);
      const ociManifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }] }));
      const wrongBlob = tar([
        { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
        { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(ociManifest), size: ociManifest.length }] }) },
        { name: `blobs/sha256/${sha256(ociManifest).slice(7)}`, data: ociManifest },
        { name: `blobs/sha256/${sha256(config).slice(7)}`, data: config },
        // Same length, other bytes.
        { name: `blobs/sha256/${sha256(layer).slice(7)}`, data: Buffer.from(layer.toString('latin1').replace('real', 'fake'), 'latin1') },
      ]);
      const cases: [string, Buffer, RegExp][] = [
        ['truncated', good.subarray(0, Math.floor(good.length / 2)), /^Error: invalid archive: .+\n$/],
        ['wrong diff id', wrongDiffId, /^Error: invalid archive: layer sha256:\w+ unpacks to sha256:\w+, but the image config says sha256:\w+\n$/],
        ['wrong blob', wrongBlob, /^Error: invalid archive: blob sha256:\w+ has the digest sha256:\w+\n$/],
        ['not an archive', Buffer.from('{"not": "a tarball"}\n'), /^Error: invalid archive: .+\n$/],
      ];
      for (const [what, archive, message] of cases) {
        const r = tpodBinary(target, ['load'], archive);
        expect(r.status, what).toBe(125);
        expect(r.stderr.toString(), what).toMatch(message);
        expect(r.stdout.toString(), what).toBe('');
        expect(storeContents(target), what).toEqual([]);
      }

      const dir = source.run(['save', '--format', 'oci-dir', '-o', join(source.dir, 'x'), multi]);
      expect(dir.code).toBe(125);
      expect(dir.stderr).toBe('Error: the oci-dir format is not supported yet: use docker-archive or oci-archive\n');
      const several = source.run(['save', '--format', 'oci-archive', '-o', join(source.dir, 'y'), multi, owners]);
      expect(several.code).toBe(125);
      expect(several.stderr).toBe('Error: an oci-archive holds one image: save several images as a docker-archive\n');
      const unknown = source.run(['save', '-o', join(source.dir, 'z'), 'no-such-image']);
      expect(unknown.code).toBe(125);
      expect(readdirSync(source.dir)).not.toContain('z');
    } finally {
      target.destroy();
    }
  });
});

/** The content of member NAME of an uncompressed tarball (short names only, as tpod writes them). */
function tarMember(archive: Buffer, name: string): Buffer {
  for (let at = 0; at + 512 <= archive.length; ) {
    const header = archive.subarray(at, at + 512);
    const size = parseInt(header.subarray(124, 136).toString().replace(/\0.*$/, '').trim() || '0', 8);
    const entry = header.subarray(0, 100).toString().replace(/\0.*$/, '');
    if (entry === name) return archive.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`no ${name} in the archive`);
}

describe.skipIf(skip || podmanMissing)(`save and load with podman${skip || podmanMissing ? ` (skipped: ${skip ?? podmanMissing})` : ''}`, () => {
  let box: Sandbox;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let multi: string;
  let owners: string;
  const multiImage = multiLayerImage({ format: 'docker' });
  const ownersImg = ownersImage();

  /** podman as the same user, with storage, runtime directory and configuration of its own under the test's directory. */
  const podmanArgs = () => ['--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), '--storage-driver', 'vfs', '--events-backend', 'none'];
  const podmanRaw = (args: readonly string[]) => spawnSync('podman', [...podmanArgs(), ...args], { env, maxBuffer: 1 << 30, timeout: 120_000 });
  const podman = (args: readonly string[]) => {
    const r = podmanRaw(args);
    return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
  };
  /** The same script as inImage, in podman's view of the image: mounted in podman's own namespace. */
  const inPodmanImage = (image: string, script: string) => {
    const r = podman(['unshare', 'sh', '-c', `m=$(podman ${podmanArgs().join(' ')} image mount ${image}) && cd "$m" && (${script})`]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    box = new Sandbox();
    dir = join(box.dir, 'podman');
    for (const d of ['home', 'run', 'data', 'config']) mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
    env = { PATH: process.env.PATH, HOME: join(dir, 'home'), LANG: 'C.UTF-8', XDG_RUNTIME_DIR: join(dir, 'run'), XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') };
    [multi, owners] = await Promise.all([pushed(multiImage, 'podman-multi'), pushed(ownersImg, 'podman-owners')]);
  });
  afterAll(() => {
    // podman's storage holds files of subordinate owners; its pause process outlives each command.
    podman(['unshare', 'rm', '-rf', join(dir, 'root'), join(dir, 'runroot')]);
    const pause = Number(readOr(join(dir, 'run/libpod/tmp/pause.pid'), '0'));
    if (pause > 0) process.kill(pause, 'SIGKILL');
    box.destroy();
  });

  it('podman loads what tpod saves, in both formats, with the same id and files', () => {
    expect(box.run(['pull', '-q', insecure, multi]).code).toBe(0);
    expect(box.run(['pull', '-q', insecure, owners]).code).toBe(0);
    for (const format of ['docker-archive', 'oci-archive']) {
      for (const [name, image, script] of [
        [multi, multiImage, MULTI_SCRIPT],
        [owners, ownersImg, OWNERS_SCRIPT],
      ] as const) {
        const file = join(box.dir, `for-podman.${format}.tar`);
        expect(box.run(['save', '--format', format, '-o', file, name]).code).toBe(0);
        const loaded = podman(['load', '-q', '-i', file]);
        expect(loaded.code, loaded.stderr).toBe(0);
        expect(loaded.stdout).toBe(`Loaded image: ${name}\n`);
        expect(podman(['image', 'inspect', '--format', '{{.Id}}', name]).stdout).toBe(`${image.configDigest.slice(7)}\n`);
        expect(inPodmanImage(name, script)).toBe(seenIn(box, name, script));
        expect(inPodmanImage(name, listing())).toBe(seenIn(box, name, listing()));
        expect(podman(['rmi', '-f', name]).code).toBe(0);
      }
    }
  });

  it('tpod loads what podman saves, in both formats, from a file and from a pipe', () => {
    for (const name of [multi, owners]) {
      const pulled = podman(['pull', '-q', insecure, name]);
      expect(pulled.code, pulled.stderr).toBe(0);
    }
    for (const format of ['docker-archive', 'oci-archive']) {
      const target = new Sandbox();
      try {
        const file = join(dir, `from-podman.${format}.tar`);
        const saved = podman(['save', '--format', format, '-o', file, multi]);
        expect(saved.code, saved.stderr).toBe(0);
        const loaded = target.run(['load', '-i', file]);
        expect(loaded.code, loaded.stderr).toBe(0);
        expect(loaded.stdout).toBe(`Loaded image: ${multi}\n`);

        const out = podmanRaw(['save', '--format', format, owners]);
        expect(out.status, out.stderr.toString()).toBe(0);
        const piped = tpodBinary(target, ['load'], out.stdout);
        expect(piped.status, piped.stderr.toString()).toBe(0);
        expect(piped.stdout.toString()).toBe(`Loaded image: ${owners}\n`);

        expect(imageIds(target).sort()).toEqual([multiImage.configDigest, ownersImg.configDigest].map((d) => d.slice(7)).sort());
        expect(seenIn(target, multi, MULTI_SCRIPT)).toBe(MULTI_SEEN);
        expect(seenIn(target, owners, OWNERS_SCRIPT)).toBe(OWNERS_SEEN);
        expect(seenIn(target, owners, listing())).toBe(inPodmanImage(owners, listing()));
      } finally {
        target.destroy();
      }
    }
  });
});
