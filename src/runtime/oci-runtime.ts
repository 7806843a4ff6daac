/**
 * Running a bundle with the OCI runtime: crun where it works, else runc
 * (`tpod info` shows which and why), attached to our stdio or, with -t, to a
 * terminal of its own; and running more processes in a running container
 * (`exec`) the same ways. The runtime runs inside tpod's user namespace, where
 * it is root over the subordinate ids.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { constants } from 'node:os';
import { cgroupVersion } from '../cgroups/detect.js';
import type { Readable } from 'node:stream';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import type { OciProcess } from '../spec/oci-types.js';
import { becomeSubreaper, reapChild, windowSize } from '../sys/libc.js';
import { findProgram } from '../sys/programs.js';
import { RUNTIME_PREFERENCE, chooseRuntime, judgeRuntime } from './choose.js';
import type { ContainerLog } from './container-log.js';
import { type TerminalPlan, attachTerminal, openConsoleSocket, planForOurStdio } from './terminal.js';

export interface Runtime {
  readonly name: string;
  readonly path: string;
  /** Where the runtime keeps its state: under tpod's run directory. */
  readonly stateRoot: string;
  /** The container's cgroup is a systemd scope (cgroups/plan.ts): every call must say so to runc. */
  readonly systemdCgroup: boolean;
}

/** The global options every call of RUNTIME for a container starts with. */
export function runtimeRoot(runtime: Runtime): string[] {
  return ['--root', runtime.stateRoot, ...(runtime.systemdCgroup ? ['--systemd-cgroup'] : [])];
}

export function pickRuntime(runtimeDir: string, wanted?: string, systemdCgroup = false): Runtime {
  const cgroups = cgroupVersion();
  // Paths only: asking each runtime its version would cost every run a few milliseconds.
  const verdicts = RUNTIME_PREFERENCE.map((name) => judgeRuntime({ name, path: findProgram(name), version: undefined }, cgroups));
  const chosen = chooseRuntime(verdicts, wanted);
  if (!chosen) {
    if (wanted) throw new TpodError(`unknown OCI runtime "${wanted}"`, { hint: `tpod knows ${RUNTIME_PREFERENCE.join(' and ')}` });
    throw new TpodError(`no OCI runtime works here: ${verdicts.map((v) => `${v.name} ${v.reason}`).join('; ')}`);
  }
  if (!chosen.works || !chosen.path) throw new TpodError(`${chosen.name} cannot be used here: ${chosen.reason}`);
  return { name: chosen.name, path: chosen.path, stateRoot: join(runtimeDir, chosen.name), systemdCgroup };
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
  return errors.at(-1)?.msg?.replace(/^runc (?:run|create|start|exec) failed: /, '');
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

/** What a runtime failed to do, for its one line. */
const START = 'start the container';
const EXEC = 'run the command in the container';

/**
 * The runtime's own messages go to a log in DIR (the bundle; an exec's own
 * directory), not between the container's output; its pid file goes there too.
 */
function globalArgs(runtime: Runtime, dir: string): string[] {
  return [...runtimeRoot(runtime), '--log', join(dir, 'runtime.log'), '--log-format', 'json'];
}

function runtimeFailed(runtime: Runtime, dir: string, what: string): TpodError {
  return new TpodError(`${runtime.name} could not ${what}: ${lastRuntimeErrorIn(join(dir, 'runtime.log')) ?? 'it logged no reason'}`);
}

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
  /** Where the container's output is logged too, for tpod logs (not an exec's, as podman). */
  readonly log?: ContainerLog;
}

/**
 * Runs container ID from BUNDLE attached: with our stdin, stdout and stderr,
 * or with a terminal between them and the container (-t). Signals sent to
 * tpod go to the container. Returns the container's exit code (128 + signal
 * when killed).
 */
export function runAttached(runtime: Runtime, bundle: string, id: string, io: AttachedIo): Promise<number> {
  // One runtime process for the whole run: the quickest way when nothing must happen between create and start.
  if (!io.terminal && !io.beforeStart) return inForeground(runtime, bundle, ['run', '--bundle', bundle], id, io.stdin, START, io.log);
  return createThenStart(runtime, bundle, id, io);
}

/**
 * Runs SPEC (an OCI process: spec/exec.ts) in running container ID,
 * attached as runAttached runs a container, and returns its exit code. DIR, a
 * directory of this exec's own, takes its process file, pid file and the
 * runtime's log, and its name names its console socket.
 */
export async function execAttached(runtime: Runtime, dir: string, id: string, spec: OciProcess, io: Omit<AttachedIo, 'beforeStart'>): Promise<number> {
  const args = ['exec', '--process', writeProcess(dir, spec)];
  if (!io.terminal) return inForeground(runtime, dir, args, id, io.stdin, EXEC);
  // In the foreground the runtime would want a terminal of its own (see terminal.ts):
  // detached, it hands us the pty as `create` does, and the process is ours to wait for.
  const plan = terminalPlanFor(io);
  return supervise(await launch(runtime, dir, [...args, '--detach'], id, { ...io, socketName: basename(dir) }, EXEC), plan);
}

/** Starts SPEC in running container ID and returns at once: it reads nothing, and its output goes nowhere. */
export function execDetached(runtime: Runtime, dir: string, id: string, spec: OciProcess): void {
  const r = spawnSync(runtime.path, [...globalArgs(runtime, dir), 'exec', '--process', writeProcess(dir, spec), '--detach', id], { stdio: 'ignore' });
  if (r.status !== 0) throw runtimeFailed(runtime, dir, EXEC);
}

/** What execCaptured saw: the exit code (undefined when killed at its timeout) and the output. */
export interface CapturedExec {
  readonly exitCode: number | undefined;
  readonly output: string;
}

/**
 * Runs SPEC in running container ID with no input, its stdout and stderr
 * together kept (a healthcheck's, as podman keeps them), and kills it with
 * SIGKILL after TIMEOUTMS. Signals to tpod are not passed on: a systemd stop
 * of the check ends tpod and, with the runtime's exec gone, the process.
 */
export function execCaptured(runtime: Runtime, dir: string, id: string, spec: OciProcess, timeoutMs: number): Promise<CapturedExec> {
  const pidFile = join(dir, 'pid');
  const child = spawn(runtime.path, [...globalArgs(runtime, dir), 'exec', '--process', writeProcess(dir, spec), '--pid-file', pidFile, id], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stderr.on('data', (c: Buffer) => chunks.push(c));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // The process itself: killing the runtime's exec would leave it running in the container.
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }, timeoutMs);
  return new Promise((done, fail) => {
    child.on('error', (err) => fail(new TpodError(`cannot start ${runtime.name}: ${err.message}`)));
    child.on('close', (code: number | null) => {
      clearTimeout(timer);
      if (timedOut) return done({ exitCode: undefined, output: Buffer.concat(chunks).toString('utf8') });
      if (code !== 0 && !existsSync(pidFile)) return fail(runtimeFailed(runtime, dir, EXEC));
      done({ exitCode: code ?? 1, output: Buffer.concat(chunks).toString('utf8') });
    });
  });
}

/**
 * The file `exec --process` reads. A terminal is sized as ours from the
 * start: the command runs before the runtime has handed us its pty.
 */
function writeProcess(dir: string, spec: OciProcess): string {
  const file = join(dir, 'process.json');
  const size = spec.terminal ? [0, 1, 2].map((fd) => windowSize(fd)).find((s) => s !== undefined) : undefined;
  writeFileSync(file, JSON.stringify(size ? { ...spec, consoleSize: { height: size.rows, width: size.columns } } : spec));
  return file;
}

/**
 * A runtime command in the foreground that runs the process and exits with
 * its status (`run`, `exec`): with our stdout and stderr, our stdin with
 * STDIN, signals sent to tpod passed on to it.
 */
function inForeground(runtime: Runtime, dir: string, args: readonly string[], id: string, stdin: boolean, what: string, log?: ContainerLog): Promise<number> {
  // The runtime writes the pid file once the process exists: without it, a failure is the
  // runtime's own (its reason is in its log), not the process's exit code.
  const pidFile = join(dir, 'pid');
  // Its warnings (runc's about cgroup v1 OOM counts) are noise, its error becomes our one line.
  const child = spawn(runtime.path, [...globalArgs(runtime, dir), ...args, '--pid-file', pidFile, id], { stdio: ourStdio(stdin, log) });
  teeOutput(child, log, pidFile);
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const s of FORWARDED) process.on(s, forward);
  return new Promise((done, fail) => {
    child.on('error', (err) => fail(new TpodError(`cannot start ${runtime.name}: ${err.message}`)));
    // Not before all of its output is passed on.
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      for (const s of FORWARDED) process.off(s, forward);
      if (code !== 0 && !existsSync(pidFile)) fail(runtimeFailed(runtime, dir, what));
      else done(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/**
 * The stdio a runtime command passes to its process: our stdin (with -i),
 * and pipes for stdout (when it is logged) and stderr. The runtime prints its
 * own failure on the stderr it shares with the process: through a pipe, tpod
 * keeps that line back and gives its own one line instead.
 */
function ourStdio(stdin: boolean, log: ContainerLog | undefined): ('inherit' | 'ignore' | 'pipe')[] {
  return [stdin ? 'inherit' : 'ignore', log ? 'pipe' : 'inherit', 'pipe'];
}

/**
 * The output on ours (at the pace we take it) and in LOG; resolves once it
 * has ended. Until PIDFILE exists, what comes on stderr is held back: it is
 * the runtime's own complaint (which runtimeFailed reports) unless the pid
 * file turns up after all. `runc run` writes it only once the process has
 * been let go, so the process may have written by then.
 */
function teeOutput(child: { stdout: Readable | null; stderr: Readable | null }, log: ContainerLog | undefined, pidFile: string): Promise<void> {
  const streams = [
    [child.stdout, process.stdout, 'stdout'],
    [child.stderr, process.stderr, 'stderr'],
  ] as const;
  let ran = false;
  const heldBack: Buffer[] = [];
  const pass = (from: Readable, to: NodeJS.WriteStream, name: 'stdout' | 'stderr', chunk: Buffer) => {
    log?.write(name, chunk);
    // At the pace ours takes it: the container waits on a full pipe rather than tpod buffering.
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  };
  return Promise.all(
    streams.map(([from, to, name]) => {
      if (!from) return Promise.resolve();
      const passHeldBack = () => {
        for (const held of heldBack.splice(0)) pass(from, to, name, held);
      };
      from.on('data', (chunk: Buffer) => {
        ran ||= existsSync(pidFile);
        if (name === 'stderr') {
          if (!ran) return void heldBack.push(chunk);
          passHeldBack();
        }
        pass(from, to, name, chunk);
      });
      return new Promise<void>((settle) =>
        from.once('close', () => {
          if (name === 'stderr' && existsSync(pidFile)) passHeldBack();
          settle();
        }),
      );
    }),
  ).then(() => undefined);
}

// After the container's exit, the last of its output is a read away; this only bounds a terminal held open elsewhere.
const DRAIN_LIMIT_MS = 2000;

/**
 * The runtime's exit status, without blocking: the network helper gets ready
 * meanwhile. OUTPUT settles once its process's logged output has ended (the
 * container holds the pipes after the runtime exits).
 */
function runtimeCommand(runtime: Runtime, args: readonly string[], stdio: 'ignore' | ('inherit' | 'ignore' | 'pipe')[], pidFile: string, log?: ContainerLog): { status: Promise<number>; output: Promise<void> } {
  const child = spawn(runtime.path, args, { stdio });
  const output = teeOutput(child, log, pidFile);
  const status = new Promise<number>((done, fail) => {
    child.on('error', (err) => fail(new TpodError(`cannot start ${runtime.name}: ${err.message}`)));
    child.on('exit', (code) => done(code ?? 1));
  });
  return { status, output };
}

/** What -t does with our terminal, podman's warning included. */
function terminalPlanFor(io: Omit<AttachedIo, 'beforeStart'>): TerminalPlan | undefined {
  const plan = io.terminal ? planForOurStdio(io.stdin) : undefined;
  if (plan?.warn) log.warn('The input device is not a TTY. The --tty and --interactive flags might not work properly');
  return plan;
}

/** A process a runtime command left to us, and its terminal's master with -t. */
interface Launched {
  readonly pid: number;
  readonly master: number | undefined;
  /** Settles once its logged output has ended. */
  readonly output: Promise<void>;
}

/**
 * A runtime command (ARGS, then ID) that leaves its process to us: `create`,
 * `exec --detach`. With -t it is given a console socket (named SOCKETNAME:
 * several may be open at once), and we get the pty's master from it.
 * BEFORESTART is awaited before a failure is reported.
 */
async function launch(runtime: Runtime, dir: string, args: readonly string[], id: string, io: AttachedIo & { socketName: string }, what: string): Promise<Launched> {
  const pidFile = join(dir, 'pid');
  // Before the runtime runs: its process, orphaned when the runtime exits, must become ours and not init's.
  becomeSubreaper();
  const socket = io.terminal ? openConsoleSocket(runtime.stateRoot, io.socketName) : undefined;
  try {
    const consoleArgs = socket ? ['--console-socket', socket.path] : [];
    // Without a terminal, the process's stdio are the ones the runtime runs with.
    const stdio = socket ? 'ignore' : ourStdio(io.stdin, io.log);
    const command = runtimeCommand(runtime, [...globalArgs(runtime, dir), ...args, ...consoleArgs, '--pid-file', pidFile, id], stdio, pidFile, socket ? undefined : io.log);
    const status = await command.status;
    // The runtime is done with the bundle before anything is cleaned up; then the helper's own error comes first.
    await io.beforeStart;
    if (status !== 0) throw runtimeFailed(runtime, dir, what);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    try {
      return { pid, master: socket?.receive(), output: command.output };
    } catch (err) {
      process.kill(pid, 'SIGKILL');
      throw err;
    }
  } finally {
    socket?.close();
  }
}

/**
 * `create`, then `start` once BEFORESTART is ready: with -t, create is given
 * a console socket, and we get the pty's master from it. Both runtimes exit
 * after `start`, so the container's process is waited for here, as its
 * subreaper, and signals go to it directly.
 */
async function createThenStart(runtime: Runtime, bundle: string, id: string, io: AttachedIo): Promise<number> {
  const plan = terminalPlanFor(io);
  let launched: Launched;
  try {
    launched = await launch(runtime, bundle, ['create', '--bundle', bundle], id, { ...io, socketName: id }, START);
  } catch (err) {
    removeRuntimeState(runtime, id);
    throw err;
  }
  try {
    return await supervise(
      launched,
      plan,
      () => {
        const started = spawnSync(runtime.path, [...globalArgs(runtime, bundle), 'start', id], { stdio: 'ignore' });
        if (started.status !== 0) throw runtimeFailed(runtime, bundle, START);
      },
      io.log,
    );
  } finally {
    removeRuntimeState(runtime, id);
  }
}

/**
 * Holds the process LAUNCHED left us until it ends, and returns its exit
 * code: its terminal joined to ours as PLAN says, signals sent to tpod passed
 * to it. START, when given, lets it run (`start` for a created container);
 * if that fails, the process is killed.
 */
async function supervise({ pid, master, output }: Launched, plan: TerminalPlan | undefined, start?: () => void, log?: ContainerLog): Promise<number> {
  const terminal = master !== undefined && plan ? attachTerminal(master, plan, log) : undefined;
  let running = true;
  const exited = waitForExit(pid).finally(() => (running = false));
  // Only until it is reaped: then its pid may be another process's.
  const forward = (signal: NodeJS.Signals) => running && process.kill(pid, signal);
  for (const s of FORWARDED) process.on(s, forward);
  let drainLimit: NodeJS.Timeout | undefined;
  try {
    try {
      start?.();
    } catch (err) {
      process.kill(pid, 'SIGKILL');
      await exited;
      throw err;
    }
    const code = await exited;
    const drained = terminal ? terminal.drained : output;
    await Promise.race([drained, new Promise((settle) => (drainLimit = setTimeout(settle, DRAIN_LIMIT_MS)))]);
    return code;
  } finally {
    clearTimeout(drainLimit);
    for (const s of FORWARDED) process.off(s, forward);
    terminal?.detach();
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

/** The pid of container ID's process while the runtime has it running, else undefined. */
export function runningPid(runtime: Runtime, id: string): number | undefined {
  const r = spawnSync(runtime.path, [...runtimeRoot(runtime), 'state', id], { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const state = JSON.parse(r.stdout) as { status?: string; pid?: number };
  return state.status === 'running' && state.pid ? state.pid : undefined;
}

/** Forgets container ID in the runtime's state, whatever became of it. */
export function removeRuntimeState(runtime: Runtime, id: string): void {
  spawnSync(runtime.path, [...runtimeRoot(runtime), 'delete', '--force', id], { stdio: 'ignore' });
}
