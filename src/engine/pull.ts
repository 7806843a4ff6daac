/**
 * `tpod pull`: resolve the name, fetch the manifest (picking this host's
 * image from an index), the config, and each layer not yet in the store;
 * extract the layers and put the image in place only when all is verified.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { authFiles, lookupCredentials } from '../config/auth.js';
import { type RegistriesConf, registryConfig, resolveShortName } from '../config/registries.js';
import { TpodError, errorLine } from '../errors.js';
import { log } from '../log.js';
import {
  type Descriptor,
  type ImageConfig,
  type ImageManifest,
  MANIFEST_ACCEPT,
  type Platform,
  hostPlatform,
  parseManifest,
  selectManifest,
} from '../image/manifest.js';
import { type ImageReference, formatReference, parseReference, withDefaultTag } from '../image/reference.js';
import { RegistryClient } from '../image/registry.js';
import { unpackLayer } from '../image/unpack.js';
import { type ImageRecord, Store } from '../storage/store.js';
import { type TransferListener, silent } from './transfer.js';

export interface PullOptions {
  readonly platform?: Platform;
  /** false: plain HTTP and unchecked certificates are allowed for every registry. */
  readonly tlsVerify?: boolean;
  readonly authfile?: string;
  readonly listener?: TransferListener;
}

const PARALLEL_DOWNLOADS = 3;

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface Source {
  readonly client: RegistryClient;
  readonly reference: string;
}

/** The endpoints to try for REF: its mirrors, then its location. */
function sources(conf: RegistriesConf, ref: ImageReference, env: NodeJS.ProcessEnv, options: PullOptions): Source[] {
  const access = registryConfig(conf, ref);
  if (access.blocked) throw new TpodError(`${formatReference(ref)}: registry ${ref.registry} is blocked in registries.conf`);
  const files = authFiles(env, options.authfile);
  return [...access.mirrors, { location: access.location, insecure: access.insecure }].map(({ location, insecure }) => ({
    client: new RegistryClient(
      { host: location.registry, insecure: insecure || options.tlsVerify === false },
      location.repository,
      lookupCredentials(files, location.registry, location.repository),
    ),
    reference: location.digest ?? location.tag ?? 'latest',
  }));
}

async function fetchManifest(source: Source, what: string, platform: Platform): Promise<{ manifest: ImageManifest; bytes: Buffer; digest: string; mediaType: string }> {
  let got = await source.client.getManifest(source.reference, MANIFEST_ACCEPT);
  let parsed = parseManifest(got.bytes, got.contentType, what);
  if (parsed.kind === 'index') {
    const chosen: Descriptor = selectManifest(parsed.index, platform, what);
    got = await source.client.getManifest(chosen.digest, MANIFEST_ACCEPT);
    parsed = parseManifest(got.bytes, got.contentType, what);
    if (parsed.kind !== 'manifest') throw new TpodError(`${what}: an index inside an index is not supported`);
  }
  const mediaType = parsed.manifest.mediaType ?? got.contentType?.split(';')[0] ?? '';
  return { manifest: parsed.manifest, bytes: got.bytes, digest: got.digest, mediaType };
}

async function pullLayer(store: Store, source: Source, blob: Descriptor, diffId: string, listener: TransferListener): Promise<void> {
  const staged = store.staging();
  try {
    listener.layer(blob.digest, blob.size, false);
    const file = join(staged, 'blob');
    const started = Date.now();
    const compressedSize = await source.client.downloadBlob(blob.digest, file, (n) => listener.bytes(blob.digest, n));
    const downloaded = Date.now();
    mkdirSync(join(staged, 'diff'));
    const stats = await unpackLayer(file, join(staged, 'diff'), { layer: blob.digest });
    // bench/pull.ts reads these to tell where a pull's time goes.
    log.debug(`layer ${blob.digest}: ${compressedSize} bytes downloaded and checked in ${downloaded - started} ms, ${stats.size} extracted in ${Date.now() - downloaded} ms`);
    if (stats.diffId !== diffId) {
      throw new TpodError(`layer ${blob.digest} unpacks to ${stats.diffId}, but the image config says ${diffId}; nothing of it was kept`);
    }
    // The blob leaves the staging directory, which becomes the layer directory.
    const kept = join(store.tmpDir, `${staged.split('/').pop()}.blob`);
    renameSync(file, kept);
    try {
      store.commitLayer(staged, kept, { diffId, size: stats.size, compressedDigest: blob.digest, compressedSize });
    } finally {
      rmSync(kept, { force: true });
    }
    listener.layerDone(blob.digest);
  } finally {
    rmSync(staged, { recursive: true, force: true });
  }
}

async function pullFrom(store: Store, source: Source, name: string, platform: Platform, listener: TransferListener, names: string[]): Promise<ImageRecord> {
  const { manifest, bytes, digest, mediaType } = await fetchManifest(source, name, platform);
  const configBytes = await source.client.getBlobBytes(manifest.config.digest);
  const config = JSON.parse(configBytes.toString('utf8')) as ImageConfig;
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new TpodError(`${name}: the manifest has ${manifest.layers.length} layers but the config lists ${diffIds.length}`);
  }
  // One pull per distinct layer, even when an image lists it twice.
  const todo = new Map<string, Descriptor>();
  manifest.layers.forEach((blob, i) => {
    const diffId = diffIds[i]!;
    if (store.hasLayer(diffId)) listener.layer(blob.digest, blob.size, true);
    else todo.set(diffId, blob);
  });
  await forEachLimited([...todo], PARALLEL_DOWNLOADS, async ([diffId, blob]) => {
    await pullLayer(store, source, blob, diffId, listener);
  });
  listener.writing();
  return store.commitImage(
    {
      id: manifest.config.digest.replace(/^sha256:/, ''),
      names,
      digest,
      manifestMediaType: mediaType,
      layers: diffIds,
      size: diffIds.reduce((sum, d) => sum + store.layer(d).size, 0),
      created: config.created ?? '',
      stored: new Date().toISOString(),
    },
    configBytes,
    bytes,
  );
}

export interface PullReport {
  readonly image: ImageRecord;
  readonly name: string;
}

/**
 * Pulls NAME (a short name is tried at each search registry in turn, as
 * podman does) and returns the stored image.
 */
export async function pullImage(store: Store, conf: RegistriesConf, name: string, env: NodeJS.ProcessEnv, options: PullOptions = {}): Promise<PullReport> {
  const listener = options.listener ?? silent;
  const platform = options.platform ?? hostPlatform();
  const candidates = resolveShortName(conf, parseReference(name)).map(withDefaultTag);
  store.cleanup();
  const failures: unknown[] = [];
  for (const ref of candidates) {
    const full = formatReference(ref);
    const from = sources(conf, ref, env, options);
    listener.trying(full);
    for (const source of from) {
      try {
        return { image: await pullFrom(store, source, full, platform, listener, [full]), name: full };
      } catch (err) {
        failures.push(err);
      }
    }
  }
  if (failures.length === 1) throw failures[0];
  throw new TpodError(`${name}: no registry had it: ${failures.map(errorLine).join('; ')}`);
}
