/**
 * `tpod logs`: a container's log as conmon writes it (podman's k8s-file
 * format), read whole or followed until the container ends.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { TpodError } from '../errors.js';
import { Containers } from '../storage/containers.js';
import type { Context } from './context.js';
import { findContainer } from './containers.js';
import { configOf } from './start.js';

export interface LogEntry {
  /** RFC 3339 with nanoseconds, as conmon wrote it. */
  readonly time: string;
  readonly stream: 'stdout' | 'stderr';
  /** The text, with its newline unless the line was partial (conmon's P). */
  readonly text: string;
}

/** Whole lines of k8s-file text; what follows the last newline is left for later. Pure. */
export function parseLogLines(text: string): { entries: LogEntry[]; rest: string } {
  const end = text.lastIndexOf('\n');
  const entries: LogEntry[] = [];
  for (const line of text.slice(0, end + 1).split('\n')) {
    const m = /^(\S+) (stdout|stderr) ([FP]) (.*)$/s.exec(line);
    if (m) entries.push({ time: m[1]!, stream: m[2] as 'stdout' | 'stderr', text: m[3] === 'F' ? `${m[4]}\n` : m[4]! });
  }
  return { entries, rest: text.slice(end + 1) };
}

/** Go-style durations (1h30m, 10m, 5s, 250ms) before NOW, RFC 3339 times, or Unix seconds; in ms since the epoch. Pure. */
export function parseLogTime(text: string, now: number): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  if (/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) {
    let total = 0;
    for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(n) * units[unit!]!;
    return now - total;
  }
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) throw new TpodError(`"${text}" is not a time: give a duration such as 10m, an RFC 3339 time or Unix seconds`);
  return at;
}

export interface LogOptions {
  readonly follow: boolean;
  /** Only the last N lines (-1: all). */
  readonly tail: number;
  readonly since?: number;
  readonly until?: number;
}

/** Which entries to show: the time window, then the last TAIL of them. Pure. */
export function selectEntries(entries: readonly LogEntry[], options: Pick<LogOptions, 'tail' | 'since' | 'until'>): LogEntry[] {
  const inWindow = entries.filter((e) => {
    const at = Date.parse(e.time);
    return (options.since === undefined || at >= options.since) && (options.until === undefined || at <= options.until);
  });
  return options.tail >= 0 ? inWindow.slice(Math.max(0, inWindow.length - options.tail)) : inWindow;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * Hands the log of NAMEORID to SHOW, entry by entry; with follow, goes on
 * until the container is no longer running and its log is read to the end.
 */
export async function showLogs(ctx: Context, nameOrId: string, options: LogOptions, show: (entry: LogEntry) => void): Promise<void> {
  const c = findContainer(ctx, nameOrId);
  const driver = configOf(c).logDriver;
  if (driver === 'journald') throw new TpodError(`container ${c.name} logs to the journal: journalctl --user CONTAINER_NAME=${c.name}`);
  if (driver === 'none') throw new TpodError(`container ${c.name} keeps no log (--log-driver none)`);
  const containers = new Containers(ctx.store());
  const path = containers.paths(c.id).log;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
  } catch {
    // A container that never ran detached has no log yet.
  }
  const buffer = Buffer.alloc(64 * 1024);
  let pending = '';
  let first = true;
  const readMore = (): LogEntry[] => {
    if (fd === undefined) {
      try {
        fd = openSync(path, 'r');
      } catch {
        return [];
      }
    }
    let chunk = '';
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) chunk += buffer.toString('utf8', 0, n);
    const { entries, rest } = parseLogLines(pending + chunk);
    pending = rest;
    return entries;
  };
  try {
    for (;;) {
      // Read before looking at the state: what a container wrote before it ended is in the log by then.
      const running = options.follow && containers.get(c.id)?.state === 'running';
      const entries = readMore();
      // --tail and --since pick from what is there at the start; what comes later is all shown.
      for (const e of first ? selectEntries(entries, options) : selectEntries(entries, { ...options, tail: -1 })) show(e);
      first = false;
      if (!running) return;
      await sleep(100);
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
