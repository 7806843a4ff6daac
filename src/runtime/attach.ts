/**
 * Attaching to a detached container through conmon's attach socket, as
 * podman attach does: conmon sends the container's output in packets whose
 * first byte names the stream (2 stdout, 3 stderr) and takes whatever the
 * client writes as the container's input; the window size goes through its
 * ctl fifo ("1 ROWS COLUMNS"). The detach keys (ctrl-p,ctrl-q unless told)
 * leave the container running.
 */
import { closeSync, openSync, read, writeSync } from 'node:fs';
import { TpodError } from '../errors.js';
import { connectSeqpacket, shutdownSocket } from '../sys/libc.js';

const STDOUT = 2;
const STDERR = 3;

/** podman's --detach-keys: a comma-separated sequence of letters, punctuation and ctrl-X. Pure. */
export function parseDetachKeys(text: string): Buffer {
  if (text === '') return Buffer.alloc(0);
  return Buffer.from(
    text.split(',').map((key) => {
      const ctrl = /^ctrl-(.)$/.exec(key);
      if (ctrl) {
        const code = ctrl[1]!.toLowerCase().charCodeAt(0);
        if ((code >= 97 && code <= 122) || '@[\\]^_'.includes(ctrl[1]!)) return ctrl[1]!.toUpperCase().charCodeAt(0) & 0x1f;
      } else if (key.length === 1) {
        return key.charCodeAt(0);
      }
      throw new TpodError(`invalid detach keys "${text}": "${key}" is not a key`, { hint: 'a comma-separated list such as ctrl-p,ctrl-q' });
    }),
  );
}

/**
 * Watches input for the detach sequence: what may begin it is held back
 * until the next bytes decide. Pure but for its own state.
 */
export class DetachScanner {
  private held = 0;

  constructor(private readonly keys: Buffer) {}

  /** The bytes to pass on, and whether the sequence is complete. */
  scan(chunk: Buffer): { forward: Buffer; detach: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detach: false };
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.held]) {
        this.held++;
        if (this.held === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      // A broken sequence goes on as it was typed.
      out.push(...this.keys.subarray(0, this.held));
      this.held = byte === this.keys[0] ? 1 : 0;
      if (this.held === 0) out.push(byte);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}

export interface AttachIo {
  /** Pass our standard input on (the container was created with -i, and not --no-stdin). */
  readonly stdin: boolean;
  /** The container has a terminal: ours goes raw, and its size is passed on. */
  readonly terminal: boolean;
  readonly detachKeys: Buffer;
}

/**
 * Copies between us and the container until its output ends ('ended': it
 * exited) or the user types the detach keys ('detached').
 */
export function attachThroughConmon(socketPath: string, ctlPath: string, io: AttachIo): Promise<'ended' | 'detached'> {
  const fd = connectSeqpacket(socketPath);
  return new Promise((done, fail) => {
    let finished = false;
    const finish = (how: 'ended' | 'detached') => {
      if (finished) return;
      finished = true;
      // A read still waiting on the socket would keep this tpod from exiting.
      if (how === 'detached') shutdownSocket(fd);
      process.stdin.off('data', onInput);
      process.off('SIGWINCH', resize);
      if (io.stdin) process.stdin.pause();
      if (io.terminal && process.stdin.isTTY) process.stdin.setRawMode(false);
      done(how);
    };

    // One packet a read: its first byte says which stream the rest belongs to.
    const buffer = Buffer.alloc(32 * 1024 + 1);
    const readPacket = () =>
      read(fd, buffer, 0, buffer.length, null, (err, n) => {
        if (finished) {
          closeSync(fd);
          return;
        }
        if (err) return fail(new TpodError(`attach: ${err.message}`));
        if (n === 0) {
          closeSync(fd);
          return finish('ended');
        }
        const data = buffer.subarray(1, n);
        if (buffer[0] === STDOUT) process.stdout.write(data);
        else if (buffer[0] === STDERR) process.stderr.write(data);
        readPacket();
      });
    readPacket();

    const scanner = new DetachScanner(io.detachKeys);
    const onInput = (chunk: Buffer) => {
      const { forward, detach } = scanner.scan(chunk);
      if (forward.length) writeSync(fd, forward);
      if (detach) finish('detached');
    };
    if (io.stdin) {
      if (io.terminal && process.stdin.isTTY) process.stdin.setRawMode(true);
      process.stdin.on('data', onInput);
    }

    const resize = () => {
      const { rows, columns } = process.stdout;
      if (!rows || !columns) return;
      const ctl = openSync(ctlPath, 'w');
      writeSync(ctl, `1 ${rows} ${columns}\n`);
      closeSync(ctl);
    };
    if (io.terminal && process.stdout.isTTY) {
      resize();
      process.on('SIGWINCH', resize);
    }
  });
}
