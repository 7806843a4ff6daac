/**
 * `tpod logs`: a container's log as conmon writes it (podman's k8s-file
 * format, or the journal with --log-driver journald), read whole or followed
 * until the container ends.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';
import { TpodError } from '../errors.js';
import { Containers } from '../storage/containers.js';
import { findProgram } from '../sys/programs.js';
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

/** A journal entry as `journalctl -o json` prints it; MESSAGE is an array of bytes when it is not UTF-8. */
export interface JournalRecord {
  readonly MESSAGE?: string | number[] | null;
  readonly PRIORITY?: string;
  readonly CONTAINER_PARTIAL_MESSAGE?: string;
  readonly __REALTIME_TIMESTAMP?: string;
  readonly __CURSOR?: string;
}

/**
 * The log entry of what conmon sent the journal (ctr_logging.c: a line per
 * entry, PRIORITY 3 for standard error and 6 for standard output,
 * CONTAINER_PARTIAL_MESSAGE for a line cut short). conmon 2.1 keeps the
 * newline in MESSAGE, other versions do not. Pure.
 */
export function journalEntry(r: JournalRecord): LogEntry | undefined {
  if (r.MESSAGE === undefined || r.MESSAGE === null || !r.__REALTIME_TIMESTAMP) return undefined;
  const message = typeof r.MESSAGE === 'string' ? r.MESSAGE : Buffer.from(r.MESSAGE).toString('utf8');
  const micros = BigInt(r.__REALTIME_TIMESTAMP);
  const seconds = new Date(Number(micros / 1_000_000n) * 1000).toISOString().slice(0, 19);
  const time = `${seconds}.${String(micros % 1_000_000n).padStart(6, '0')}000+00:00`;
  const whole = r.CONTAINER_PARTIAL_MESSAGE !== 'true' && !message.endsWith('\n');
  return { time, stream: r.PRIORITY === '3' ? 'stderr' : 'stdout', text: whole ? `${message}\n` : message };
}

/**
 * What the journal has of container ID after the last call: journalctl
 * without --user, which inside tpod's user namespace would look for uid 0's
 * entries; the journal files the user may read are the ones it opens, as
 * podman's sd_journal_open does.
 */
function journalReader(id: string): () => LogEntry[] {
  const journalctl = findProgram('journalctl');
  if (!journalctl) throw new TpodError('journalctl is not installed: the journal cannot be read');
  let cursor: string | undefined;
  return () => {
    const r = spawnSync(journalctl, ['-o', 'json', '-q', '--no-pager', ...(cursor ? [`--after-cursor=${cursor}`] : []), `CONTAINER_ID_FULL=${id}`], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.error) throw new TpodError(`cannot run journalctl: ${r.error.message}`);
    const entries: LogEntry[] = [];
    for (const line of r.stdout.split('\n')) {
      if (!line) continue;
      const record = JSON.parse(line) as JournalRecord;
      cursor = record.__CURSOR ?? cursor;
      const entry = journalEntry(record);
      if (entry) entries.push(entry);
    }
    return entries;
  };
}

/**
 * Hands the log of NAMEORID to SHOW, entry by entry; with follow, goes on
 * until the container is no longer running and its log is read to the end.
 */
export async function showLogs(ctx: Context, nameOrId: string, options: LogOptions, show: (entry: LogEntry) => void): Promise<void> {
  const c = findContainer(ctx, nameOrId);
  const driver = configOf(c).logDriver;
  if (driver === 'none') throw new TpodError(`container ${c.name} keeps no log (--log-driver none)`);
  const containers = new Containers(ctx.store());
  if (driver === 'journald') return follow(journalReader(c.id));
  const path = containers.paths(c.id).log;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
  } catch {
    // A container that never ran detached has no log yet.
  }
  const buffer = Buffer.alloc(64 * 1024);
  let pending = '';
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
    await follow(readMore);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }

  /** Shows what READMORE gives, and with --follow what it gives next, until the container no longer runs. */
  async function follow(readMore: () => LogEntry[]): Promise<void> {
    for (let first = true; ; first = false) {
      // Read before looking at the state: what a container wrote before it ended is in the log by then.
      const running = options.follow && containers.get(c.id)?.state === 'running';
      const entries = readMore();
      // --tail and --since pick from what is there at the start; what comes later is all shown.
      for (const e of first ? selectEntries(entries, options) : selectEntries(entries, { ...options, tail: -1 })) show(e);
      if (!running) return;
      await sleep(100);
    }
  }
}
