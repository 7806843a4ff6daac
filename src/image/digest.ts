/** sha256 digests, of bytes in hand or of a stream as it goes by. */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/**
 * A pass-through stream that hashes and counts what goes through it, and
 * tells ON_CHUNK of each piece (for progress).
 */
export function meter(onChunk: (n: number) => void = () => {}) {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      onChunk(chunk.length);
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ digest: `sha256:${hash.digest('hex')}`, size }) };
}
