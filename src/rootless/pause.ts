/**
 * The pause process from Node's side: only to end it (`system migrate`). The
 * launcher starts and joins it; both agree on pause.pid ("PID STARTTIME") and
 * take pause.lock while they change it.
 */
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOCK_EX, flock } from '../sys/libc.js';
import { type ProcessIdentity, isRunning } from './process.js';

export type PauseRecord = ProcessIdentity;

export function parsePauseRecord(text: string): PauseRecord | undefined {
  const [pid, startTime] = text.trim().split(/\s+/).map(Number);
  return pid && startTime && pid > 1 && Number.isInteger(pid) && Number.isInteger(startTime) ? { pid, startTime } : undefined;
}

/** Ends the pause process, if one runs; returns its pid. The next tpod call builds the namespace afresh. */
export function endPause(runtimeDir: string): number | undefined {
  const lock = openSync(join(runtimeDir, 'pause.lock'), 'a', 0o600);
  try {
    flock(lock, LOCK_EX);
    const file = join(runtimeDir, 'pause.pid');
    let rec: PauseRecord | undefined;
    try {
      rec = parsePauseRecord(readFileSync(file, 'utf8'));
    } catch {
      return undefined;
    }
    rmSync(file, { force: true });
    if (!rec || !isRunning(rec)) return undefined;
    process.kill(rec.pid, 'SIGKILL');
    return rec.pid;
  } finally {
    closeSync(lock);
  }
}
