/**
 * The images the image tests pull, built here from Debian's busybox-static
 * with ./tar-writer.ts, so no test needs the internet and every layer's
 * content is known to the byte.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { type Credentials, pushBlob, pushManifest, sha256 } from './push.js';
import type { TarEntry } from './tar-writer.js';
import { tar } from './tar-writer.js';

export const BUSYBOX = '/bin/busybox';

export interface ImageOptions {
  /** OCI media types (default), or Docker schema 2 ones. */
  format?: 'oci' | 'docker';
  /** gzip layers (default), or plain tar. */
  compression?: 'gzip' | 'none';
}

export interface BuildOptions extends ImageOptions {
  /** Defaults to the host's, in Go's names (amd64, arm64). */
  architecture?: string;
  variant?: string;
  /** Merged into the config's `config` (Env, Cmd, User, ...). */
  config?: Record<string, unknown>;
}

export interface TestImage {
  config: Record<string, unknown>;
  configBytes: Buffer;
  configDigest: string;
  manifest: Record<string, unknown>;
  manifestBytes: Buffer;
  /** Digest of manifestBytes: what a pull by digest names. */
  digest: string;
  mediaType: string;
  /** The layer blobs as pushed (compressed unless compression is 'none'). */
  layers: Buffer[];
  /** sha256 of each uncompressed tar. */
  diffIds: string[];
  /** Pushes blobs and manifest, under `tag` or else by digest; returns the manifest digest. */
  push(registry: string, repo: string, tag?: string, auth?: Credentials): Promise<string>;
}

export interface TestIndex {
  index: Record<string, unknown>;
  indexBytes: Buffer;
  digest: string;
  mediaType: string;
  /** In index order: amd64 then arm64. */
  images: TestImage[];
  /** Pushes every image by digest, then the index; returns the index digest. */
  push(registry: string, repo: string, tag?: string, auth?: Credentials): Promise<string>;
}

export const MEDIA_TYPES = {
  oci: {
    manifest: 'application/vnd.oci.image.manifest.v1+json',
    index: 'application/vnd.oci.image.index.v1+json',
    config: 'application/vnd.oci.image.config.v1+json',
    gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
    none: 'application/vnd.oci.image.layer.v1.tar',
  },
  docker: {
    manifest: 'application/vnd.docker.distribution.manifest.v2+json',
    index: 'application/vnd.docker.distribution.manifest.list.v2+json',
    config: 'application/vnd.docker.container.image.v1+json',
    gzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    none: 'application/vnd.docker.image.rootfs.diff.tar',
  },
} as const;

const CREATED = '2024-01-01T00:00:00Z';
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const HOST_ARCH = process.arch === 'x64' ? 'amd64' : process.arch;

/** An image of the given layers, each a list of tar entries, in order from the base. */
export function buildImage(layerEntries: readonly (readonly TarEntry[])[], options: BuildOptions = {}): TestImage {
  const types = MEDIA_TYPES[options.format ?? 'oci'];
  const compression = options.compression ?? 'gzip';
  const tars = layerEntries.map((entries) => tar(entries));
  // Level 1: the large image's random data does not compress anyway, and digests stay reproducible.
  const layers = tars.map((t) => (compression === 'gzip' ? gzipSync(t, { level: 1 }) : t));
  const diffIds = tars.map(sha256);
  const config = {
    created: CREATED,
    architecture: options.architecture ?? HOST_ARCH,
    ...(options.variant ? { variant: options.variant } : {}),
    os: 'linux',
    config: { Env: [PATH], Cmd: ['/bin/sh'], ...options.config },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: tars.map(() => ({ created: CREATED, created_by: 'tpod test layer' })),
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: types.manifest,
    config: { mediaType: types.config, digest: sha256(configBytes), size: configBytes.length },
    layers: layers.map((l) => ({ mediaType: types[compression], digest: sha256(l), size: l.length })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const digest = sha256(manifestBytes);
  return {
    config,
    configBytes,
    configDigest: sha256(configBytes),
    manifest,
    manifestBytes,
    digest,
    mediaType: types.manifest,
    layers,
    diffIds,
    async push(registry, repo, tag, auth) {
      await Promise.all([configBytes, ...layers].map((blob) => pushBlob(registry, repo, blob, auth)));
      return pushManifest(registry, repo, tag ?? digest, manifestBytes, types.manifest, auth);
    },
  };
}

/** Applets linked to /bin/busybox, enough for the tests' shell commands. */
const APPLETS = ['sh', 'ls', 'cat', 'echo', 'id', 'sleep', 'true', 'false', 'env', 'stat', 'touch', 'rm', 'mkdir', 'wc', 'sha256sum', 'head', 'readlink', 'hostname', 'ps', 'whoami'];

let busyboxBytes: Buffer | undefined;

/**
 * The base layer: /bin/busybox and applet symlinks, the usual top directories,
 * /etc/passwd and /etc/group with root, app (1000) and nobody (65534). All of
 * it is owned by root, so it extracts even with a single-id mapping.
 */
export function busyboxLayer(): TarEntry[] {
  try {
    busyboxBytes ??= readFileSync(BUSYBOX);
  } catch {
    throw new Error(`${BUSYBOX} is missing: install the Debian package busybox-static`);
  }
  return [
    ...['bin/', 'dev/', 'etc/', 'home/', 'proc/', 'sys/', 'var/'].map((name): TarEntry => ({ name, type: 'dir' })),
    { name: 'root/', type: 'dir', mode: 0o700 },
    { name: 'tmp/', type: 'dir', mode: 0o1777 },
    { name: 'bin/busybox', mode: 0o755, data: busyboxBytes },
    ...APPLETS.map((applet): TarEntry => ({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox' })),
    {
      name: 'etc/passwd',
      data: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
    },
    { name: 'etc/group', data: 'root:x:0:\napp:x:1000:\nnogroup:x:65534:\n' },
  ];
}

export function busyboxImage(options: ImageOptions = {}): TestImage {
  return buildImage([busyboxLayer()], options);
}

/**
 * busybox, then a layer adding /data/{keep,remove-me,changed} and
 * /opaque/{old-a,sub/old-c}, then one that deletes /data/remove-me
 * (`.wh.remove-me`), rewrites /data/changed, and makes /opaque opaque with
 * only /opaque/new in it. Expected: keep = "keep\n", changed = "v2\n",
 * no remove-me, /opaque holds only new = "new\n".
 */
export function multiLayerImage(options: ImageOptions = {}): TestImage {
  return buildImage(
    [
      busyboxLayer(),
      [
        { name: 'data/', type: 'dir' },
        { name: 'data/keep', data: 'keep\n' },
        { name: 'data/remove-me', data: 'remove me\n' },
        { name: 'data/changed', data: 'v1\n' },
        { name: 'opaque/', type: 'dir' },
        { name: 'opaque/old-a', data: 'old\n' },
        { name: 'opaque/sub/', type: 'dir' },
        { name: 'opaque/sub/old-c', data: 'old\n' },
      ],
      [
        { name: 'data/', type: 'dir' },
        { name: 'data/.wh.remove-me' },
        { name: 'data/changed', data: 'v2\n' },
        { name: 'opaque/', type: 'dir' },
        { name: 'opaque/.wh..wh..opq' },
        { name: 'opaque/new', data: 'new\n' },
      ],
    ],
    options,
  );
}

/**
 * An OCI image index (a Docker manifest list with format 'docker') of
 * linux/amd64 and linux/arm64/v8. Both run the host's busybox; what tells
 * them apart is their config and /arch, which holds "amd64" or "arm64".
 */
export function multiArchIndex(options: ImageOptions = {}): TestIndex {
  const types = MEDIA_TYPES[options.format ?? 'oci'];
  const platforms = [{ architecture: 'amd64' }, { architecture: 'arm64', variant: 'v8' }];
  const images = platforms.map((p) => buildImage([busyboxLayer(), [{ name: 'arch', data: `${p.architecture}\n` }]], { ...options, ...p }));
  const index = {
    schemaVersion: 2,
    mediaType: types.index,
    manifests: images.map((image, i) => ({
      mediaType: image.mediaType,
      digest: image.digest,
      size: image.manifestBytes.length,
      platform: { os: 'linux', ...platforms[i] },
    })),
  };
  const indexBytes = Buffer.from(JSON.stringify(index));
  const digest = sha256(indexBytes);
  return {
    index,
    indexBytes,
    digest,
    mediaType: types.index,
    images,
    async push(registry, repo, tag, auth) {
      // The registry refuses an index whose manifests it does not have.
      for (const image of images) await image.push(registry, repo, undefined, auth);
      return pushManifest(registry, repo, tag ?? digest, indexBytes, types.index, auth);
    },
  };
}

/**
 * busybox, then /owners with: root (0:0 0644), app (1000:1000 0640),
 * app-dir/ (1000:1000 0750) holding file (1000:1000 0600), app-link
 * (symlink -> app, 1000:1000), nobody (65534:65534 0600), u5000
 * (5000:5001 0755), setuid (0:0 04755), setgid (1000:1000 02755) and
 * sticky/ (0:0 01777).
 */
export function ownersImage(options: ImageOptions = {}): TestImage {
  const script = '#!/bin/sh\necho owned\n';
  return buildImage(
    [
      busyboxLayer(),
      [
        { name: 'owners/', type: 'dir' },
        { name: 'owners/root', data: 'root\n' },
        { name: 'owners/app', uid: 1000, gid: 1000, mode: 0o640, data: 'app\n' },
        { name: 'owners/app-dir/', type: 'dir', uid: 1000, gid: 1000, mode: 0o750 },
        { name: 'owners/app-dir/file', uid: 1000, gid: 1000, mode: 0o600, data: 'inner\n' },
        { name: 'owners/app-link', type: 'symlink', uid: 1000, gid: 1000, linkname: 'app' },
        { name: 'owners/nobody', uid: 65534, gid: 65534, mode: 0o600, data: 'nobody\n' },
        { name: 'owners/u5000', uid: 5000, gid: 5001, mode: 0o755, data: script },
        { name: 'owners/setuid', mode: 0o4755, data: script },
        { name: 'owners/setgid', uid: 1000, gid: 1000, mode: 0o2755, data: script },
        { name: 'owners/sticky/', type: 'dir', mode: 0o1777 },
      ],
    ],
    options,
  );
}

/** What ownersImage shows through an overlay: OWNERS_SCRIPT's output in the image's root. */
export const OWNERS_SCRIPT = 'stat -c "%n %u:%g %a" owners/* owners/app-dir/file | sort';
export const OWNERS_SEEN = `${[
  'owners/app 1000:1000 640',
  'owners/app-dir 1000:1000 750',
  'owners/app-dir/file 1000:1000 600',
  'owners/app-link 1000:1000 777',
  'owners/nobody 65534:65534 600',
  'owners/root 0:0 644',
  'owners/setgid 1000:1000 2755',
  'owners/setuid 0:0 4755',
  'owners/sticky 0:0 1777',
  'owners/u5000 5000:5001 755',
]
  .sort()
  .join('\n')}\n`;

/** busybox, then `layers` layers of random (incompressible) data, /large/part-N.bin, sizeMiB in all. */
export function largeImage(sizeMiB: number, options: ImageOptions & { layers?: number } = {}): TestImage {
  const count = options.layers ?? 4;
  const total = Math.round(sizeMiB * 1024 * 1024);
  const parts = Array.from({ length: count }, (_, i): TarEntry[] => {
    const size = i < count - 1 ? Math.floor(total / count) : total - Math.floor(total / count) * (count - 1);
    return [
      { name: 'large/', type: 'dir' },
      { name: `large/part-${i}.bin`, data: randomBytes(size) },
    ];
  });
  return buildImage([busyboxLayer(), ...parts], options);
}

/**
 * Single-layer images, each trying to create or change something outside the
 * layer. `outside` is an absolute directory of the test's own, which the
 * absolute names and links aim at; the relative ones aim at the extraction
 * directory's parent. Every file such an escape would create is named
 * tpod-escape-*; `hardlink-outside` aims at `${outside}/tpod-escape-target`,
 * which the test should create beforehand and find unchanged afterwards.
 */
export function hostileLayers(outside = '/tmp', options: ImageOptions = {}): Record<string, TestImage> {
  const payload = 'tpod-escape\n';
  const layers: Record<string, TarEntry[]> = {
    dotdot: [{ name: '../tpod-escape-dotdot', data: payload }],
    absolute: [{ name: `${outside}/tpod-escape-absolute`, data: payload }],
    'symlink-dir': [
      { name: 'link', type: 'symlink', linkname: outside },
      { name: 'link/tpod-escape-symlink', data: payload },
    ],
    'symlink-chain': [
      { name: 'up', type: 'symlink', linkname: '..' },
      { name: 'upup', type: 'symlink', linkname: 'up/..' },
      { name: 'upup/tpod-escape-chain', data: payload },
    ],
    'hardlink-passwd': [
      { name: 'passwd', type: 'hardlink', linkname: '/etc/passwd' },
      { name: 'passwd', data: payload },
    ],
    'hardlink-dotdot': [
      { name: 'parent-link', type: 'hardlink', linkname: '../tpod-escape-target' },
      { name: 'parent-link', data: payload },
    ],
    'hardlink-outside': [
      { name: 'outside-link', type: 'hardlink', linkname: `${outside}/tpod-escape-target` },
      { name: 'outside-link', data: payload },
    ],
    devices: [
      { name: 'mem', type: 'char', devmajor: 1, devminor: 1 },
      { name: 'sda', type: 'block', devmajor: 8, devminor: 0 },
    ],
    'symlink-replaces-dir': [
      { name: 'd/', type: 'dir' },
      { name: 'd/f', data: 'inside\n' },
      { name: 'd', type: 'symlink', linkname: outside },
      { name: 'd/tpod-escape-replaced', data: payload },
    ],
  };
  return Object.fromEntries(Object.entries(layers).map(([name, entries]) => [name, buildImage([entries], options)]));
}

/** busybox, then /data/beyond owned by 70000:70000, outside a 65536-id subordinate range. */
export function beyondRangeImage(options: ImageOptions = {}): TestImage {
  return buildImage(
    [
      busyboxLayer(),
      [
        { name: 'data/', type: 'dir' },
        { name: 'data/beyond', uid: 70_000, gid: 70_000, data: 'beyond\n' },
      ],
    ],
    options,
  );
}
