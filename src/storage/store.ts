/**
 * The image store under $XDG_DATA_HOME/tpod:
 *
 *   layers/<hex of diff id>/diff/      a layer, extracted once, shared by every image that has it
 *   layers/<hex>/layer.json
 *   blobs/sha256/<hex>                 the compressed blob a layer came from, kept as it was
 *                                      sent, so push and save give back the same digests
 *   images/<hex of config digest>/     config.json, manifest.json, image.json (names, digest, layers)
 *   tmp/<pid>-<random>/                where pulls stage what they download and extract
 *   store.lock                         taken while anything is put in place or removed
 *
 * Everything is prepared under tmp/ and renamed into place under the lock,
 * so a pull killed at any moment leaves no half layer or image where readers
 * look; the next open removes what dead processes left in tmp/. Readers take
 * no lock: a rename is all or nothing.
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TpodError, errnoCode } from '../errors.js';
import { LOCK_EX, flock } from '../sys/libc.js';
import { listRecords, readRecord, writeRecord } from './records.js';

export interface ImageRecord {
  /** sha256 hex of the image config: the image id. */
  readonly id: string;
  /** Fully qualified names, registry/repository:tag. */
  readonly names: readonly string[];
  /** The manifest's digest, sha256:... */
  readonly digest: string;
  readonly manifestMediaType: string;
  /** Diff ids of the layers, lowest first. */
  readonly layers: readonly string[];
  /** Uncompressed bytes of all layers. */
  readonly size: number;
  readonly created: string;
  /** When this store got it. */
  readonly stored: string;
}

export interface LayerRecord {
  readonly diffId: string;
  /** Bytes of the uncompressed tarball. */
  readonly size: number;
  /** The blob it came from, kept in blobs/. */
  readonly compressedDigest: string;
  readonly compressedSize: number;
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

/** The stores whose lock this process holds now. */
const heldLocks = new Set<string>();

export class Store {
  readonly layersDir: string;
  readonly imagesDir: string;
  readonly blobsDir: string;
  readonly tmpDir: string;

  constructor(readonly root: string) {
    this.layersDir = join(root, 'layers');
    this.imagesDir = join(root, 'images');
    this.blobsDir = join(root, 'blobs/sha256');
    this.tmpDir = join(root, 'tmp');
    for (const dir of [root, this.layersDir, this.imagesDir, this.blobsDir, this.tmpDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Runs FN holding the store lock; the lock ends with the fd. */
  locked<T>(fn: () => T): T {
    // Reentrant: a second flock on a new descriptor of the same file would wait for ourselves.
    if (heldLocks.has(this.root)) return fn();
    const fd = openSync(join(this.root, 'store.lock'), 'a', 0o600);
    try {
      flock(fd, LOCK_EX);
      heldLocks.add(this.root);
      return fn();
    } finally {
      heldLocks.delete(this.root);
      closeSync(fd);
    }
  }

  /** A private staging directory, removed by cleanup() once this process is gone. */
  staging(): string {
    return mkdtempSync(join(this.tmpDir, `${process.pid}-`));
  }

  /** Removes what killed pulls left behind. */
  cleanup(): void {
    this.locked(() => {
      for (const entry of readdirSync(this.tmpDir)) {
        const pid = Number(entry.split('-')[0]);
        if (!Number.isInteger(pid) || !processAlive(pid)) rmSync(join(this.tmpDir, entry), { recursive: true, force: true });
      }
    });
  }

  layerDir(diffId: string): string {
    return join(this.layersDir, hex(diffId));
  }

  hasLayer(diffId: string): boolean {
    return existsSync(join(this.layerDir(diffId), 'layer.json'));
  }

  layer(diffId: string): LayerRecord {
    const record = readRecord<LayerRecord>(join(this.layerDir(diffId), 'layer.json'));
    if (!record) throw new TpodError(`layer ${diffId} is not in the store`);
    return record;
  }

  blobPath(digest: string): string {
    return join(this.blobsDir, hex(digest));
  }

  /**
   * Puts a layer extracted into STAGED/diff in place, with its record and the
   * blob it came from (BLOB, a verified file). When another pull put the same
   * layer there first, ours is dropped.
   */
  commitLayer(staged: string, blob: string, layer: LayerRecord): void {
    writeFileSync(join(staged, 'layer.json'), JSON.stringify(layer));
    this.locked(() => {
      if (this.hasLayer(layer.diffId)) return;
      // The blob first: a layer in place always has its blob.
      renameSync(blob, this.blobPath(layer.compressedDigest));
      rmSync(this.layerDir(layer.diffId), { recursive: true, force: true });
      renameSync(staged, this.layerDir(layer.diffId));
    });
    rmSync(staged, { recursive: true, force: true });
  }

  images(): ImageRecord[] {
    return listRecords<ImageRecord>(this.imagesDir, 'image.json');
  }

  image(id: string): ImageRecord | undefined {
    return readRecord<ImageRecord>(join(this.imagesDir, id, 'image.json'));
  }

  config(id: string): Buffer {
    return readFileSync(join(this.imagesDir, id, 'config.json'));
  }

  manifest(id: string): Buffer {
    return readFileSync(join(this.imagesDir, id, 'manifest.json'));
  }

  /** Names are unique: giving NAMES to one image takes them from any other. Call with the lock held. */
  private takeNames(names: readonly string[], except: string): void {
    for (const other of this.images()) {
      if (other.id === except || !other.names.some((n) => names.includes(n))) continue;
      writeRecord(join(this.imagesDir, other.id, 'image.json'), { ...other, names: other.names.filter((n) => !names.includes(n)) });
    }
  }

  /**
   * Stores an image whose layers are all in place; an image already there
   * gains the record's names.
   */
  commitImage(record: ImageRecord, config: Buffer, manifest: Buffer): ImageRecord {
    for (const layer of record.layers) {
      if (!this.hasLayer(layer)) throw new TpodError(`internal error: layer ${layer} of image ${record.id} is missing`);
    }
    const staged = this.staging();
    writeFileSync(join(staged, 'config.json'), config);
    writeFileSync(join(staged, 'manifest.json'), manifest);
    return this.locked(() => {
      this.takeNames(record.names, record.id);
      const existing = this.image(record.id);
      const merged = existing ? { ...existing, names: [...new Set([...record.names, ...existing.names])] } : record;
      if (existing) {
        rmSync(staged, { recursive: true, force: true });
        writeRecord(join(this.imagesDir, record.id, 'image.json'), merged);
      } else {
        writeFileSync(join(staged, 'image.json'), JSON.stringify(merged));
        rmSync(join(this.imagesDir, record.id), { recursive: true, force: true });
        renameSync(staged, join(this.imagesDir, record.id));
      }
      return merged;
    });
  }

  /** Replaces an image's names (tag, untag). */
  setNames(id: string, names: readonly string[]): ImageRecord {
    return this.locked(() => {
      const record = this.image(id);
      if (!record) throw new TpodError(`image ${id} was removed meanwhile`);
      this.takeNames(names, id);
      const updated = { ...record, names: [...new Set(names)] };
      writeRecord(join(this.imagesDir, id, 'image.json'), updated);
      return updated;
    });
  }

  /** Removes an image, and the layers no other image uses. Returns the layers removed. */
  removeImage(id: string): string[] {
    return this.locked(() => {
      const record = this.image(id);
      if (!record) return [];
      // Out of sight first (one rename), then deleted.
      const trash = this.staging();
      renameSync(join(this.imagesDir, id), join(trash, 'image'));
      const inUse = new Set(this.images().flatMap((i) => i.layers));
      const removed = [...new Set(record.layers.filter((l) => !inUse.has(l) && this.hasLayer(l)))];
      for (const layer of removed) {
        rmSync(this.blobPath(this.layer(layer).compressedDigest), { force: true });
        renameSync(this.layerDir(layer), join(trash, hex(layer)));
      }
      rmSync(trash, { recursive: true, force: true });
      return removed;
    });
  }
}
