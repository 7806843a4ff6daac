/** `system migrate` and `system reset`. */
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { log } from '../log.js';
import { endPause } from '../rootless/pause.js';
import type { Paths } from '../storage/paths.js';
import { mountsUnder } from '../storage/mounts.js';
import { MNT_DETACH, SysError, umount } from '../sys/libc.js';

export interface MigrateReport {
  /** The pause process that was ended, if one ran. */
  readonly endedPausePid: number | undefined;
}

export function migrate(paths: Paths): MigrateReport {
  const endedPausePid = endPause(paths.runtimeDir);
  log.debug(endedPausePid ? `ended pause process ${endedPausePid}` : 'no pause process was running');
  return { endedPausePid };
}

/** Everything reset removes, for the confirmation prompt. */
export function resetTargets(paths: Paths): string[] {
  return ['all containers', 'all images', 'all volumes', `the storage directory: "${paths.storageDir}"`, `the run directory: "${paths.runtimeDir}"`];
}

/**
 * Removes all of tpod's storage and state, then ends the pause process so the
 * next call starts from nothing. Mounts go first: removing files under a live
 * mount would reach into what it shows. A removed container's conmon may
 * have started its exit command already, a tpod that unmounts and writes
 * beside this one: a mount already gone is no error, and a directory that
 * something filled meanwhile is tried again.
 */
export function reset(paths: Paths): void {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const dir of [paths.storageDir, paths.runtimeDir]) {
    for (const target of mountsUnder(mountinfo, dir)) {
      try {
        umount(target, MNT_DETACH);
      } catch (err) {
        if (!(err instanceof SysError) || (err.errno !== constants.errno.EINVAL && err.errno !== constants.errno.ENOENT)) throw err;
      }
    }
  }
  const removal = { recursive: true, force: true, maxRetries: 10, retryDelay: 50 };
  rmSync(paths.storageDir, removal);
  // pause.lock stays: a launcher may be waiting on it right now.
  for (const entry of readdirSync(paths.runtimeDir)) {
    if (entry !== 'pause.lock' && entry !== 'pause.pid') rmSync(join(paths.runtimeDir, entry), removal);
  }
  migrate(paths);
}
