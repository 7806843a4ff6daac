/** Asking the user for a line on the terminal, with or without echo. */
import { readSync } from 'node:fs';
import { TpodError } from '../errors.js';

/** One line of standard input, without its newline. */
function readLine(): string {
  const buf = Buffer.alloc(1);
  let line = '';
  while (readSync(0, buf, 0, 1, null) === 1 && buf[0] !== 0x0a) line += String.fromCharCode(buf[0]!);
  return line.trim();
}

/** Reads one line from standard input; SECRET turns echo off on a terminal. */
export function ask(question: string, secret = false): string {
  const tty = process.stdin.isTTY;
  if (!tty && secret) throw new TpodError('cannot ask for a password: standard input is not a terminal', { hint: 'use --password-stdin' });
  process.stderr.write(question);
  if (tty && secret) process.stdin.setRawMode(true);
  const buf = Buffer.alloc(1);
  let line = '';
  try {
    while (readSync(0, buf, 0, 1, null) === 1) {
      const c = buf[0]!;
      if (c === 0x0a || c === 0x0d) break;
      if (c === 0x03) throw new TpodError('interrupted');
      if (c === 0x7f) line = line.slice(0, -1);
      else line += String.fromCharCode(c);
    }
  } finally {
    if (tty && secret) {
      process.stdin.setRawMode(false);
      process.stderr.write('\n');
    }
  }
  return line;
}

/** All of standard input, without its final newline: for --password-stdin. */
export function readAllStdin(): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(4096);
  for (let n = readSync(0, buf, 0, buf.length, null); n > 0; n = readSync(0, buf, 0, buf.length, null)) chunks.push(Buffer.from(buf.subarray(0, n)));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** podman's confirmation: WARNING on standard output, then a yes/no question; end of input is no. */
export function confirm(warning: string): boolean {
  process.stdout.write(`${warning}Are you sure you want to continue? [y/N] `);
  return /^y(es)?$/i.test(readLine());
}
