/**
 * `tpod unshare`: replace this process with a command, inside the namespaces
 * the launcher joined. exec rather than spawn, so the command gets our pid,
 * terminal, signals and exit status untouched.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CANNOT_INVOKE, EXIT_NOT_FOUND, TpodError } from '../errors.js';
import type { Paths } from '../storage/paths.js';
import { exec } from '../sys/libc.js';

/** The file execve would run for NAME: itself when it has a slash, else the first match on PATH. */
export function resolveCommand(name: string, searchPath: string): string {
  const candidates = name.includes('/') ? [name] : searchPath.split(':').map((dir) => join(dir || '.', name));
  let found: string | undefined;
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) continue;
    } catch {
      continue;
    }
    found ??= file;
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Keep looking: a later PATH entry may be executable.
    }
  }
  if (found) throw new TpodError(`${found}: permission denied`, { exitCode: EXIT_CANNOT_INVOKE });
  throw new TpodError(`${name}: command not found`, { exitCode: EXIT_NOT_FOUND });
}

export function unshare(command: readonly string[], paths: Paths, env: NodeJS.ProcessEnv): never {
  const argv = command.length > 0 ? command : [env.SHELL || '/bin/sh'];
  const file = resolveCommand(argv[0]!, env.PATH ?? '/usr/bin:/bin');
  // podman's names for the storage directories, so scripts written for `podman unshare` find ours.
  exec(file, argv, { ...env, CONTAINERS_GRAPHROOT: paths.storageDir, CONTAINERS_RUNROOT: paths.runtimeDir });
}
