/**
 * --cidfile and --ignore of rm and stop, as systemd units use them (podman's
 * generate systemd --new: `stop --ignore --cidfile=%t/%n.ctr-id`).
 */
import { readFileSync } from 'node:fs';
import { NotFound, TpodError } from '../../errors.js';
import type { OptionSpec } from '../spec.js';

export const cidfileOptions: readonly OptionSpec[] = [
  { name: 'cidfile', type: 'array', valueName: 'FILE', describe: 'the container whose id FILE holds (written by run --cidfile)', complete: 'files' },
  { name: 'ignore', alias: 'i', type: 'boolean', describe: 'no error for a container that does not exist, nor for a missing --cidfile' },
];

/** The ids the files hold (the first line of each); a missing file is skipped with IGNORE. */
export function idsFromCidfiles(files: readonly string[], ignore: boolean): { id: string; file: string }[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if (ignore && (err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new TpodError(`cannot read the container id file ${file}: ${(err as Error).message}`);
    }
    const id = text.split('\n')[0]!.trim();
    if (!id) throw new TpodError(`the container id file ${file} is empty`);
    return [{ id, file }];
  });
}

/** Runs ACT; with IGNORE, a container that does not exist is no error. */
export async function unlessIgnored(ignore: boolean, act: () => Promise<void>): Promise<void> {
  try {
    await act();
  } catch (err) {
    if (!(ignore && err instanceof NotFound)) throw err;
  }
}
