/**
 * A container's root filesystem: its image's layers, read-only, under its
 * own upper layer, mounted at the bundle's rootfs/ in tpod's mount
 * namespace, with the driver `tpod info` reports.
 */
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { TpodError } from '../errors.js';
import { MNT_DETACH, SysError, mount, umount } from '../sys/libc.js';
import type { DriverName } from './driver.js';

export interface Layers {
  /** Lowest first, as an image lists them. */
  readonly lower: readonly string[];
  readonly upper: string;
  readonly work: string;
}

/** overlay's option string: lowerdir lists the topmost layer first. Pure. */
export function overlayOptions(layers: Layers, userxattr: boolean): string {
  const lower = [...layers.lower].reverse().join(':');
  return `lowerdir=${lower},upperdir=${layers.upper},workdir=${layers.work}${userxattr ? ',userxattr' : ''}`;
}

export function mountRootfs(driver: DriverName, layers: Layers, target: string): void {
  if (driver === 'vfs') throw new TpodError('neither the kernel overlay nor fuse-overlayfs works here, and copies (vfs) are not supported yet', { hint: 'install fuse-overlayfs; see tpod info' });
  if (driver === 'overlay') {
    try {
      mount('overlay', target, 'overlay', 0, overlayOptions(layers, true));
      return;
    } catch (err) {
      throw new TpodError(`cannot mount the container's root filesystem: ${err instanceof SysError ? err.message : String(err)}`);
    }
  }
  const r = spawnSync('fuse-overlayfs', ['-o', overlayOptions(layers, false), target], { encoding: 'utf8' });
  if (r.status !== 0) throw new TpodError(`fuse-overlayfs could not mount the container's root filesystem: ${r.stderr.trim().split('\n').pop()}`);
}

export function unmountRootfs(target: string): void {
  try {
    umount(target, MNT_DETACH);
  } catch (err) {
    // Not mounted (a run that failed before mounting) is fine.
    if (!(err instanceof SysError) || err.errno !== constants.errno.EINVAL) throw err;
  }
}
