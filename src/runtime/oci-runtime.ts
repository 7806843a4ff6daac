/**
 * Running a bundle with the OCI runtime: crun where it works, else runc
 * (`tpod info` shows which and why), attached to our stdio or, with -t, to a
 * terminal of its own. The runtime runs inside tpod's user namespace, where it
 * is root over the subordinate ids.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';
import { cgroupVersion } from '../cgroups/detect.js';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import { becomeSubreaper, reapChild } from '../sys/libc.js';
import { findProgram } from '../sys/programs.js';
import { RUNTIME_PREFERENCE, chooseRuntime, judgeRuntime } from './choose.js';
import { attachTerminal, openConsoleSocket, planForOurStdio } from './terminal.js';

export interface Runtime {
  readonly name: string;
  readonly path: string;
  /** Where the runtime keeps its state: under tpod's run directory. */
  readonly stateRoot: string;
}

export function pickRuntime(runtimeDir: string, wanted?: string): Runtime {
  const cgroups = cgroupVersion();
  // Paths only: asking each runtime its version would cost every run a few milliseconds.
  const verdicts = RUNTIME_PREFERENCE.map((name) => judgeRuntime({ name, path: findProgram(name), version: undefined }, cgroups));
  const chosen = chooseRuntime(verdicts, wanted);
  if (!chosen) {
    if (wanted) throw new TpodError(`unknown OCI runtime "${wanted}"`, { hint: `tpod knows ${RUNTIME_PREFERENCE.join(' and ')}` });
    throw new TpodError(`no OCI runtime works here: ${verdicts.map((v) => `${v.name} ${v.reason}`).join('; ')}`);
  }
  if (!chosen.works || !chosen.path) throw new TpodError(`${chosen.name} cannot be used here: ${chosen.reason}`);
  return { name: chosen.name, path: chosen.path, stateRoot: join(runtimeDir, chosen.name) };
}

/** The last error the runtime logged (JSON lines: {"level":"error","msg":...}). */
function lastRuntimeError(log: string): string | undefined {
  const errors = log
    .split('\n')
    .map((line) => {
      try {
        return JSON.parse(line) as { level?: string; msg?: string };
      } catch {
        return {};
      }
    })
    .filter((entry) => entry.level === 'error' && entry.msg);
  return errors.at(-1)?.msg?.replace(/^runc (?:run|create|start) failed: /, '');
}

function lastError(logFile: string): string {
  return lastRuntimeErrorIn(logFile) ?? 'it logged no reason';
}

/** The runtime's last logged error in LOGFILE, if it logged one. */
export function lastRuntimeErrorIn(logFile: string): string | undefined {
  try {
    return lastRuntimeError(readFileSync(logFile, 'utf8'));
  } catch {
    return undefined;
  }
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export interface AttachedIo {
  /** The spec asks for a terminal (-t). */
  readonly terminal: boolean;
  /** -i: the container gets our standard input. */
  readonly stdin: boolean;
  /**
   * What must be ready before the container's process may run (the network
   * helper): it gets ready while the runtime creates the container.
   */
  readonly beforeStart?: Promise<unknown>;
}

/**
 * Runs container ID from BUNDLE attached: with our stdin, stdout and stderr,
 * or with a terminal between them and the container (-t). Signals sent to
 * tpod go to the container. Returns the container's exit code (128 + signal
 * when killed).
 */
export function runAttached(runtime: Runtime, bundle: string, id: string, io: AttachedIo): Promise<number> {
  return io.terminal || io.beforeStart ? createThenStart(runtime, bundle, id, io) : runWithOurStdio(runtime, bundle, id, io.stdin);
}

/** The runtime's own messages go to a log, not between the container's output: see lastError. */
function globalArgs(runtime: Runtime, bundle: string): string[] {
  return ['--root', runtime.stateRoot, '--log', join(bundle, 'runtime.log'), '--log-format', 'json'];
}

/** One runtime process for the whole run: the quickest way when nothing must happen between create and start. */
function runWithOurStdio(runtime: Runtime, bundle: string, id: string, stdin: boolean): Promise<number> {
  // The runtime writes the pid file once the container's process exists: without it, a
  // failure is the runtime's own (its message is on stderr already), not the container's exit code.
  const pidFile = join(bundle, 'pid');
  // Its warnings (runc's about cgroup v1 OOM counts) are noise, its error becomes our one line.
  const child = spawn(runtime.path, [...globalArgs(runtime, bundle), 'run', '--pid-file', pidFile, '--bundle', bundle, id], { stdio: [stdin ? 'inherit' : 'ignore', 'inherit', 'inherit'] });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const s of FORWARDED) process.on(s, forward);
  return new Promise((done, fail) => {
    child.on('error', (err) => fail(new TpodError(`cannot start ${runtime.name}: ${err.message}`)));
    child.on('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      if (code !== 0 && !existsSync(pidFile)) fail(new TpodError(`${runtime.name} could not start the container: ${lastError(join(bundle, 'runtime.log'))}`));
      else done(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

// After the container's exit, the last of its output is a read away; this only bounds a terminal held open elsewhere.
const DRAIN_LIMIT_MS = 2000;

/** The runtime's exit status, without blocking: the network helper gets ready meanwhile. */
function runtimeCommand(runtime: Runtime, args: readonly string[], stdio: 'ignore' | ('inherit' | 'ignore')[]): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(runtime.path, args, { stdio });
    child.on('error', (err) => fail(new TpodError(`cannot start ${runtime.name}: ${err.message}`)));
    child.on('exit', (code) => done(code ?? 1));
  });
}

/**
 * `create`, then `start` once BEFORESTART is ready: with -t, create is given
 * a console socket, and we get the pty's master from it. Both runtimes exit
 * after `start`, so the container's process is waited for here, as its
 * subreaper, and signals go to it directly.
 */
async function createThenStart(runtime: Runtime, bundle: string, id: string, io: AttachedIo): Promise<number> {
  const plan = io.terminal ? planForOurStdio(io.stdin) : undefined;
  if (plan?.warn) log.warn('The input device is not a TTY. The --tty and --interactive flags might not work properly');
  const pidFile = join(bundle, 'pid');
  const runtimeFailed = () => new TpodError(`${runtime.name} could not start the container: ${lastError(join(bundle, 'runtime.log'))}`);
  // Before `create`: its process, orphaned when the runtime exits, must become ours and not init's.
  becomeSubreaper();
  const socket = io.terminal ? openConsoleSocket(runtime.stateRoot, id) : undefined;
  let master: number | undefined;
  try {
    const consoleArgs = socket ? ['--console-socket', socket.path] : [];
    // Without a terminal, the container's stdio are the ones create runs with.
    const stdio = socket ? 'ignore' : [io.stdin ? 'inherit' : 'ignore', 'inherit', 'inherit'] as ('inherit' | 'ignore')[];
    const created = runtimeCommand(runtime, [...globalArgs(runtime, bundle), 'create', ...consoleArgs, '--pid-file', pidFile, '--bundle', bundle, id], stdio);
    // The runtime is done with the bundle before anything is cleaned up; then the helper's own error comes first.
    const status = await created;
    await io.beforeStart;
    if (status !== 0) throw runtimeFailed();
    master = socket?.receive();
  } catch (err) {
    removeRuntimeState(runtime, id);
    throw err;
  } finally {
    socket?.close();
  }

  const pid = Number(readFileSync(pidFile, 'utf8'));
  const terminal = master !== undefined && plan ? attachTerminal(master, plan) : undefined;
  let running = true;
  const exited = waitForExit(pid).finally(() => (running = false));
  // Only until it is reaped: then its pid may be another process's.
  const forward = (signal: NodeJS.Signals) => running && process.kill(pid, signal);
  for (const s of FORWARDED) process.on(s, forward);
  let drainLimit: NodeJS.Timeout | undefined;
  try {
    const started = spawnSync(runtime.path, [...globalArgs(runtime, bundle), 'start', id], { stdio: 'ignore' });
    if (started.status !== 0) {
      process.kill(pid, 'SIGKILL');
      await exited;
      throw runtimeFailed();
    }
    const code = await exited;
    if (terminal) await Promise.race([terminal.drained, new Promise((settle) => (drainLimit = setTimeout(settle, DRAIN_LIMIT_MS)))]);
    return code;
  } finally {
    clearTimeout(drainLimit);
    for (const s of FORWARDED) process.off(s, forward);
    terminal?.detach();
    removeRuntimeState(runtime, id);
  }
}

/**
 * The exit code of child PID, once it has ended: checked at once, on every
 * SIGCHLD, and each second, as signal listeners do not keep Node running and
 * the container's output may end before its process.
 */
function waitForExit(pid: number): Promise<number> {
  return new Promise((done, fail) => {
    const stop = () => {
      process.off('SIGCHLD', check);
      clearInterval(keepAlive);
    };
    const check = () => {
      try {
        const code = reapChild(pid);
        if (code === undefined) return;
        stop();
        done(code);
      } catch (err) {
        stop();
        fail(err);
      }
    };
    const keepAlive = setInterval(check, 1000);
    process.on('SIGCHLD', check);
    check();
  });
}

/** Forgets container ID in the runtime's state, whatever became of it. */
export function removeRuntimeState(runtime: Runtime, id: string): void {
  spawnSync(runtime.path, ['--root', runtime.stateRoot, 'delete', '--force', id], { stdio: 'ignore' });
}
