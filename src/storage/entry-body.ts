/**
 * A regular file's body as a tar parser hands it over, for the layer
 * extraction and for cp into a container alike.
 */
import { writeSync } from 'node:fs';

/**
 * Writes the body to FD chunk by chunk and calls FINISH (owner, mode, times,
 * closing FD) once SIZE bytes are in. Returns what takes each chunk, or
 * undefined for an empty file, finished at once.
 */
export function writeBody(fd: number, size: number, finish: () => void): ((chunk: Buffer) => void) | undefined {
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
