/**
 * How container root filesystems will be mounted: the kernel's overlay inside
 * our user namespace when it allows it (Linux >= 5.11, with userxattr), else
 * fuse-overlayfs, else plain copies. Decided once per kernel by a real test
 * mount, as podman does, and remembered in the storage directory.
 */
import { accessSync, constants, lstatSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { findProgram } from '../sys/programs.js';
import { MNT_DETACH, SysError, mount, umount } from '../sys/libc.js';
import { readRecord, writeRecord } from './records.js';

export type DriverName = 'overlay' | 'fuse-overlayfs' | 'vfs';

export interface DriverChoice {
  readonly driver: DriverName;
  readonly reason: string;
  readonly kernel: string;
}

/**
 * Mounts a two-layer overlay with userxattr and deletes a lower file through
 * it: that needs the whiteout (a 0/0 character device in upper) that image
 * layers rely on. Returns undefined when it all works, else why not.
 */
export function probeKernelOverlay(scratch: string): string | undefined {
  const dir = mkdtempSync(join(scratch, 'overlay-probe-'));
  const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => join(dir, d)) as [string, string, string, string];
  for (const d of [lower, upper, work, merged]) mkdirSync(d);
  writeFileSync(join(lower, 'file'), '');
  try {
    mount('overlay', merged, 'overlay', 0, `lowerdir=${lower},upperdir=${upper},workdir=${work},userxattr`);
    try {
      unlinkSync(join(merged, 'file'));
    } finally {
      umount(merged, MNT_DETACH);
    }
    const whiteout = lstatSync(join(upper, 'file'));
    if (!whiteout.isCharacterDevice() || whiteout.rdev !== 0) return 'the kernel overlay does not make whiteouts as character devices 0/0';
    return undefined;
  } catch (err) {
    return err instanceof SysError ? `the kernel refused an overlay mount in the user namespace (${err.message})` : String(err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fuseUsable(): string | undefined {
  if (!findProgram('fuse-overlayfs')) return 'fuse-overlayfs is not installed (sudo apt-get install fuse-overlayfs)';
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
  } catch {
    return '/dev/fuse cannot be opened (sudo chmod 0666 /dev/fuse)';
  }
  return undefined;
}

export function chooseDriver(storageDir: string): DriverChoice {
  const kernel = release();
  const cache = join(storageDir, 'driver.json');
  const cached = readRecord<DriverChoice>(cache);
  if (cached?.kernel === kernel) return cached;
  mkdirSync(storageDir, { recursive: true, mode: 0o700 });
  const overlayProblem = probeKernelOverlay(storageDir);
  const fuseProblem = overlayProblem ? fuseUsable() : undefined;
  const choice: DriverChoice = !overlayProblem
    ? { driver: 'overlay', reason: 'the kernel overlay works in the user namespace (userxattr)', kernel }
    : !fuseProblem
      ? { driver: 'fuse-overlayfs', reason: `${overlayProblem}; using fuse-overlayfs`, kernel }
      : { driver: 'vfs', reason: `${overlayProblem}, and ${fuseProblem}: every container gets a full copy of its image`, kernel };
  writeRecord(cache, choice);
  return choice;
}
