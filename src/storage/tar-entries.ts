/**
 * Tar entries as node-tar's parser hands them over, written into a tree:
 * shared by the layer extraction and by cp into a container.
 */
import { writeSync } from 'node:fs';
import type { Parser, ReadEntry } from 'tar';

/** What takes an entry's body, chunk by chunk. */
export type Sink = (chunk: Buffer) => void;

/**
 * Gives each entry PARSER reads to SINKFOR, and its body to the sink it
 * returns (none: the body is skipped). The first error either throws stops
 * the parse; the returned function tells it, once the parse has ended.
 */
export function feedEntries(parser: Parser, sinkFor: (entry: ReadEntry) => Sink | undefined): () => unknown {
  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
    parser.abort(err instanceof Error ? err : new Error(String(err)));
  };
  parser.on('entry', (entry: ReadEntry) => {
    let sink: Sink | undefined;
    try {
      if (!failure) sink = sinkFor(entry);
    } catch (err) {
      fail(err);
    }
    if (!sink) return entry.resume();
    entry.on('data', (chunk: Buffer) => {
      if (failure) return;
      try {
        sink(chunk);
      } catch (err) {
        fail(err);
      }
    });
  });
  return () => failure;
}

/**
 * Writes a regular file's body to FD chunk by chunk and calls FINISH (owner,
 * mode, times, closing FD) once SIZE bytes are in. Returns what takes each
 * chunk, or undefined for an empty file, finished at once.
 */
export function writeBody(fd: number, size: number, finish: () => void): Sink | undefined {
  if (size === 0) {
    finish();
    return undefined;
  }
  let left = size;
  return (chunk) => {
    writeSync(fd, chunk);
    left -= chunk.length;
    if (left <= 0) finish();
  };
}
