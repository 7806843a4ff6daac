/**
 * A container's root filesystem: its image's layers, read-only, under its
 * own upper layer, mounted at the bundle's rootfs/ in tpod's mount
 * namespace, with the driver `tpod info` reports; or, when the container's
 * ids are shifted (--userns=keep-id), always with fuse-overlayfs, which
 * shifts them as it serves each file, so that nothing is copied or chowned.
 * The kernel cannot do that for us: overlayfs refuses idmapped mounts, and
 * the ext4 under the layers allows them only to the host's root.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants } from 'node:os';
import { TpodError } from '../errors.js';
import { MNT_DETACH, SysError, mount, umount } from '../sys/libc.js';
import { findProgram } from '../sys/programs.js';
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

/** Why fuse-overlayfs cannot shift ids here, or undefined when it can. */
function shiftProblem(): string | undefined {
  if (!findProgram('fuse-overlayfs')) return 'fuse-overlayfs is not installed (sudo apt-get install fuse-overlayfs)';
  try {
    accessSync('/dev/fuse', fsConstants.R_OK | fsConstants.W_OK);
    return undefined;
  } catch {
    return '/dev/fuse cannot be opened (sudo chmod 0666 /dev/fuse, as most distributions have it)';
  }
}

/** SHIFT: fuse-overlayfs's uidmapping=,gidmapping= options, for a container with its own user namespace. */
export function mountRootfs(driver: DriverName, layers: Layers, target: string, shift?: string): void {
  if (shift) {
    const problem = shiftProblem();
    if (problem) throw new TpodError(`--userns=keep-id shifts the image's ids with fuse-overlayfs, and ${problem}`);
    return fuseMount(layers, target, `,${shift}`);
  }
  if (driver === 'vfs') throw new TpodError('neither the kernel overlay nor fuse-overlayfs works here, and copies (vfs) are not supported yet', { hint: 'install fuse-overlayfs; see tpod info' });
  if (driver === 'fuse-overlayfs') return fuseMount(layers, target, '');
  try {
    mount('overlay', target, 'overlay', 0, overlayOptions(layers, true));
  } catch (err) {
    throw new TpodError(`cannot mount the container's root filesystem: ${err instanceof SysError ? err.message : String(err)}`);
  }
}

function fuseMount(layers: Layers, target: string, extra: string): void {
  const r = spawnSync('fuse-overlayfs', ['-o', overlayOptions(layers, false) + extra, target], { encoding: 'utf8' });
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
