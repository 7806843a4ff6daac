/**
 * `tpod push`: send a stored image to a registry. The layers go as the very
 * blobs they were pulled as (the store keeps them), so a pushed image keeps
 * its digests, and blobs the registry has already are not sent again.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { authFiles, lookupCredentials } from '../config/auth.js';
import { type RegistriesConf, registryConfig } from '../config/registries.js';
import { TpodError } from '../errors.js';
import { sha256 } from '../image/digest.js';
import { type Descriptor, type ImageManifest, MEDIA_TYPES } from '../image/manifest.js';
import { formatReference, parseReference, withDefaultTag } from '../image/reference.js';
import { RegistryClient } from '../image/registry.js';
import { fileCompression } from '../image/unpack.js';
import type { Store } from '../storage/store.js';
import { findImage } from './images.js';
import { type TransferListener, silent } from './transfer.js';

export interface PushOptions {
  readonly tlsVerify?: boolean;
  readonly authfile?: string;
  readonly listener?: TransferListener;
}

/** The layer media type for a blob, in the manifest's own family (OCI or Docker). Pure. */
export function layerMediaType(docker: boolean, gzip: boolean): string {
  if (docker) return gzip ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.docker.image.rootfs.diff.tar';
  return gzip ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar';
}

/** Pushes IMAGE to DESTINATION (default: IMAGE itself, which must then name a registry); returns the manifest digest. */
export async function pushImage(store: Store, conf: RegistriesConf, image: string, destination: string | undefined, env: NodeJS.ProcessEnv, options: PushOptions = {}): Promise<string> {
  const listener = options.listener ?? silent;
  const record = findImage(store, conf, image);
  const target = (destination ?? image).replace(/^docker:\/\//, '');
  const parsed = parseReference(target);
  if (parsed.registry === undefined) {
    throw new TpodError(`${target}: a push needs a registry in the name`, { hint: `for example tpod push ${image} registry.example.com/${parsed.repository}` });
  }
  const ref = withDefaultTag({ registry: parsed.registry, repository: parsed.repository, tag: parsed.tag, digest: parsed.digest });
  const access = registryConfig(conf, ref);
  if (access.blocked) throw new TpodError(`${formatReference(ref)}: registry ${ref.registry} is blocked in registries.conf`);
  const client = new RegistryClient(
    { host: ref.registry, insecure: access.insecure || options.tlsVerify === false },
    ref.repository,
    lookupCredentials(authFiles(env, options.authfile), ref.registry, ref.repository),
    'pull,push',
  );

  const stored = JSON.parse(store.manifest(record.id).toString('utf8')) as ImageManifest;
  const docker = record.manifestMediaType === MEDIA_TYPES.dockerManifest;
  const layers: Descriptor[] = record.layers.map((diffId) => {
    const layer = store.layer(diffId);
    const gzip = fileCompression(store.blobPath(layer.compressedDigest)) === 'gzip';
    return { mediaType: layerMediaType(docker, gzip), digest: layer.compressedDigest, size: layer.compressedSize };
  });
  listener.trying(formatReference(ref));
  for (const layer of layers) {
    const there = await client.hasBlob(layer.digest);
    listener.layer(layer.digest, layer.size, there);
    if (there) continue;
    await client.uploadBlob(layer.digest, layer.size, () => createReadStream(store.blobPath(layer.digest)));
    listener.bytes(layer.digest, layer.size);
    listener.layerDone(layer.digest);
  }
  const config = store.config(record.id);
  const configDigest = `sha256:${record.id}`;
  if (!(await client.hasBlob(configDigest))) await client.uploadBlob(configDigest, config.length, () => Readable.from([config]));
  listener.writing();
  const manifest = {
    schemaVersion: 2,
    mediaType: docker ? MEDIA_TYPES.dockerManifest : MEDIA_TYPES.ociManifest,
    config: { mediaType: stored.config.mediaType, digest: configDigest, size: config.length },
    layers,
    ...(stored.annotations ? { annotations: stored.annotations } : {}),
  };
  // The stored manifest when nothing changed, byte for byte, so the digest stays.
  const same = JSON.stringify(stored.layers.map((l) => [l.digest, l.mediaType])) === JSON.stringify(layers.map((l) => [l.digest, l.mediaType]));
  const bytes = same ? store.manifest(record.id) : Buffer.from(JSON.stringify(manifest));
  await client.putManifest(ref.digest ?? ref.tag ?? 'latest', bytes, manifest.mediaType);
  return sha256(bytes);
}
