/** A process named for good: its pid and start time, since a pid is reused. */
import { readFileSync } from 'node:fs';
import { parseStat } from './proc.js';

export interface ProcessIdentity {
  readonly pid: number;
  /** Clock ticks since boot, from /proc/PID/stat. */
  readonly startTime: number;
}

/** PID's identity, while it runs. */
export function identityOf(pid: number): ProcessIdentity {
  const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return { pid, startTime: stat?.startTime ?? 0 };
}

/** This process's identity. */
export function ownIdentity(): ProcessIdentity {
  return identityOf(process.pid);
}

/** True while the process runs (not a zombie) and its pid was not reused. */
export function isRunning(rec: ProcessIdentity): boolean {
  try {
    const stat = parseStat(readFileSync(`/proc/${rec.pid}/stat`, 'utf8'));
    return stat !== undefined && stat.startTime === rec.startTime && stat.state !== 'Z' && stat.state !== 'X';
  } catch {
    return false;
  }
}
