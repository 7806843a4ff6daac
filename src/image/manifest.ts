/**
 * Manifests, indexes and image configs as registries serve them (OCI and
 * Docker schema 2), and picking this host's image from an index. Pure.
 */
import { arch } from 'node:process';
import { TpodError } from '../errors.js';
import type { ImageHealthcheck } from '../spec/healthcheck.js';

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** What tpod asks a registry for, most wanted first. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
  readonly annotations?: Record<string, string>;
}

export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Record<string, string>;
}

export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly manifests: readonly Descriptor[];
}

/** The image config (OCI image-spec config.json); Docker's has the same fields. */
export interface ImageConfig {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly created?: string;
  readonly author?: string;
  readonly config?: {
    readonly User?: string;
    readonly Env?: readonly string[];
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly WorkingDir?: string;
    readonly Labels?: Record<string, string> | null;
    readonly ExposedPorts?: Record<string, object> | null;
    readonly Volumes?: Record<string, object> | null;
    readonly StopSignal?: string;
    /** Docker's: podman and tpod run it (spec/healthcheck.ts); OCI's spec has no such field. */
    readonly Healthcheck?: ImageHealthcheck | null;
  };
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly string[] };
  readonly history?: readonly { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[];
}

export type Parsed = { kind: 'index'; index: ImageIndex } | { kind: 'manifest'; manifest: ImageManifest };

const LAYER_TYPES = new Set([
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  // Not in Docker's spec, but containers/image writes and reads it.
  'application/vnd.docker.image.rootfs.diff.tar',
]);

function fail(what: string, message: string): never {
  throw new TpodError(`${what}: ${message}`);
}

/** Reads a manifest or index; the media type comes from the document, else from the Content-Type. */
export function parseManifest(bytes: Buffer, contentType: string | undefined, what: string): Parsed {
  let doc: { schemaVersion?: number; mediaType?: string; manifests?: unknown; config?: unknown; layers?: unknown };
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return fail(what, 'the registry sent a manifest that is not JSON');
  }
  const type = doc.mediaType ?? contentType?.split(';')[0]?.trim() ?? '';
  if (doc.schemaVersion === 1 || type.startsWith('application/vnd.docker.distribution.manifest.v1')) {
    return fail(what, 'Docker schema 1 manifests are not supported (re-push the image with a current docker or podman)');
  }
  if (doc.schemaVersion !== 2) return fail(what, `unsupported manifest (schemaVersion ${doc.schemaVersion}, media type ${type || 'none'})`);
  if (Array.isArray(doc.manifests)) return { kind: 'index', index: doc as ImageIndex };
  if (doc.config && Array.isArray(doc.layers)) {
    const manifest = doc as ImageManifest;
    for (const layer of manifest.layers) {
      if (layer.mediaType.endsWith('+zstd')) fail(what, `layer ${layer.digest} is compressed with zstd, which tpod cannot read yet`);
      if (!LAYER_TYPES.has(layer.mediaType)) fail(what, `layer ${layer.digest} has media type ${layer.mediaType}, which tpod cannot read`);
    }
    return { kind: 'manifest', manifest };
  }
  return fail(what, `unsupported manifest media type ${type || '(none)'}`);
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostPlatform(): Platform {
  const architecture = GO_ARCH[arch] ?? arch;
  return architecture === 'arm64' ? { os: 'linux', architecture, variant: 'v8' } : { os: 'linux', architecture };
}

/** "linux/arm64/v8" as --platform takes it. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw new TpodError(`invalid platform "${text}": expected OS/ARCH[/VARIANT], such as linux/amd64`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** The index entry for PLATFORM: its variant if listed, else one without a variant, else any of that architecture. */
export function selectManifest(index: ImageIndex, want: Platform, what: string): Descriptor {
  const candidates = index.manifests.filter((m) => m.platform?.os === want.os && m.platform.architecture === want.architecture);
  const exact = candidates.find((m) => (m.platform?.variant ?? '') === (want.variant ?? ''));
  const chosen = exact ?? candidates.find((m) => !m.platform?.variant) ?? candidates[0];
  if (chosen) return chosen;
  const offered = index.manifests.map((m) => (m.platform ? formatPlatform(m.platform) : 'unknown')).join(', ');
  return fail(what, `no image for ${formatPlatform(want)} (the registry has ${offered || 'none'})`);
}
