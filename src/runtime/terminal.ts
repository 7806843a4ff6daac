/**
 * The container's terminal (-t), held by tpod as conmon holds it for podman:
 * the runtime creates the pty inside the container and sends us its master
 * over a console socket; we copy between it and our own stdio, keep its size
 * that of our terminal, and put our terminal in raw mode while we type into it.
 *
 * Why not leave it to the runtime run in the foreground: runc then refuses to
 * start without a terminal of its own ("open /dev/tty"), and crun puts its
 * stdin in raw mode (failing when that is no terminal, as without -i) and,
 * before 1.8.7, never sizes the pty.
 */
import { closeSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ReadStream, isatty } from 'node:tty';
import { type WindowSize, listenUnix, receiveFd, setWindowSize, windowSize } from '../sys/libc.js';
import type { ContainerLog } from './container-log.js';

export interface TerminalPlan {
  /** Our terminal in raw mode: keys, ^C among them, go to the container as bytes. */
  readonly raw: boolean;
  /** Our standard input goes to the container's terminal. */
  readonly forwardInput: boolean;
  /** podman's warning for -it on an input that is no terminal. */
  readonly warn: boolean;
}

/**
 * What -t does with -i (INTERACTIVE) or without, when our standard input is a
 * terminal or not. Without -i nothing we type reaches the container, so our
 * terminal stays as it is and ^C stays a signal for tpod to pass on (podman
 * puts it in raw mode anyway, where ^C is then lost).
 */
export function terminalPlan(interactive: boolean, stdinIsTerminal: boolean): TerminalPlan {
  return { raw: interactive && stdinIsTerminal, forwardInput: interactive, warn: interactive && !stdinIsTerminal };
}

export function planForOurStdio(interactive: boolean): TerminalPlan {
  return terminalPlan(interactive, isatty(0));
}

/** The Unix socket the runtime connects to, to send the pty's master. */
export interface ConsoleSocket {
  readonly path: string;
  /** The master, once the runtime has sent it (after `create` returned). */
  receive(): number;
  close(): void;
}

/** A console socket in DIR, a directory of our own: whoever can connect could hand us a terminal. */
export function openConsoleSocket(dir: string, id: string): ConsoleSocket {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Short: a socket's path has at most 107 bytes.
  const path = join(dir, `${id.slice(0, 12)}.tty`);
  rmSync(path, { force: true });
  const fd = listenUnix(path);
  let open = true;
  return {
    path,
    receive: () => receiveFd(fd),
    close: () => {
      if (!open) return;
      open = false;
      closeSync(fd);
      rmSync(path, { force: true });
    },
  };
}

/** Our terminal's size: that of the first of stdin, stdout, stderr that is one. */
function ourWindowSize(): WindowSize | undefined {
  for (const fd of [0, 1, 2]) {
    const size = windowSize(fd);
    if (size) return size;
  }
  return undefined;
}

export interface AttachedTerminal {
  /** Settles once the container's output has all been copied: the last process holding its terminal is gone. */
  readonly drained: Promise<void>;
  /** Gives our terminal back as it was and stops copying. */
  detach(): void;
}

const ignore = () => undefined;

// What a terminal's user types for end of input: our input ending is the same to a program reading the pty.
const END_OF_INPUT = '\x04';

/** Copies between the pty's MASTER and our stdio as PLAN says (and its output to LOG), from now until detach(). */
export function attachTerminal(master: number, plan: TerminalPlan, log?: ContainerLog): AttachedTerminal {
  // libuv opens a pty master for reading and writing alike, so one stream serves both ways.
  const pty = new ReadStream(master);
  // A terminal has one output: it is all stdout in the log, as conmon writes it.
  if (log) pty.on('data', (chunk: Buffer) => log.write('stdout', chunk));
  const drained = new Promise<void>((settle) => pty.once('close', settle));
  // EIO is how a master reports that no process has the terminal open any more: the end of output.
  pty.on('error', () => pty.destroy());
  pty.pipe(process.stdout, { end: false });

  // Set now, before the container's first instruction; the kernel sends the container
  // SIGWINCH on each change, so ours is never passed on as a signal.
  const resize = () => {
    const size = ourWindowSize();
    if (size) setWindowSize(master, size);
  };
  resize();
  process.on('SIGWINCH', resize);

  const stdin = plan.forwardInput ? process.stdin : undefined;
  const endOfInput = () => pty.write(END_OF_INPUT);
  if (stdin) {
    if (plan.raw) (stdin as ReadStream).setRawMode(true);
    stdin.pipe(pty, { end: false });
    // A terminal hung up: nothing more to pass on, and nothing for tpod to fail over.
    stdin.on('error', ignore);
    // A terminal's own input never ends; a pipe's or a file's does.
    if (!plan.raw) stdin.once('end', endOfInput);
  }

  return {
    drained,
    detach: () => {
      process.off('SIGWINCH', resize);
      if (stdin) {
        stdin.off('end', endOfInput);
        stdin.unpipe(pty);
        // Node also restores the terminal when it exits, killed by a signal included.
        if (plan.raw) (stdin as ReadStream).setRawMode(false);
        // Not reading any more, stdin no longer keeps tpod alive.
        stdin.pause();
      }
      pty.destroy();
    },
  };
}
