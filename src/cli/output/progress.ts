/**
 * How a pull or push shows itself on stderr: on a terminal, one line per layer with
 * bytes and rate, redrawn in place; elsewhere, podman's plain lines, with no
 * escape codes; with --quiet, nothing.
 */
import type { TransferListener } from '../../engine/transfer.js';
import { humanSize } from './units.js';

const short = (digest: string) => digest.replace(/^sha256:/, '').slice(0, 12);

export function plainProgress(out: NodeJS.WritableStream): TransferListener {
  return {
    trying: (name) => out.write(`Trying to pull ${name}...\n`),
    layer: (digest, _size, stored) => {
      if (stored) out.write(`Copying blob ${short(digest)} skipped: already exists\n`);
    },
    bytes: () => {},
    layerDone: (digest) => out.write(`Copying blob ${short(digest)} done\n`),
    writing: () => out.write('Writing manifest to image destination\n'),
  };
}

interface Line {
  readonly digest: string;
  readonly size: number;
  done: number;
  state: 'copying' | 'done' | 'exists';
  readonly started: number;
}

export function terminalProgress(out: NodeJS.WriteStream, now: () => number = Date.now): TransferListener {
  const lines: Line[] = [];
  let drawn = 0;
  let lastDraw = 0;
  const render = (line: Line): string => {
    if (line.state === 'exists') return `Copying blob ${short(line.digest)} skipped: already exists`;
    if (line.state === 'done') return `Copying blob ${short(line.digest)} done   ${humanSize(line.size)}`;
    const seconds = Math.max((now() - line.started) / 1000, 0.001);
    return `Copying blob ${short(line.digest)} ${humanSize(line.done)} / ${humanSize(line.size)} (${humanSize(line.done / seconds)}/s)`;
  };
  const draw = (force = false) => {
    if (!force && now() - lastDraw < 100) return;
    lastDraw = now();
    // Back to the first layer line, then each line rewritten and cleared to its end.
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const line of lines) text += `\r${render(line)}\x1b[K\n`;
    drawn = lines.length;
    out.write(text);
  };
  const find = (digest: string) => lines.find((l) => l.digest === digest);
  return {
    trying: (name) => out.write(`Trying to pull ${name}...\n`),
    layer: (digest, size, stored) => {
      if (find(digest)) return;
      lines.push({ digest, size, done: 0, state: stored ? 'exists' : 'copying', started: now() });
      draw(true);
    },
    bytes: (digest, n) => {
      const line = find(digest);
      if (line) line.done += n;
      draw();
    },
    layerDone: (digest) => {
      const line = find(digest);
      if (line) line.state = 'done';
      draw(true);
    },
    writing: () => {
      draw(true);
      out.write('Writing manifest to image destination\n');
    },
  };
}
