/**
 * The libc calls Node lacks, and the only module that imports koffi. Loaded on
 * first use, so commands that need none of them do not pay for it.
 */
import { closeSync } from 'node:fs';
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
  prctl: (option: number, arg2: number, arg3: number, arg4: number, arg5: number) => number;
  waitpid: (pid: number, status: number[], options: number) => number;
  ioctl: (fd: number, request: number, ...rest: unknown[]) => number;
  socket: (domain: number, type: number, protocol: number) => number;
  bind: (fd: number, addr: Buffer, len: number) => number;
  connect: (fd: number, addr: Buffer, len: number) => number;
  shutdown: (fd: number, how: number) => number;
  listen: (fd: number, backlog: number) => number;
  accept4: (fd: number, addr: null, len: null, flags: number) => number;
  recvmsg: (fd: number, msg: MsgHdr, flags: number) => number;
  sendto: (fd: number, data: Buffer, len: number, flags: number, addr: Buffer, addrlen: number) => number;
}

interface MsgHdr {
  name: null;
  namelen: number;
  iov: { base: Buffer; len: number }[];
  iovlen: number;
  control: Buffer;
  controllen: number;
  flags: number;
}

let libc: Libc | undefined;

/**
 * koffi's own entry point requires https, zlib and crypto for its build
 * tools before it loads its native addon: 9 ms of every run, against 2 ms
 * for the addon alone, which has all we use. Its entry point stays the
 * fallback, for platforms whose addon lies elsewhere.
 */
function requireKoffi(): Koffi {
  const require = createRequire(import.meta.url);
  try {
    return require(`koffi/build/koffi/${process.platform}_${process.arch}/koffi.node`) as Koffi;
  } catch {
    return require('koffi') as Koffi;
  }
}

function load(): Libc {
  if (libc) return libc;
  const koffi = requireKoffi();
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
    prctl: lib.func('int prctl(int, unsigned long, unsigned long, unsigned long, unsigned long)'),
    waitpid: lib.func('int waitpid(int, _Out_ int *, int)'),
    ioctl: lib.func('int ioctl(int, unsigned long, ...)'),
    socket: lib.func('int socket(int, int, int)'),
    bind: lib.func('int bind(int, const void *, uint32_t)'),
    connect: lib.func('int connect(int, const void *, uint32_t)'),
    shutdown: lib.func('int shutdown(int, int)'),
    listen: lib.func('int listen(int, int)'),
    accept4: lib.func('int accept4(int, void *, void *, int)'),
    recvmsg: lib.func(`long recvmsg(int, _Inout_ ${msgHdrType(koffi)} *, int)`),
    sendto: lib.func('long sendto(int, const void *, size_t, int, const void *, uint32_t)'),
  };
  return libc;
}

/** struct msghdr, with its struct iovec, as x86-64 and arm64 Linux lay them out. */
function msgHdrType(koffi: Koffi): string {
  const iovec = koffi.struct('tpod_iovec', { base: 'void *', len: 'size_t' });
  koffi.struct('tpod_msghdr', {
    name: 'void *',
    namelen: 'uint32_t',
    iov: koffi.pointer(iovec),
    iovlen: 'size_t',
    control: 'void *',
    controllen: 'size_t',
    flags: 'int',
  });
  return 'tpod_msghdr';
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
const O_CLOEXEC = 0o2000000;
const SOCK_NONBLOCK = O_NONBLOCK;
const PR_SET_CHILD_SUBREAPER = 36;
const WNOHANG = 1;
// The terminal ioctls of x86-64 and arm64 (others number them differently).
const TIOCGWINSZ = 0x5413;
const TIOCSWINSZ = 0x5414;
const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_SEQPACKET = 5;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_CMSG_CLOEXEC = 0x40000000;
const SUN_PATH_MAX = 108;

export const MNT_DETACH = 2;
export const LOCK_SH = 1;
export const LOCK_EX = 2;
export const LOCK_NB = 4;

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

/**
 * Makes this process the one that orphaned descendants are given to, instead
 * of init: a container started by a runtime that then exits becomes our child,
 * so that we can wait for it.
 */
export function becomeSubreaper(): void {
  check(load().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 'prctl');
}

/**
 * Reaps child PID if it has ended, without blocking: its exit code as a shell
 * reports it (128 + the signal when killed), or undefined while it runs.
 */
export function reapChild(pid: number): number | undefined {
  const status = [0];
  const ret = load().waitpid(pid, status, WNOHANG);
  check(ret, 'waitpid');
  if (ret === 0) return undefined;
  const raw = status[0]!;
  const signal = raw & 0x7f;
  return signal === 0 ? (raw >> 8) & 0xff : 128 + signal;
}

export interface WindowSize {
  readonly rows: number;
  readonly columns: number;
}

/** The size of terminal FD, or undefined when FD is no terminal. */
export function windowSize(fd: number): WindowSize | undefined {
  const ws = Buffer.alloc(8);
  if (load().ioctl(fd, TIOCGWINSZ, 'void *', ws) < 0) return undefined;
  return { rows: ws.readUInt16LE(0), columns: ws.readUInt16LE(2) };
}

/** Sets the size of terminal FD; the kernel tells its foreground processes with SIGWINCH. */
export function setWindowSize(fd: number, size: WindowSize): void {
  const ws = Buffer.alloc(8);
  ws.writeUInt16LE(size.rows, 0);
  ws.writeUInt16LE(size.columns, 2);
  check(load().ioctl(fd, TIOCSWINSZ, 'void *', ws), 'ioctl TIOCSWINSZ');
}

/** struct sockaddr_un for PATH, and its length; a name starting with @ is in the abstract namespace. */
function unixAddress(path: string, call: string): { addr: Buffer; len: number } {
  const abstract = path.startsWith('@');
  // An abstract name starts with a NUL and has none at its end; sun_path holds 108 bytes with the NUL.
  const name = abstract ? Buffer.concat([Buffer.from([0]), Buffer.from(path.slice(1))]) : Buffer.from(path);
  if (name.length >= SUN_PATH_MAX) throw new SysError(call, osConstants.errno.ENAMETOOLONG, path);
  const addr = Buffer.alloc(2 + SUN_PATH_MAX);
  addr.writeUInt16LE(AF_UNIX, 0);
  name.copy(addr, 2);
  return { addr, len: 2 + name.length + (abstract ? 0 : 1) };
}

/** Sends DATA as one datagram to the Unix SOCK_DGRAM socket at PATH (an sd_notify socket), which Node's net module cannot. */
export function sendDatagram(path: string, data: Buffer): void {
  const { socket, sendto } = load();
  const { addr, len } = unixAddress(path, 'sendto');
  const fd = socket(AF_UNIX, SOCK_DGRAM | O_CLOEXEC, 0);
  check(fd, 'socket');
  try {
    check(sendto(fd, data, data.length, 0, addr, len), 'sendto', path);
  } finally {
    closeSync(fd);
  }
}

/** A listening Unix stream socket at PATH (which must not exist), whose accept never waits; returns its fd. */
export function listenUnix(path: string): number {
  const { socket, bind, listen } = load();
  const { addr, len } = unixAddress(path, 'bind');
  const fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | O_CLOEXEC, 0);
  check(fd, 'socket');
  try {
    check(bind(fd, addr, len), 'bind', path);
    check(listen(fd, 1), 'listen', path);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/**
 * A blocking connection to the Unix SOCK_SEQPACKET socket at PATH (conmon's
 * attach socket), which Node's net module cannot open; returns its fd, for
 * fs reads (a packet each) and writes.
 */
export function connectSeqpacket(path: string): number {
  const { socket, connect } = load();
  const { addr, len } = unixAddress(path, 'connect');
  const fd = socket(AF_UNIX, SOCK_SEQPACKET | O_CLOEXEC, 0);
  check(fd, 'socket');
  try {
    check(connect(fd, addr, len), 'connect', path);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** Ends both directions of socket FD: a read waiting on it in another thread returns. */
export function shutdownSocket(fd: number): void {
  // SHUT_RDWR
  check(load().shutdown(fd, 2), 'shutdown');
}

/**
 * Accepts one connection on listening socket FD and returns the file
 * descriptor its peer sent with SCM_RIGHTS (what Node cannot receive). Call it
 * once the peer has sent and closed: it fails rather than waits (EAGAIN) when
 * no peer has connected.
 */
export function receiveFd(fd: number): number {
  const { accept4, recvmsg } = load();
  const conn = accept4(fd, null, null, O_CLOEXEC);
  check(conn, 'accept');
  try {
    // The peer names the file in the message itself (runc sends the pty's path).
    const data = Buffer.alloc(4096);
    // One cmsghdr (length, level, type: 16 bytes) and one int, padded.
    const control = Buffer.alloc(32);
    const msg: MsgHdr = { name: null, namelen: 0, iov: [{ base: data, len: data.length }], iovlen: 1, control, controllen: control.length, flags: 0 };
    check(recvmsg(conn, msg, MSG_CMSG_CLOEXEC), 'recvmsg');
    if (msg.controllen < 20 || control.readInt32LE(8) !== SOL_SOCKET || control.readInt32LE(12) !== SCM_RIGHTS) {
      throw new SysError('recvmsg', osConstants.errno.EBADMSG);
    }
    return control.readInt32LE(16);
  } finally {
    closeSync(conn);
  }
}
