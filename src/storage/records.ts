/**
 * The JSON records the stores keep (image.json, container.json, volume.json,
 * the driver choice): written whole through a temporary file and a rename,
 * so a reader sees the old record or the new one, never half of one.
 */
import { readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { errnoCode } from '../errors.js';

export function writeRecord(path: string, value: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(value), { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** The record at PATH, or undefined when there is none. */
export function readRecord<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** FILE's record in each directory of DIR, skipping directories without one. */
export function listRecords<T>(dir: string, file: string): T[] {
  // readdir's names need no normalizing, and path.join's cost ps 1 ms for 100 containers.
  return readdirSync(dir).flatMap((entry) => readRecord<T>(`${dir}/${entry}/${file}`) ?? []);
}

/**
 * N random bytes, from Web Crypto: node:crypto's module costs every command
 * that merely loads the container store 3 ms, for ids only create makes.
 */
export function randomBytes(n: number): Buffer {
  return Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(n)));
}
