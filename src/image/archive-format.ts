/**
 * The documents of the two archive formats `save` writes and `load` reads,
 * and how podman names what it loads from them. Pure.
 *
 *   docker-archive   manifest.json [{Config, RepoTags, Layers}], the configs and layer
 *                    tarballs at the paths it names (Docker's and podman's layouts differ)
 *   oci-archive      oci-layout, index.json, blobs/sha256/<hex> (an OCI image layout in a tar)
 */
import { TpodError } from '../errors.js';
import { type Descriptor, MEDIA_TYPES } from './manifest.js';
import { DOCKER_HUB, formatReference, parseReference, qualify, withDefaultTag } from './reference.js';

export type ArchiveFormat = 'docker-archive' | 'oci-archive';

export interface DockerArchiveItem {
  readonly Config: string;
  readonly RepoTags: readonly string[] | null;
  readonly Layers: readonly string[];
}

export const OCI_LAYOUT = { imageLayoutVersion: '1.0.0' };
export const REF_NAME = 'org.opencontainers.image.ref.name';
/** What buildkit and containerd name an image with; podman reads it first. */
const CONTAINERD_NAME = 'io.containerd.image.name';

export function parseJson<T>(bytes: Buffer, what: string): T {
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new TpodError(`invalid archive: ${what} is not valid JSON`);
  }
}

export function parseDockerManifest(bytes: Buffer): DockerArchiveItem[] {
  const items = parseJson<unknown>(bytes, 'manifest.json');
  const valid = (i: Partial<DockerArchiveItem>) =>
    typeof i.Config === 'string' && Array.isArray(i.Layers) && i.Layers.every((l) => typeof l === 'string') && (i.RepoTags == null || (Array.isArray(i.RepoTags) && i.RepoTags.every((t) => typeof t === 'string')));
  if (!Array.isArray(items) || items.length === 0 || !items.every(valid)) throw new TpodError('invalid archive: manifest.json does not list images as [{Config, RepoTags, Layers}]');
  return items as DockerArchiveItem[];
}

/** A RepoTags name as podman reads it: written by Docker, so a short name is on docker.io. */
export function dockerArchiveName(tag: string): string {
  return formatReference(withDefaultTag(qualify(parseReference(tag), DOCKER_HUB)));
}

/** The name an index.json entry gives its image, podman's way: a short one goes under localhost/. */
export function ociArchiveName(annotations: Record<string, string> | undefined): string | undefined {
  const name = annotations?.[CONTAINERD_NAME] || annotations?.[REF_NAME];
  return name ? formatReference(withDefaultTag(qualify(parseReference(name), 'localhost'))) : undefined;
}

/**
 * CONFIG with rootfs.diff_ids replaced by DIFF_IDS. Unchanged bytes when they
 * already match, so the image keeps its id whenever its layers come out as
 * they went in.
 */
export function withDiffIds(config: Buffer, diffIds: readonly string[]): Buffer {
  const doc = parseJson<{ rootfs?: { diff_ids?: string[] } }>(config, 'the image config');
  const old = doc.rootfs?.diff_ids ?? [];
  if (old.length === diffIds.length && old.every((d, i) => d === diffIds[i])) return config;
  return Buffer.from(JSON.stringify({ ...doc, rootfs: { type: 'layers', ...doc.rootfs, diff_ids: diffIds } }));
}

export function ociManifest(config: Descriptor, layers: readonly Descriptor[]): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config, layers }));
}

/** The Docker schema 2 manifest podman makes up for an image from a docker-archive, which has none. */
export function dockerManifest(config: Descriptor, layers: readonly Descriptor[]): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config, layers }));
}

export function ociIndex(manifest: Descriptor, name: string | undefined): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, ...(name ? { annotations: { [REF_NAME]: name } } : {}) }] }));
}
