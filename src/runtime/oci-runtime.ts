/**
 * Running a bundle with the OCI runtime: crun where it works, else runc
 * (`tpod info` shows which and why), attached to our stdio. The runtime runs
 * inside tpod's user namespace, where it is root over the subordinate ids.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';
import { cgroupVersion } from '../cgroups/detect.js';
import { TpodError } from '../errors.js';
import { findProgram } from '../sys/programs.js';
import { RUNTIME_PREFERENCE, chooseRuntime, judgeRuntime } from './choose.js';

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
export function lastRuntimeError(log: string): string {
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
  return errors.at(-1)?.msg?.replace(/^runc run failed: /, '') ?? 'it logged no reason';
}

function lastError(logFile: string): string {
  try {
    return lastRuntimeError(readFileSync(logFile, 'utf8'));
  } catch {
    return 'it logged no reason';
  }
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Runs container ID from BUNDLE in the foreground, with our stdin, stdout and
 * stderr. Signals sent to tpod go to the runtime, which passes them to the
 * container. Returns the container's exit code (128 + signal when killed).
 */
export interface AttachedIo {
  /** The spec asks for a terminal (-t). */
  readonly terminal: boolean;
  /** -i: the container gets our standard input. */
  readonly stdin: boolean;
}

export function runAttached(runtime: Runtime, bundle: string, id: string, io: AttachedIo): Promise<number> {
  // The runtime writes the pid file once the container's process exists: without it, a
  // failure is the runtime's own (its message is on stderr already), not the container's exit code.
  const pidFile = join(bundle, 'pid');
  // The runtime's own messages go to a log, not between the container's output: its
  // warnings (runc's about cgroup v1 OOM counts) are noise, its error becomes our one line.
  const logFile = join(bundle, 'runtime.log');
  const child = spawn(runtime.path, ['--root', runtime.stateRoot, '--log', logFile, '--log-format', 'json', 'run', '--pid-file', pidFile, '--bundle', bundle, id], { stdio: [io.stdin ? 'inherit' : 'ignore', 'inherit', 'inherit'] });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const s of FORWARDED) process.on(s, forward);
  return new Promise((done, fail) => {
    child.on('error', (err) => fail(new TpodError(`cannot start ${runtime.name}: ${err.message}`)));
    child.on('exit', (code, signal) => {
      for (const s of FORWARDED) process.off(s, forward);
      if (code !== 0 && !existsSync(pidFile)) fail(new TpodError(`${runtime.name} could not start the container: ${lastError(logFile)}`));
      else done(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/** Forgets container ID in the runtime's state, whatever became of it. */
export function removeRuntimeState(runtime: Runtime, id: string): void {
  spawnSync(runtime.path, ['--root', runtime.stateRoot, 'delete', '--force', id], { stdio: 'ignore' });
}
