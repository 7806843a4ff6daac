/**
 * A container's healthcheck timer, made as podman makes it
 * (libpod/healthcheck_linux.go createTimer, startTimer,
 * removeTransientFiles): a transient timer ID.timer in the user's systemd
 * instance that starts ID.service, `tpod healthcheck run ID`, an interval
 * after its last run ended. systemd-run and systemctl talk to the user's bus
 * as tpod's own D-Bus client does (no identity named), so they work from
 * inside tpod's user namespace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { TpodError } from '../errors.js';
import { findProgram } from '../sys/programs.js';
import { sessionBusSocket } from './dbus.js';

/** What tpod's own environment the check needs: where its storage, run directory and programs are. */
const PASSED_ENV = ['PATH', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME'];

/** systemd-run's arguments for container ID's timer, every INTERVAL (systemd's or Go's duration syntax). Pure. */
export function timerArgs(id: string, interval: string, launcher: string, env: NodeJS.ProcessEnv): string[] {
  return [
    '--user',
    // Each check's start and end would otherwise fill the journal.
    '--property=LogLevelMax=notice',
    ...PASSED_ENV.flatMap((name) => (env[name] ? [`--setenv=${name}=${env[name]}`] : [])),
    '--unit', id,
    `--on-unit-inactive=${interval}`,
    '--timer-property=AccuracySec=1s',
    // A short interval must not run into systemd's start limit.
    '--property=StartLimitIntervalSec=0',
    launcher, 'healthcheck', 'run', '--ignore-result', id,
  ];
}

/** Whether the user has a systemd instance to run timers: systemd booted the host, and the session bus is there. */
export function userSystemd(env: NodeJS.ProcessEnv): boolean {
  const bus = sessionBusSocket(env);
  return existsSync('/run/systemd/system') && bus !== undefined && (bus.startsWith('\0') || existsSync(bus));
}

function systemctl(args: readonly string[]): { status: number | null; stderr: string } {
  const r = spawnSync('systemctl', ['--user', ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  return { status: r.status, stderr: r.stderr ?? '' };
}

/**
 * Makes container ID's timer and runs its first check at once (a timer on
 * the service's last end would otherwise never fire), as podman does.
 */
export function createTimer(id: string, interval: string, launcher: string, env: NodeJS.ProcessEnv): void {
  const program = findProgram('systemd-run', env.PATH);
  if (!program) throw new TpodError('systemd-run is not installed');
  const r = spawnSync(program, timerArgs(id, interval, launcher, env), { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new TpodError(`systemd-run failed: ${(r.stderr ?? '').trim() || `exit status ${r.status}`}`);
  // --no-block: the check runs beside the start, which does not wait for it.
  const started = systemctl(['--no-block', 'start', `${id}.service`]);
  if (started.status !== 0) throw new TpodError(`cannot start ${id}.service: ${started.stderr.trim()}`);
}

/**
 * Stops container ID's timer, then its service (a check under way), unless
 * that is this very process (a check that found its container ended), which
 * ends by itself. A unit already gone is no error.
 */
export function removeTimer(id: string): void {
  const own = (() => {
    try {
      return readFileSync('/proc/self/cgroup', 'utf8').includes(`/${id}.service`);
    } catch {
      return false;
    }
  })();
  systemctl(['stop', `${id}.timer`, ...(own ? [] : [`${id}.service`])]);
  // A failed check's service would stay loaded.
  if (!own) systemctl(['reset-failed', `${id}.service`]);
}
