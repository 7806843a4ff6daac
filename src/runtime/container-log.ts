/**
 * A container's log in podman's k8s-file format, as conmon writes it for a
 * detached container, written by tpod for one it runs attached, so that
 * `tpod logs` shows both alike: a line per line of output, "TIME STREAM F
 * TEXT"; what ends without a newline is a partial line, "P".
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export type LogStream = 'stdout' | 'stderr';

/** RFC 3339 with nanoseconds and a numeric zone, as conmon writes its times. Pure. */
export function logTime(date: Date, extraNanos = 0): string {
  const nanos = String(date.getUTCMilliseconds() * 1_000_000 + extraNanos).padStart(9, '0');
  return `${date.toISOString().slice(0, 19)}.${nanos}+00:00`;
}

/** The log lines for TEXT's whole lines, and what follows its last newline. Pure. */
export function logLines(stream: LogStream, text: string, time: string): { lines: string; rest: string } {
  const end = text.lastIndexOf('\n');
  if (end < 0) return { lines: '', rest: text };
  const lines = text
    .slice(0, end)
    .split('\n')
    .map((line) => `${time} ${stream} F ${line}\n`)
    .join('');
  return { lines, rest: text.slice(end + 1) };
}

export class ContainerLog {
  private readonly fd: number;
  private readonly pending: Record<LogStream, string> = { stdout: '', stderr: '' };

  constructor(path: string) {
    this.fd = openSync(path, 'a', 0o600);
  }

  write(stream: LogStream, chunk: Buffer): void {
    const { lines, rest } = logLines(stream, this.pending[stream] + chunk.toString('utf8'), logTime(new Date()));
    this.pending[stream] = rest;
    if (lines) writeSync(this.fd, lines);
  }

  /** What is left without a newline goes in as a partial line. */
  close(): void {
    const time = logTime(new Date());
    for (const stream of ['stdout', 'stderr'] as const) if (this.pending[stream]) writeSync(this.fd, `${time} ${stream} P ${this.pending[stream]}\n`);
    closeSync(this.fd);
  }
}
