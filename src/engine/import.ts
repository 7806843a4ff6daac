/** `tpod import`: a root filesystem tarball becomes a one-layer image. */
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { applyChange } from '../image/changes.js';
import { meter, sha256 } from '../image/digest.js';
import { type ImageConfig, MEDIA_TYPES, hostPlatform } from '../image/manifest.js';
import { fileCompression, unpackLayer } from '../image/unpack.js';
import { type ImageRecord, Store } from '../storage/store.js';
import { layerMediaType } from './push.js';

export interface ImportOptions {
  readonly changes: readonly string[];
  readonly message: string | undefined;
  /** Full name to give the image, if any. */
  readonly name: string | undefined;
}

export async function importImage(store: Store, source: Readable, options: ImportOptions): Promise<ImageRecord> {
  let config: ImageConfig['config'] = {};
  for (const change of options.changes) config = applyChange(config, change);
  store.cleanup();
  const staged = store.staging();
  try {
    const blob = join(staged, 'blob');
    const measured = meter();
    await pipeline(source, measured.stream, createWriteStream(blob, { mode: 0o600 }));
    const { digest: compressedDigest, size: compressedSize } = measured.result();
    mkdirSync(join(staged, 'diff'));
    const { diffId, size } = await unpackLayer(blob, join(staged, 'diff'), { layer: compressedDigest });
    const kept = `${staged}.blob`;
    renameSync(blob, kept);
    try {
      store.commitLayer(staged, kept, { diffId, size, compressedDigest, compressedSize });
    } finally {
      rmSync(kept, { force: true });
    }

    const created = new Date().toISOString();
    const platform = hostPlatform();
    const imageConfig: ImageConfig = {
      ...platform,
      created,
      config,
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created, created_by: 'tpod import', ...(options.message ? { comment: options.message } : {}) }],
    };
    const configBytes = Buffer.from(JSON.stringify(imageConfig));
    const id = sha256(configBytes).slice(7);
    // The layer may have been stored before, from another blob: the manifest names the one kept.
    const layer = store.layer(diffId);
    const gzip = fileCompression(store.blobPath(layer.compressedDigest)) === 'gzip';
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, digest: `sha256:${id}`, size: configBytes.length },
        layers: [{ mediaType: layerMediaType(false, gzip), digest: layer.compressedDigest, size: layer.compressedSize }],
      }),
    );
    return store.commitImage(
      {
        id,
        names: options.name ? [options.name] : [],
        digest: sha256(manifest),
        manifestMediaType: MEDIA_TYPES.ociManifest,
        layers: [diffId],
        size,
        created,
        stored: created,
      },
      configBytes,
      manifest,
    );
  } finally {
    rmSync(staged, { recursive: true, force: true });
  }
}
