/**
 * Detached containers under conmon, as podman runs them: conmon creates the
 * container with the OCI runtime, holds its stdio (or pty), writes its log
 * in the k8s-file format, writes its exit code to the exit directory, and
 * then runs the exit command (`tpod container cleanup ID`), all without any
 * tpod command running. tpod starts the container once conmon reports it
 * created.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TpodError } from '../errors.js';
import { findProgram } from '../sys/programs.js';
import { type Runtime, lastRuntimeErrorIn, runtimeRoot } from './oci-runtime.js';

export interface ConmonPaths {
  readonly bundle: string;
  /** The container's log, k8s-file format. */
  readonly logPath: string;
  /** Where conmon writes ID's exit code (a file named ID). */
  readonly exitDir: string;
  /** Short directory for conmon's attach socket (paths of Unix sockets are short). */
  readonly socketDir: string;
  /** Where conmon writes its own pid. */
  readonly conmonPidFile: string;
}

export interface ConmonOptions {
  readonly id: string;
  readonly name: string;
  readonly terminal: boolean;
  readonly stdin: boolean;
  /** The command conmon runs after the container exited, with its arguments. */
  readonly exitCommand: readonly string[];
  /** Where the output goes besides the attach socket: the k8s-file log (default), the journal, or nowhere. */
  readonly logDriver?: 'k8s-file' | 'journald' | 'none';
  /** --sdnotify=container: the unit's NOTIFY_SOCKET, which conmon relays the container's READY=1 to. */
  readonly sdnotifySocket?: string;
}

/** Where detached containers' files live in tpod's run directory. Pure. */
export function conmonDirs(runtimeDir: string): { exitDir: string; socketDir: string; recordDir: string } {
  return {
    // conmon's exit codes, a file per container.
    exitDir: join(runtimeDir, 'exits'),
    // conmon's links to the bundles, short enough for attach sockets.
    socketDir: join(runtimeDir, 'socket'),
    // "PID STARTTIME" of each container's conmon, for the launcher to rejoin through.
    recordDir: join(runtimeDir, 'conmon'),
  };
}

/** The name of a container's directory in the socket directory. Pure. */
export const attachName = (id: string): string => id.slice(0, 12);

/** conmon's arguments, podman's way (libpod's sharedConmonArgs). Pure. */
export function conmonArgs(runtime: Runtime, paths: ConmonPaths, options: ConmonOptions): string[] {
  const [exitProgram, ...exitArgs] = options.exitCommand;
  return [
    '--api-version', '1',
    '-c', options.id,
    // conmon names the attach socket's directory by this: short, since a socket's path has at most 107 bytes.
    '-u', attachName(options.id),
    '-r', runtime.path,
    '-b', paths.bundle,
    '-p', join(paths.bundle, 'pid'),
    '-n', options.name,
    '--exit-dir', paths.exitDir,
    '--socket-dir-path', paths.socketDir,
    '--conmon-pidfile', paths.conmonPidFile,
    // conmon's journald driver sends each line with CONTAINER_NAME and the id, from conmon's cgroup (the unit's).
    '-l', options.logDriver === 'journald' || options.logDriver === 'none' ? `${options.logDriver}:` : `k8s-file:${paths.logPath}`,
    '--log-level', 'warning',
    // Before the runtime's subcommand: where its state lives, and its errors as JSON lines.
    ...runtimeRoot(runtime).flatMap((arg) => ['--runtime-arg', arg]),
    '--runtime-arg', '--log-format=json', '--runtime-arg', '--log', '--runtime-arg', join(paths.bundle, 'runtime.log'),
    ...(options.terminal ? ['-t'] : []),
    // A client that detaches (or ends its input) leaves the container's input open for the next attach.
    ...(options.stdin ? ['-i', '--leave-stdin-open'] : []),
    // conmon binds its relay at BUNDLE/notify/notify.sock, and passes on only READY=1 and WATCHDOG=1.
    ...(options.sdnotifySocket ? ['--sdnotify-socket', options.sdnotifySocket] : []),
    ...(exitProgram ? ['--exit-command', exitProgram, ...exitArgs.flatMap((a) => ['--exit-command-arg', a])] : []),
  ];
}

/** What conmon writes on its sync pipe: {"data": PID}, or a negative data and a message. Pure. */
export function parseSyncMessage(text: string): { pid: number } | { error: string } {
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const message = JSON.parse(line) as { data?: number; message?: string };
      if (typeof message.data === 'number') return message.data > 0 ? { pid: message.data } : { error: message.message ?? 'it gave no reason' };
    } catch {
      // Not a message of the sync protocol.
    }
  }
  return { error: 'it exited without reporting the container' };
}

/**
 * Has conmon create container ID from the bundle, and resolves with the
 * container's pid once it exists (not yet started). conmon detaches into a
 * session of its own, so the terminal closing or tpod exiting leaves it be.
 */
export function createUnderConmon(runtime: Runtime, paths: ConmonPaths, options: ConmonOptions): Promise<number> {
  const conmon = findProgram('conmon');
  if (!conmon) throw new TpodError('conmon is not installed, so a container cannot run detached', { hint: 'sudo apt-get install conmon' });
  mkdirSync(paths.exitDir, { recursive: true, mode: 0o700 });
  mkdirSync(paths.socketDir, { recursive: true, mode: 0o700 });
  const child = spawn(conmon, conmonArgs(runtime, paths, options), {
    // conmon writes its "oom" file where it runs: in the bundle, not wherever the user is.
    cwd: paths.bundle,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, _OCI_SYNCPIPE: '3' },
  });
  const syncPipe = child.stdio[3]!;
  let sync = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<number>((done, fail) => {
    const settle = () => {
      const reported = parseSyncMessage(sync);
      if ('pid' in reported) done(reported.pid);
      else fail(new TpodError(`${runtime.name} could not create the container: ${lastRuntimeErrorIn(join(paths.bundle, 'runtime.log')) ?? (stderr.trim().split('\n').pop() || reported.error)}`));
    };
    child.on('error', (err) => fail(new TpodError(`cannot start conmon: ${err.message}`)));
    // conmon's daemon keeps the pipe open: its first whole line is the answer; a close without one is a failure.
    syncPipe.on('data', (d: Buffer) => {
      sync += d.toString();
      if (sync.includes('\n')) settle();
    });
    syncPipe.on('close', settle);
  }).finally(() => {
    // What stays open to conmon must not keep this tpod running.
    syncPipe.destroy();
    child.stderr!.destroy();
    child.unref();
  });
}

/** The pid conmon wrote, once it runs as a daemon. */
export function conmonPid(paths: ConmonPaths): number | undefined {
  try {
    const pid = Number(readFileSync(paths.conmonPidFile, 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** `RUNTIME start ID`: the created container's process runs its command. */
export function startCreated(runtime: Runtime, bundle: string, id: string): void {
  const r = spawnSync(runtime.path, [...runtimeRoot(runtime), '--log', join(bundle, 'runtime.log'), '--log-format', 'json', 'start', id], { stdio: 'ignore' });
  if (r.status !== 0) throw new TpodError(`${runtime.name} could not start the container: ${lastRuntimeErrorIn(join(bundle, 'runtime.log')) ?? 'it logged no reason'}`);
}

/** The exit code conmon recorded for ID, once the container has exited. */
export function recordedExit(exitDir: string, id: string): number | undefined {
  try {
    const code = Number(readFileSync(join(exitDir, id), 'utf8').trim());
    return Number.isInteger(code) ? code : undefined;
  } catch {
    return undefined;
  }
}
