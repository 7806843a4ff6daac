/**
 * A container's healthcheck timer, made as podman makes it
 * (libpod/healthcheck_linux.go createTimer, startTimer,
 * removeTransientFiles): a transient timer UNIT.timer in the user's systemd
 * instance that starts UNIT.service, `tpod healthcheck run ID`, an interval
 * after its last run ended. UNIT is the container's id and a random suffix,
 * new at each start (podman 5's names): a container that a check restarts
 * gets its new timer while the check that stopped it still runs as the old
 * unit's service. systemd-run and systemctl talk to the user's bus
 * as tpod's own D-Bus client does (no identity named), so they work from
 * inside tpod's user namespace.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { TpodError } from '../errors.js';
import { findProgram } from '../sys/programs.js';
import { sessionBusSocket } from './dbus.js';

/** What tpod's own environment the check needs: where its storage, run directory and programs are. */
const PASSED_ENV = ['PATH', 'XDG_DATA_HOME', 'XDG_RUNTIME_DIR', 'XDG_CONFIG_HOME'];

/** A new name for container ID's timer and service. */
const timerUnitName = (id: string): string => `${id}-${randomBytes(8).toString('hex')}`;

/** systemd-run's arguments for container ID's timer UNIT, every INTERVAL (systemd's or Go's duration syntax). Pure. */
export function timerArgs(id: string, unit: string, interval: string, launcher: string, env: NodeJS.ProcessEnv): string[] {
  return [
    '--user',
    // Each check's start and end would otherwise fill the journal.
    '--property=LogLevelMax=notice',
    ...PASSED_ENV.flatMap((name) => (env[name] ? [`--setenv=${name}=${env[name]}`] : [])),
    '--unit', unit,
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
 * the service's last end would otherwise never fire), as podman does;
 * returns the timer's unit name.
 */
export function createTimer(id: string, interval: string, launcher: string, env: NodeJS.ProcessEnv): string {
  const program = findProgram('systemd-run', env.PATH);
  if (!program) throw new TpodError('systemd-run is not installed');
  const unit = timerUnitName(id);
  const r = spawnSync(program, timerArgs(id, unit, interval, launcher, env), { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new TpodError(`systemd-run failed: ${(r.stderr ?? '').trim() || `exit status ${r.status}`}`);
  // --no-block: the check runs beside the start, which does not wait for it.
  const started = systemctl(['--no-block', 'start', `${unit}.service`]);
  if (started.status !== 0) throw new TpodError(`cannot start ${unit}.service: ${started.stderr.trim()}`);
  return unit;
}

/**
 * Stops timer UNIT, then its service (a check under way), unless that is
 * this very process (a check that found its container ended, or ended it),
 * which ends by itself. A unit already gone is no error.
 */
export function removeTimer(unit: string): void {
  const own = (() => {
    try {
      return readFileSync('/proc/self/cgroup', 'utf8').includes(`/${unit}.service`);
    } catch {
      return false;
    }
  })();
  systemctl(['stop', `${unit}.timer`, ...(own ? [] : [`${unit}.service`])]);
  // A failed check's service would stay loaded.
  if (!own) systemctl(['reset-failed', `${unit}.service`]);
}
