/**
 * A container's network namespace kept as a file under the runtime directory,
 * and the helper process (pasta or slirp4netns) that serves it and outlives
 * the tpod that started it, found again through a pid file.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { TpodError, errnoCode } from '../errors.js';
import { log } from '../log.js';
import { MNT_DETACH, SysError, umount } from '../sys/libc.js';

/**
 * Makes a network namespace bound to NETNSPATH and runs COMMAND in it once.
 * Node cannot unshare (it has threads): a child makes the namespace and binds
 * it to the file, which keeps it alive after the child is gone.
 */
export function makeNetns(netnsPath: string, command: readonly string[] = ['true']): void {
  writeFileSync(netnsPath, '', { mode: 0o600 });
  const made = spawnSync('unshare', [`--net=${netnsPath}`, ...command], { encoding: 'utf8' });
  if (made.status !== 0) throw new TpodError(`cannot make a network namespace: ${(made.stderr || made.error?.message || '').trim()}`);
}

function removeNetns(netnsPath: string): void {
  try {
    umount(netnsPath, MNT_DETACH);
  } catch (err) {
    // Never mounted (unshare failed before binding it), or never made.
    if (!(err instanceof SysError) || (err.errno !== constants.errno.EINVAL && err.errno !== constants.errno.ENOENT)) throw err;
  }
  rmSync(netnsPath, { force: true });
}

/** Ends the helper PIDFILE names, if it still serves NETNSPATH (a pid can be reused). */
function stopHelper(pidFile: string, netnsPath: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  try {
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(netnsPath)) process.kill(pid, 'SIGTERM');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ESRCH') throw err;
  }
  rmSync(pidFile, { force: true });
}

/** Stops the helper, removes the namespace and the helper's other FILES; warns instead of throwing, for finally blocks. */
export function releaseNetns(netnsPath: string, pidFile: string, files: readonly string[] = []): void {
  try {
    stopHelper(pidFile, netnsPath);
    removeNetns(netnsPath);
    for (const file of files) rmSync(file, { force: true });
  } catch (err) {
    log.warn(`cannot remove the network namespace ${netnsPath}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
