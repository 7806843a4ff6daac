/**
 * `tpod save` and `tpod load`: images to and from docker-archive and
 * oci-archive tarballs, the formats podman and docker exchange.
 *
 * save writes each layer as the blob it was pulled or loaded as (the store
 * keeps it), decompressed for a docker-archive, so the config and the image
 * id stay what they were. A layer without its blob (stored by a tpod that did
 * not keep them) is written from its files (export-layer.ts); its tarball may
 * then differ from the original, and the config is rewritten to list the diff
 * ids of what was written.
 *
 * load stages every member of the archive, checks each digest it is told,
 * extracts the missing layers, and puts nothing in the store until all of it
 * has been verified.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import type { RegistriesConf } from '../config/registries.js';
import { TpodError, errorLine } from '../errors.js';
import {
  type ArchiveFormat,
  OCI_LAYOUT,
  dockerArchiveName,
  dockerManifest,
  ociArchiveName,
  ociIndex,
  ociManifest,
  parseDockerManifest,
  parseJson,
  withDiffIds,
} from '../image/archive-format.js';
import { TAR_END, exportLayer, tarHeader, tarPadding } from '../image/export-layer.js';
import { type Descriptor, type ImageConfig, MEDIA_TYPES, hostPlatform, parseManifest, selectManifest } from '../image/manifest.js';
import { formatReference, isDigest } from '../image/reference.js';
import { meter, sha256 } from '../image/digest.js';
import { fileCompression, unpackLayer } from '../image/unpack.js';
import { cleanEntryPath } from '../storage/in-root.js';
import type { ImageRecord, LayerRecord, Store } from '../storage/store.js';
import { findImage, lookupNames } from './images.js';
import { layerMediaType } from './push.js';

const hex = (digest: string) => digest.replace(/^sha256:/, '');

/** A file in the staging directory, with what it holds. */
interface Blob {
  readonly file: string;
  readonly digest: string;
  readonly size: number;
}


/* ---------------------------------------------------------------- save */

interface ArchiveLayer {
  /** Of the tarball the archive holds, which its config must list. */
  readonly diffId: string;
  /** What goes into the archive: always a plain tarball in a docker-archive. */
  readonly blob: Blob;
  readonly gzip: boolean;
}

/** Layer DIFF_ID as it goes into a FORMAT archive; FILE is where it is staged when it has to be written. */
async function archiveLayer(store: Store, diffId: string, file: string, format: ArchiveFormat): Promise<ArchiveLayer> {
  const { compressedDigest } = store.layer(diffId);
  const kept = store.blobPath(compressedDigest);
  const staged = () => createWriteStream(file, { mode: 0o600 });
  const tar = meter();
  if (existsSync(kept)) {
    const gzip = fileCompression(kept) === 'gzip';
    if (format === 'oci-archive' || !gzip) return { diffId, blob: { file: kept, digest: compressedDigest, size: statSync(kept).size }, gzip };
    await pipeline(createReadStream(kept), createGunzip(), tar.stream, staged());
    const plain = tar.result();
    return { diffId: plain.digest, blob: { file, ...plain }, gzip: false };
  }
  const source = exportLayer(join(store.layerDir(diffId), 'diff'));
  if (format === 'docker-archive') {
    await pipeline(source, tar.stream, staged());
    const plain = tar.result();
    return { diffId: plain.digest, blob: { file, ...plain }, gzip: false };
  }
  // Compressed, as podman writes the layers of an oci-archive.
  const gz = meter();
  await pipeline(source, tar.stream, createGzip(), gz.stream, staged());
  return { diffId: tar.result().digest, blob: { file, ...gz.result() }, gzip: true };
}

type Member = { readonly path: string; readonly data: Buffer } | { readonly path: string; readonly blob: Blob };

async function* tarOf(members: readonly Member[]): AsyncGenerator<Buffer> {
  for (const m of members) {
    const size = 'data' in m ? m.data.length : m.blob.size;
    yield tarHeader({ path: m.path, type: 'File', mode: 0o644, uid: 0, gid: 0, size, mtime: 0 });
    if ('data' in m) yield m.data;
    else yield* createReadStream(m.blob.file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>;
    yield tarPadding(size);
  }
  yield TAR_END;
}

/** The name NAME found RECORD by, which the archive records; none when NAME was an id, as with podman. */
function savedName(conf: RegistriesConf, name: string, record: ImageRecord): string | undefined {
  try {
    return lookupNames(conf, name).map(formatReference).find((n) => record.names.includes(n));
  } catch {
    return undefined;
  }
}

/**
 * Writes the images NAMES name to the stream OPEN returns, which is opened
 * only once the archive is ready to be written, so that a save that fails
 * early leaves no file behind.
 */
export async function saveImages(store: Store, conf: RegistriesConf, names: readonly string[], format: ArchiveFormat, open: () => Writable): Promise<void> {
  if (names.length > 1 && format !== 'docker-archive') throw new TpodError(`an ${format} holds one image: save several images as a docker-archive`);
  // One entry per image, however many of its names were given.
  const images = new Map<string, { record: ImageRecord; tags: string[] }>();
  for (const name of names) {
    const record = findImage(store, conf, name);
    const entry = images.get(record.id) ?? { record, tags: [] };
    images.set(record.id, entry);
    const tag = savedName(conf, name, record);
    if (tag && !entry.tags.includes(tag)) entry.tags.push(tag);
  }

  store.cleanup();
  const staged = store.staging();
  try {
    const exported = new Map<string, ArchiveLayer>();
    const members = new Map<string, Member>();
    const add = (m: Member) => members.set(m.path, m);
    const manifestItems: { Config: string; RepoTags: string[]; Layers: string[] }[] = [];
    if (format === 'oci-archive') add({ path: 'oci-layout', data: Buffer.from(JSON.stringify(OCI_LAYOUT)) });
    for (const { record, tags } of images.values()) {
      const layers: ArchiveLayer[] = [];
      for (const diffId of record.layers) {
        if (!exported.has(diffId)) exported.set(diffId, await archiveLayer(store, diffId, join(staged, String(exported.size)), format));
        layers.push(exported.get(diffId)!);
      }
      const config = withDiffIds(store.config(record.id), layers.map((l) => l.diffId));
      const configDigest = sha256(config);
      if (format === 'docker-archive') {
        for (const l of layers) add({ path: `${hex(l.diffId)}.tar`, blob: l.blob });
        add({ path: `${hex(configDigest)}.json`, data: config });
        manifestItems.push({ Config: `${hex(configDigest)}.json`, RepoTags: tags, Layers: layers.map((l) => `${hex(l.diffId)}.tar`) });
      } else {
        for (const l of layers) add({ path: `blobs/sha256/${hex(l.blob.digest)}`, blob: l.blob });
        add({ path: `blobs/sha256/${hex(configDigest)}`, data: config });
        const manifest = ociManifest(
          { mediaType: MEDIA_TYPES.ociConfig, digest: configDigest, size: config.length },
          layers.map((l) => ({ mediaType: layerMediaType(false, l.gzip), digest: l.blob.digest, size: l.blob.size })),
        );
        const manifestDigest = sha256(manifest);
        add({ path: `blobs/sha256/${hex(manifestDigest)}`, data: manifest });
        add({ path: 'index.json', data: ociIndex({ mediaType: MEDIA_TYPES.ociManifest, digest: manifestDigest, size: manifest.length }, tags[0]) });
      }
    }
    if (format === 'docker-archive') add({ path: 'manifest.json', data: Buffer.from(JSON.stringify(manifestItems)) });
    await pipeline(Readable.from(tarOf([...members.values()])), open());
  } finally {
    rmSync(staged, { recursive: true, force: true });
  }
}

/* ---------------------------------------------------------------- load */

type Staged = Blob | { readonly link: string };

/** The members of an archive, staged as files; symbolic and hard links resolved on lookup. */
class ArchiveFiles {
  constructor(private readonly members: ReadonlyMap<string, Staged>) {}

  has(path: string): boolean {
    return this.members.has(path);
  }

  /** The file at PATH; one named blobs/sha256/HEX must have that digest, whatever it links to. */
  get(path: string): Blob {
    let key = cleanEntryPath(path);
    const named = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(key);
    // Docker's legacy layout links one layer.tar to another; a loop ends here.
    for (let hops = 0; hops < 40; hops++) {
      const member = this.members.get(key);
      if (!member) break;
      if ('link' in member) {
        key = member.link;
        continue;
      }
      if (named && member.digest !== `sha256:${named[1]}`) throw new TpodError(`invalid archive: blob sha256:${named[1]} has the digest ${member.digest}`);
      return member;
    }
    throw new TpodError(`invalid archive: it has no file ${path}`);
  }

  read(path: string): Buffer {
    return readFileSync(this.get(path).file);
  }

  /** The blob DESC names, checked against its digest and size. */
  blob(desc: Descriptor): Blob {
    if (!isDigest(desc.digest)) throw new TpodError(`invalid archive: unsupported digest ${desc.digest}`);
    const blob = this.get(`blobs/sha256/${hex(desc.digest)}`);
    if (blob.size !== desc.size) throw new TpodError(`invalid archive: blob ${desc.digest} has ${blob.size} bytes, not the ${desc.size} its descriptor says`);
    return blob;
  }
}

/** Every regular file of the archive (plain, gzip or zstd) into DIR, hashed on the way. */
async function stageArchive(input: Readable, dir: string): Promise<ArchiveFiles> {
  mkdirSync(dir);
  const members = new Map<string, Staged>();
  const writes: Promise<void>[] = [];
  let writeError: unknown;
  let count = 0;
  const parser = new Parser({ strict: true });
  parser.on('entry', (entry: ReadEntry) => {
    const path = cleanEntryPath(entry.path);
    const linkpath = entry.linkpath ?? '';
    if (entry.type === 'SymbolicLink') {
      members.set(path, { link: cleanEntryPath(linkpath.startsWith('/') ? linkpath : `${posix.dirname(path)}/${linkpath}`) });
    } else if (entry.type === 'Link') {
      members.set(path, { link: cleanEntryPath(linkpath) });
    } else if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'ContiguousFile') {
      const member = { file: join(dir, String(count++)), digest: '', size: entry.size };
      members.set(path, member);
      // One consumer only: the entry gives data it holds already to whichever comes first.
      const hashed = meter();
      const out = entry.pipe(hashed.stream).pipe(createWriteStream(member.file, { flags: 'wx', mode: 0o600 }));
      writes.push(
        finished(out).then(
          () => void (member.digest = hashed.result().digest),
          // Caught at once: after a parse error nobody awaits the writes.
          (err: unknown) => void (writeError ??= err),
        ),
      );
      return;
    }
    entry.resume();
  });
  try {
    await pipeline(input, parser);
  } catch (err) {
    throw new TpodError(`invalid archive: ${errorLine(err)}`);
  }
  await Promise.all(writes);
  if (writeError) throw writeError;
  return new ArchiveFiles(members);
}

/** An image as found in an archive, its layers staged but not yet extracted. */
interface ArchiveImage {
  readonly names: readonly string[];
  readonly config: Buffer;
  readonly diffIds: readonly string[];
  readonly layers: readonly Blob[];
  /** The manifest as the archive has it; a docker-archive has none. */
  readonly manifest?: { readonly bytes: Buffer; readonly digest: string; readonly mediaType: string };
}

function diffIdsOf(config: Buffer, layers: number, what: string): string[] {
  const diffIds = parseJson<ImageConfig>(config, `the config of ${what}`).rootfs?.diff_ids ?? [];
  if (diffIds.length !== layers) throw new TpodError(`invalid archive: ${what} has ${layers} layers but its config lists ${diffIds.length}`);
  return [...diffIds];
}

function dockerImages(files: ArchiveFiles): ArchiveImage[] {
  return parseDockerManifest(files.read('manifest.json')).map((item) => {
    const config = files.read(item.Config);
    return {
      names: (item.RepoTags ?? []).map(dockerArchiveName),
      config,
      diffIds: diffIdsOf(config, item.Layers.length, item.Config),
      layers: item.Layers.map((l) => files.get(l)),
    };
  });
}

/** parseManifest, with its message for what is not JSON at all worded for an archive. */
function readManifest(bytes: Buffer, mediaType: string | undefined, what: string) {
  parseJson(bytes, what);
  return parseManifest(bytes, mediaType, what);
}

function ociImages(files: ArchiveFiles): ArchiveImage[] {
  const index = readManifest(files.read('index.json'), undefined, 'index.json');
  if (index.kind !== 'index') throw new TpodError('invalid archive: index.json is not an image index');
  return index.index.manifests.map((entry) => {
    let desc = entry;
    let bytes = readFileSync(files.blob(desc).file);
    let parsed = readManifest(bytes, desc.mediaType, desc.digest);
    // Docker's archives list an index per image, with the image for each platform.
    if (parsed.kind === 'index') {
      desc = selectManifest(parsed.index, hostPlatform(), entry.digest);
      bytes = readFileSync(files.blob(desc).file);
      parsed = readManifest(bytes, desc.mediaType, desc.digest);
      if (parsed.kind !== 'manifest') throw new TpodError(`invalid archive: ${entry.digest}: an index inside an index is not supported`);
    }
    const { manifest } = parsed;
    const config = readFileSync(files.blob(manifest.config).file);
    const name = ociArchiveName(entry.annotations);
    return {
      names: name ? [name] : [],
      config,
      diffIds: diffIdsOf(config, manifest.layers.length, desc.digest),
      layers: manifest.layers.map((l) => files.blob(l)),
      manifest: { bytes, digest: desc.digest, mediaType: manifest.mediaType ?? desc.mediaType },
    };
  });
}

/** For an image from a docker-archive, which has no manifest: a Docker schema 2 one of its stored blobs, as podman makes one. */
function madeUpManifest(store: Store, config: Buffer, diffIds: readonly string[]) {
  const layers = diffIds.map((d) => {
    const { compressedDigest, compressedSize } = store.layer(d);
    return { mediaType: layerMediaType(true, fileCompression(store.blobPath(compressedDigest)) === 'gzip'), digest: compressedDigest, size: compressedSize };
  });
  const bytes = dockerManifest({ mediaType: MEDIA_TYPES.dockerConfig, digest: sha256(config), size: config.length }, layers);
  return { bytes, digest: sha256(bytes), mediaType: MEDIA_TYPES.dockerManifest };
}

export interface LoadedImage {
  readonly image: ImageRecord;
  /** The names the archive gave it (the image may have had others already). */
  readonly names: readonly string[];
}

/** Loads every image of the archive INPUT reads (docker-archive or oci-archive, either maybe gzip-compressed). */
export async function loadArchive(store: Store, input: Readable): Promise<LoadedImage[]> {
  store.cleanup();
  const staged = store.staging();
  try {
    const files = await stageArchive(input, join(staged, 'archive'));
    // podman tries the OCI layout first too: Docker 25 writes both.
    const images = files.has('oci-layout') ? ociImages(files) : files.has('manifest.json') ? dockerImages(files) : undefined;
    if (!images) throw new TpodError('invalid archive: it has neither manifest.json (docker-archive) nor oci-layout (oci-archive)');

    // Every missing layer extracted and verified before anything is stored.
    const extracted = new Map<string, { dir: string; blob: string; record: LayerRecord }>();
    for (const image of images) {
      for (const [i, blob] of image.layers.entries()) {
        const diffId = image.diffIds[i]!;
        if (store.hasLayer(diffId) || extracted.has(diffId)) continue;
        const dir = join(staged, `layer-${extracted.size}`);
        mkdirSync(join(dir, 'diff'), { recursive: true });
        const stats = await unpackLayer(blob.file, join(dir, 'diff'), { layer: blob.digest });
        if (stats.diffId !== diffId) throw new TpodError(`invalid archive: layer ${blob.digest} unpacks to ${stats.diffId}, but the image config says ${diffId}`);
        extracted.set(diffId, { dir, blob: blob.file, record: { diffId, size: stats.size, compressedDigest: blob.digest, compressedSize: blob.size } });
      }
    }

    // The archive's file becomes the layer's kept blob.
    for (const { dir, blob, record } of extracted.values()) store.commitLayer(dir, blob, record);
    return images.map((image) => {
      const configDigest = sha256(image.config);
      const config = parseJson<ImageConfig>(image.config, configDigest);
      const manifest = image.manifest ?? madeUpManifest(store, image.config, image.diffIds);
      const record = store.commitImage(
        {
          id: hex(configDigest),
          names: image.names,
          digest: manifest.digest,
          manifestMediaType: manifest.mediaType,
          layers: image.diffIds,
          size: image.diffIds.reduce((sum, d) => sum + store.layer(d).size, 0),
          created: config.created ?? '',
          stored: new Date().toISOString(),
        },
        image.config,
        manifest.bytes,
      );
      return { image: record, names: image.names };
    });
  } finally {
    rmSync(staged, { recursive: true, force: true });
  }
}
