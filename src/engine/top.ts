/**
 * `tpod top`: the processes of a container as podman's ps library (psgo)
 * shows them: pids as the container sees them, users by the container's
 * passwd, times as Go prints durations. The processes are those in the pid
 * namespace of the container's first process, read from /proc (tpod runs
 * as root in the user namespace that owns them). Only the reading is impure.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { TpodError } from '../errors.js';

/** One process, in the container's terms where they differ from ours. */
export interface ContainerProcess {
  /** In the container's pid namespace; PPID 0 for a parent outside it. */
  readonly pid: number;
  readonly ppid: number;
  /** Effective uid, in the container's user namespace. */
  readonly uid: number;
  readonly comm: string;
  readonly args: readonly string[];
  /** /proc/PID/stat's tty_nr. */
  readonly ttyNr: number;
  /** When it started, in Unix seconds, and the CPU (user and system) it used: whole seconds, as psgo counts them. */
  readonly started: number;
  readonly cpu: number;
}

/** Go's time.Duration.String() for SECONDS: "1.5s", "2m3.25s", "1h0m0s", "150ms", "0s". */
export function goDuration(seconds: number): string {
  const ns = Math.round(seconds * 1e9);
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  const abs = Math.abs(ns);
  const trim = (n: number, digits: number) => {
    const text = (n / 10 ** digits).toFixed(digits);
    return digits === 0 ? text : text.replace(/\.?0+$/, '');
  };
  if (abs < 1e3) return `${sign}${abs}ns`;
  if (abs < 1e6) return `${sign}${trim(abs, 3)}µs`;
  if (abs < 1e9) return `${sign}${trim(abs, 6)}ms`;
  const hours = Math.floor(abs / 3.6e12);
  const minutes = Math.floor((abs % 3.6e12) / 6e10);
  const secs = trim(abs % 6e10, 9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${secs}s`;
  if (minutes > 0) return `${sign}${minutes}m${secs}s`;
  return `${sign}${secs}s`;
}

/** A controlling terminal by its tty_nr: pts/N, ttyN, ttySN, or ? for none. */
export function ttyName(ttyNr: number): string {
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return minor < 64 ? `tty${minor}` : `ttyS${minor - 64}`;
  return '?';
}

/** /etc/passwd's names by uid. */
function userNames(passwd: string | undefined): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of (passwd ?? '').split('\n')) {
    const [name, , uid] = line.split(':');
    if (name && uid && /^\d+$/.test(uid) && !names.has(Number(uid))) names.set(Number(uid), name);
  }
  return names;
}

interface Descriptor {
  readonly header: string;
  /** ELAPSED: seconds since P started. */
  readonly cell: (p: ContainerProcess, users: Map<number, string>, elapsed: number) => string;
}

/** psgo's descriptors that tpod shows, with its headers. */
const DESCRIPTORS: Readonly<Record<string, Descriptor>> = {
  user: { header: 'USER', cell: (p, users) => users.get(p.uid) ?? String(p.uid) },
  pid: { header: 'PID', cell: (p) => String(p.pid) },
  ppid: { header: 'PPID', cell: (p) => String(p.ppid) },
  pcpu: { header: '%CPU', cell: (p, _, elapsed) => (elapsed > 0 ? (100 * p.cpu) / elapsed : 0).toFixed(3) },
  etime: { header: 'ELAPSED', cell: (_, __, elapsed) => goDuration(elapsed) },
  tty: { header: 'TTY', cell: (p) => ttyName(p.ttyNr) },
  time: { header: 'TIME', cell: (p) => goDuration(p.cpu) },
  // A process without a command line (a zombie) shows its name, in brackets as ps does.
  args: { header: 'COMMAND', cell: (p) => (p.args.length ? p.args.join(' ') : `[${p.comm}]`) },
  comm: { header: 'COMMAND', cell: (p) => p.comm },
};

/** podman top's columns when none are asked for. */
export const DEFAULT_DESCRIPTORS: readonly string[] = ['user', 'pid', 'ppid', 'pcpu', 'etime', 'tty', 'time', 'args'];

/** The descriptors as given: words, or comma-separated lists ("pid,comm args"). */
export function parseDescriptors(words: readonly string[]): string[] {
  const all = words.flatMap((w) => w.split(',')).map((d) => d.trim()).filter(Boolean);
  for (const d of all) {
    if (!(d in DESCRIPTORS)) throw new TpodError(`unknown descriptor: ${d}`, { hint: `tpod top knows ${Object.keys(DESCRIPTORS).join(', ')}` });
  }
  return all.length ? all : [...DEFAULT_DESCRIPTORS];
}

/** The header and one row per process, ordered by pid; NOWMS in Unix milliseconds. */
export function topTable(processes: readonly ContainerProcess[], descriptors: readonly string[], passwd: string | undefined, nowMs: number): { header: string[]; rows: string[][] } {
  const users = userNames(passwd);
  const columns = descriptors.map((d) => DESCRIPTORS[d]!);
  const sorted = [...processes].sort((a, b) => a.pid - b.pid);
  return { header: columns.map((c) => c.header), rows: sorted.map((p) => columns.map((c) => c.cell(p, users, Math.max(0, nowMs - p.started * 1000) / 1000))) };
}

/** The fields of /proc/PID/stat after comm, which may hold spaces and parentheses. */
function statFields(text: string): { comm: string; fields: string[] } {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  return { comm: text.slice(open + 1, close), fields: text.slice(close + 2).split(' ') };
}

/** A status line's numbers: "NSpid:\t1234\t1" gives [1234, 1]. */
function statusNumbers(status: string, key: string): number[] {
  const line = status.split('\n').find((l) => l.startsWith(`${key}:`));
  return line ? line.slice(key.length + 1).trim().split(/\s+/).map(Number) : [];
}

/**
 * ID as the process's user namespace sees it, by that namespace's uid_map as
 * we read it (the middle column is in our namespace then). MAP undefined:
 * the process is in our own namespace, where ids are as they are.
 */
export function idInside(id: number, map: string | undefined): number {
  if (map === undefined) return id;
  for (const line of map.split('\n')) {
    const [inside, outside, size] = line.trim().split(/\s+/).map(Number);
    if (inside !== undefined && outside !== undefined && size !== undefined && id >= outside && id < outside + size) return inside + id - outside;
  }
  // Unmapped ids are the overflow id inside.
  return 65534;
}

/** USER_HZ, the unit of /proc's times: 100 on every architecture Linux has today. */
const CLOCK_TICKS = 100;

interface RawProcess {
  readonly hostPid: number;
  readonly hostPpid: number;
  readonly process: Omit<ContainerProcess, 'ppid'>;
}

function readProcess(pid: number, bootTime: number, ownUserNs: string): RawProcess {
  const { comm, fields } = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  if (args.at(-1) === '') args.pop();
  const sameUserNs = readlinkSync(`/proc/${pid}/ns/user`) === ownUserNs;
  const uid = idInside(statusNumbers(status, 'Uid')[1] ?? 0, sameUserNs ? undefined : readFileSync(`/proc/${pid}/uid_map`, 'utf8'));
  // stat's fields from state on: ppid is the 2nd, tty_nr the 5th, utime and stime the 12th and 13th, starttime the 20th.
  const [ppid, ttyNr, utime, stime, start] = [1, 4, 11, 12, 19].map((i) => Number(fields[i]));
  // NSpid's last number is the pid in the innermost namespace: the container's.
  const nsPid = statusNumbers(status, 'NSpid').at(-1) ?? pid;
  return {
    hostPid: pid,
    hostPpid: ppid!,
    // Whole seconds, as psgo has them: its TIME is 0s for a process that used less than one.
    process: { pid: nsPid, uid, comm, args, ttyNr: ttyNr!, started: bootTime + Math.floor(start! / CLOCK_TICKS), cpu: Math.floor((utime! + stime!) / CLOCK_TICKS) },
  };
}

/** The processes in the pid namespace of process PID1 (the container's first). */
export function containerProcesses(pid1: number): ContainerProcess[] {
  let pidNs: string;
  try {
    pidNs = readlinkSync(`/proc/${pid1}/ns/pid`);
  } catch {
    throw new TpodError(`the container's process (pid ${pid1}) is gone`);
  }
  const ownUserNs = readlinkSync('/proc/self/ns/user');
  const bootTime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
  const raw = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        // Another user's processes, and one that ended meanwhile, cannot be read: not the container's.
        return readlinkSync(`/proc/${name}/ns/pid`) === pidNs ? [readProcess(Number(name), bootTime, ownUserNs)] : [];
      } catch {
        return [];
      }
    });
  const inside = new Map(raw.map((r) => [r.hostPid, r.process.pid]));
  return raw.map((r) => ({ ...r.process, ppid: inside.get(r.hostPpid) ?? 0 }));
}
