/**
 * The libc calls Node lacks, and the only module that imports koffi. Loaded on
 * first use, so commands that need none of them do not pay for it.
 */
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';

export class SysError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly path?: string,
  ) {
    super(`${syscall}${path ? ` ${path}` : ''}: ${errnoName(errno)}`);
    this.name = 'SysError';
  }
}

function errnoName(errno: number): string {
  const entry = Object.entries(osConstants.errno).find(([, v]) => v === errno);
  return entry ? entry[0] : `errno ${errno}`;
}

type Koffi = typeof import('koffi');
interface Libc {
  koffi: Koffi;
  mount: (source: string, target: string, fstype: string, flags: number, data: string | null) => number;
  umount2: (target: string, flags: number) => number;
  execve: (path: string, argv: (string | null)[], envp: (string | null)[]) => number;
  flock: (fd: number, op: number) => number;
  fcntl: (fd: number, cmd: number, ...rest: unknown[]) => number;
  mknod: (path: string, mode: number, dev: number) => number;
  lsetxattr: (path: string, name: string, value: Buffer, size: number, flags: number) => number;
  signal: (signum: number, handler: null) => unknown;
  lgetxattr: (path: string, name: string, value: Buffer | null, size: number) => number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc) return libc;
  const koffi = createRequire(import.meta.url)('koffi') as Koffi;
  const lib = koffi.load('libc.so.6');
  libc = {
    koffi,
    mount: lib.func('int mount(const char *, const char *, const char *, unsigned long, const char *)'),
    umount2: lib.func('int umount2(const char *, int)'),
    execve: lib.func('int execve(const char *, const char **, const char **)'),
    flock: lib.func('int flock(int, int)'),
    fcntl: lib.func('int fcntl(int, int, ...)'),
    mknod: lib.func('int mknod(const char *, unsigned int, unsigned long)'),
    lsetxattr: lib.func('int lsetxattr(const char *, const char *, const void *, size_t, int)'),
    signal: lib.func('void *signal(int, void *)'),
    // ssize_t, which koffi does not name: long on Linux.
    lgetxattr: lib.func('long lgetxattr(const char *, const char *, void *, size_t)'),
  };
  return libc;
}

function check(ret: number, syscall: string, path?: string): void {
  if (ret < 0) throw new SysError(syscall, load().koffi.errno(), path);
}

const SIGPIPE = 13;
const SIGXFSZ = 25;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;

export const MNT_DETACH = 2;
export const LOCK_EX = 2;

export function mount(source: string, target: string, fstype: string, flags: number, data: string | null): void {
  check(load().mount(source, target, fstype, flags, data), 'mount', target);
}

export function umount(target: string, flags = 0): void {
  check(load().umount2(target, flags), 'umount', target);
}

export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

/** Creates a device node or FIFO; dev packs major and minor as the kernel's makedev does for small numbers. */
export function mknod(path: string, mode: number, dev = 0): void {
  check(load().mknod(path, mode, dev), 'mknod', path);
}

export function lsetxattr(path: string, name: string, value: string): void {
  const buf = Buffer.from(value);
  check(load().lsetxattr(path, name, buf, buf.length, 0), 'setxattr', path);
}

/** The value of extended attribute NAME of PATH itself (a symlink is not followed), or undefined when it has none. */
export function lgetxattr(path: string, name: string): string | undefined {
  const { lgetxattr: get, koffi } = load();
  // Asked with no buffer, the call returns the value's size.
  const size = get(path, name, null, 0);
  if (size < 0 && koffi.errno() === osConstants.errno.ENODATA) return undefined;
  check(size, 'getxattr', path);
  const buf = Buffer.alloc(size);
  const got = get(path, name, buf, size);
  check(got, 'getxattr', path);
  return buf.subarray(0, got).toString();
}

/** Blocks until the lock is ours; it is released when fd is closed. */
export function flock(fd: number, op: number): void {
  check(load().flock(fd, op), 'flock');
}

/**
 * Replaces this process with another program, as a shell's exec does: the
 * program gets our pid, stdio, terminal and signals, and our exit status is
 * its own. Returns only by throwing.
 */
export function exec(path: string, argv: readonly string[], env: NodeJS.ProcessEnv): never {
  // libuv may have marked stdio close-on-exec and non-blocking; the program
  // needs them open, and most programs fail on EAGAIN.
  const { fcntl, signal } = load();
  // Node ignores SIGPIPE and SIGXFSZ, and an ignored signal stays ignored across
  // execve: give the program the defaults back, so `tpod unshare yes | head` ends.
  for (const signum of [SIGPIPE, SIGXFSZ]) signal(signum, null);
  for (const fd of [0, 1, 2]) {
    fcntl(fd, F_SETFD, 'int', 0);
    const flags = fcntl(fd, F_GETFL);
    if (flags >= 0 && flags & O_NONBLOCK) fcntl(fd, F_SETFL, 'int', flags & ~O_NONBLOCK);
  }
  const envp = Object.entries(env)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  load().execve(path, [...argv, null], [...envp, null]);
  throw new SysError('execve', load().koffi.errno(), path);
}
