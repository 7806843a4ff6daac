/**
 * Listing containers with nothing to write: their records as they are, when
 * each one's state is still true. It imports neither the store nor the
 * start-up code, so that `tpod ps` (src/quick.ts) can answer from it alone;
 * listContainers in containers.ts recovers orphans, and needs both.
 */
import { isRunning } from '../rootless/process.js';
import { type ContainerRecord, containersDir } from '../storage/containers.js';
import type { Paths } from '../storage/paths.js';
import { listRecords } from '../storage/records.js';

/** A record that says running while what watches it (attached tpod, conmon) is gone. */
export const orphaned = (c: ContainerRecord): boolean => c.state === 'running' && (!c.monitor || !isRunning(c.monitor));

/** Newest first. ISO times sort as plain strings; localeCompare's collation cost ps 10 ms for 100 containers. */
export const newestFirst = (a: ContainerRecord, b: ContainerRecord): number => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0);

/**
 * Every container, newest first, read without the store's lock (records are
 * replaced by rename, so each is read whole); undefined when one is orphaned
 * and must be recovered first, or when there is no store yet to read.
 */
export function settledContainers(paths: Paths): ContainerRecord[] | undefined {
  let all: ContainerRecord[];
  try {
    all = listRecords<ContainerRecord>(containersDir(paths.storageDir), 'container.json');
  } catch {
    return undefined;
  }
  return all.some(orphaned) ? undefined : all.sort(newestFirst);
}
