/**
 * Whether the command a container is to run exists and can be run, decided
 * before the runtime starts, so that tpod can exit 127 or 126 as podman does
 * without reading the runtime's error messages. Paths are resolved as the
 * container will see them: inside its root, following its symlinks there.
 */
import { constants } from 'node:fs';
import { posix } from 'node:path';
import { EXIT_CANNOT_INVOKE, EXIT_NOT_FOUND, TpodError } from '../errors.js';
import { resolveInRoot } from '../storage/in-root.js';

/** Throws, with podman's exit codes, when ARGV[0] cannot be run in ROOT with the container's PATH. */
export function checkExecutable(root: string, argv: readonly string[], env: readonly string[]): void {
  const name = argv[0];
  if (!name) throw new TpodError('no command: the image has none and none was given', { hint: 'give one after the image name' });
  const path = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  const candidates = name.includes('/') ? [name] : path.split(':').filter(Boolean).map((dir) => posix.join(dir, name));
  let found: string | undefined;
  for (const candidate of candidates) {
    const hit = resolveInRoot(root, candidate);
    // A search of PATH passes directories by; a directory named by its path is there, and cannot run (126).
    if (hit?.stats.isDirectory() && name.includes('/')) throw new TpodError(`${candidate}: permission denied`, { exitCode: EXIT_CANNOT_INVOKE });
    if (!hit || hit.stats.isDirectory()) continue;
    if (hit.stats.isFile() && hit.stats.mode & (constants.S_IXUSR | constants.S_IXGRP | constants.S_IXOTH)) return;
    found ??= candidate;
  }
  if (found) throw new TpodError(`${found}: permission denied`, { exitCode: EXIT_CANNOT_INVOKE });
  throw new TpodError(`${name}: executable file not found in $PATH: no such file or directory`, { exitCode: EXIT_NOT_FOUND });
}
