/**
 * Running the real tpod as the user running the suite, each test file with
 * its own XDG directories so its pause process and storage are its own.
 */
import { type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { findProgram } from '../../src/sys/programs.js';

export const TPOD = fileURLToPath(new URL('../../native/tpod', import.meta.url));

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Why the integration suite cannot run here, or undefined when it can. */
export function whyNotRunnable(): string | undefined {
  if (process.getuid?.() === 0) return 'running as root: run `npm test` as root to have it create an unprivileged test user, or run it as such a user';
  const me = userInfo().username;
  const subuid = readOr('/etc/subuid', '');
  if (!subuid.split('\n').some((l) => l.startsWith(`${me}:`) || l.startsWith(`${process.getuid?.()}:`))) {
    return `user ${me} has no range in /etc/subuid: run \`npm test\` as root to set one up`;
  }
  return undefined;
}

export function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'tpod-test-'));
  readonly env: NodeJS.ProcessEnv;

  constructor(extra: NodeJS.ProcessEnv = {}) {
    for (const d of ['run', 'data', 'config']) spawnSync('mkdir', ['-m', '0700', join(this.dir, d)]);
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      XDG_RUNTIME_DIR: join(this.dir, 'run'),
      XDG_DATA_HOME: join(this.dir, 'data'),
      XDG_CONFIG_HOME: join(this.dir, 'config'),
      ...extra,
    };
  }

  get runtimeDir(): string {
    return join(this.env.XDG_RUNTIME_DIR!, 'tpod');
  }

  run(args: readonly string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Result {
    const r = spawnSync(TPOD, args, { env: { ...this.env, ...options.env }, input: options.input ?? '', encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
  }

  /** As run, without blocking this process: for tests that serve tpod from here (proxies). */
  async runAsync(args: readonly string[], options: { input?: string } = {}): Promise<Result> {
    const child = spawn(TPOD, args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdin.end(options.input ?? '');
    return runAsync(child);
  }

  start(args: readonly string[], options: SpawnOptions = {}) {
    return spawn(TPOD, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], ...options });
  }

  /** The pid recorded in pause.pid, if any. */
  pausePid(): number | undefined {
    const text = readOr(join(this.runtimeDir, 'pause.pid'), '');
    return text ? Number(text.split(' ')[0]) : undefined;
  }

  /** Ends the pause process and removes everything, files of subordinate owners included. */
  destroy(): void {
    this.run(['system', 'reset', '--force']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function runAsync(child: ReturnType<typeof spawn>): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((done) => child.on('close', (code, signal) => done({ code, signal, stdout, stderr })));
}

/** Our live (not zombie) processes named tpod-pause, with their user namespace. */
export function pauseProcesses(): { pid: number; userns: string }[] {
  const uid = process.getuid?.();
  const found: { pid: number; userns: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (!/^Name:\ttpod-pause$/m.test(status) || /^State:\tZ/m.test(status)) continue;
      if (!new RegExp(`^Uid:\\t${uid}\\t`, 'm').test(status)) continue;
      found.push({ pid: Number(entry), userns: readlinkSync(`/proc/${entry}/ns/user`) });
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found;
}

/** The kernel's map lines we expect: our id as 0, then each subordinate range from 1 on. */
export function expectedMap(file: string, id: number): string[] {
  const me = userInfo().username;
  const lines = [`0 ${id} 1`];
  let next = 1;
  for (const line of readOr(file, '').split('\n')) {
    const [owner, start, count] = line.split(':');
    if (owner !== me && owner !== String(id)) continue;
    lines.push(`${next} ${start} ${count}`);
    next += Number(count);
  }
  return lines;
}

export function mapLines(text: string): string[] {
  return text.trim().split('\n').map((l) => l.trim().split(/\s+/).join(' '));
}

/** The full ids of the images in BOX's store, as `tpod images -q --no-trunc` lists them. */
export function storedIds(box: Sandbox): string {
  const r = box.run(['images', '-q', '--no-trunc']);
  if (r.code !== 0) throw new Error(`tpod images failed: ${r.stderr}`);
  return r.stdout;
}

/** What a container would see: the image's layers mounted as tpod will, in tpod's namespace (kernel overlay with userxattr, or fuse-overlayfs). */
export function inImage(box: Sandbox, image: string, script: string, mounter: 'kernel' | 'fuse-overlayfs' = 'kernel') {
  const inspect = box.run(['image', 'inspect', '--format', '{{.GraphDriver.Data.LowerDirs}}', image]);
  expect(inspect.code, inspect.stderr).toBe(0);
  const lower = inspect.stdout.trim();
  return box.run([
    'unshare',
    'sh',
    '-c',
    // An upper layer as a container has: the kernel wants two lower layers without one.
    `d=$(mktemp -d) && mkdir $d/u $d/w $d/m && ${
      mounter === 'kernel'
        ? `mount -t overlay overlay -o "lowerdir=${lower},upperdir=$d/u,workdir=$d/w,userxattr" $d/m`
        : `fuse-overlayfs -o "lowerdir=${lower},upperdir=$d/u,workdir=$d/w" $d/m`
    } && cd $d/m && (${script}); s=$?; cd / && umount $d/m && rm -rf $d; exit $s`,
  ]);
}

/** Why fuse-overlayfs cannot mount here (keep-id's id shift needs it), or undefined. */
export function whyNoFuse(): string | undefined {
  if (!findProgram('fuse-overlayfs')) return 'fuse-overlayfs is not installed';
  try {
    accessSync('/dev/fuse', constants.R_OK | constants.W_OK);
    return undefined;
  } catch {
    return '/dev/fuse is not usable by this user (npm test as root makes it 0666)';
  }
}
