/**
 * podman's way with several containers, images or volumes to act on (start,
 * rm, rmi, volume rm): try each, give each failure its own Error line, and
 * exit 125 if any failed for another reason, else 2 if any is in use, else 1
 * if any does not exist.
 */
import { EXIT_IN_USE, EXIT_TPOD, NotFound, TpodError, errorLine } from '../errors.js';

/** Tries every target (each may wait, as rm kills a running container first); returns the exit code. */
export async function tryEach(targets: readonly string[], remove: (target: string) => void | Promise<void>): Promise<number> {
  let worst = 0;
  for (const target of targets) {
    try {
      await remove(target);
    } catch (err) {
      process.stderr.write(`Error: ${errorLine(err)}\n`);
      const code = err instanceof NotFound ? 1 : err instanceof TpodError && err.exitCode === EXIT_IN_USE ? EXIT_IN_USE : EXIT_TPOD;
      // 125 outranks 2, which outranks 1.
      worst = Math.max(worst, code);
    }
  }
  return worst;
}
