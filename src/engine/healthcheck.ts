/**
 * Healthchecks: `tpod healthcheck run` runs a container's check once,
 * through the same exec path as `tpod exec`, and records the result in the
 * container's record; a detached container's start schedules the check with
 * a systemd timer where the user has a systemd instance, and its end
 * removes the timer (podman's libpod/healthcheck.go and
 * healthcheck_linux.go).
 */
import { EXIT_CANNOT_INVOKE, EXIT_NOT_FOUND, TpodError, errorLine } from '../errors.js';
import { log } from '../log.js';
import { execCaptured } from '../runtime/oci-runtime.js';
import { type HealthConfig, type HealthLogEntry, type HealthResults, afterCheck, formatGoDuration, hasHealthcheck, healthCommand } from '../spec/healthcheck.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import { createTimer, removeTimer, userSystemd } from '../systemd/health-timer.js';
import { findContainer, killContainer, stopContainer } from './containers.js';
import type { Context } from './context.js';
import { inExecSession } from './exec.js';
import { configOf, tpodLauncher } from './start.js';

/** C's check, when it has one to run. */
export function healthcheckOf(c: ContainerRecord): HealthConfig | undefined {
  const config = configOf(c).healthcheck;
  return hasHealthcheck(config) ? config : undefined;
}

export interface CheckReport {
  /** This check's verdict, which `healthcheck run` exits with (podman 4's). */
  readonly passed: boolean;
  /** The container's health after it. */
  readonly health: HealthResults;
}

/** Runs CHECK's command in C; a command that cannot run (126, 127) fails the check, as the runtime's failure does podman's. */
async function runCheck(ctx: Context, c: ContainerRecord, check: HealthConfig): Promise<{ exitCode: number; output: string }> {
  const command = healthCommand(check.Test);
  if (!command) throw new TpodError(`container ${c.id} has no defined healthcheck`);
  const request = { command, tty: false, env: [], envFiles: [] };
  try {
    const r = await inExecSession(ctx, c, request, (runtime, dir, spec) => execCaptured(runtime, dir, c.id, spec, check.Timeout / 1e6));
    if (r.exitCode === undefined) return { exitCode: -1, output: `${r.output}healthcheck command exceeded timeout of ${formatGoDuration(check.Timeout)}` };
    return { exitCode: r.exitCode === 0 ? 0 : 1, output: r.output };
  } catch (err) {
    if (err instanceof TpodError && (err.exitCode === EXIT_NOT_FOUND || err.exitCode === EXIT_CANNOT_INVOKE)) return { exitCode: 1, output: errorLine(err) };
    throw err;
  }
}

/**
 * `tpod healthcheck run`: runs the check of the running container NAMEORID
 * once and records its result (under the store lock, in a record that may
 * have changed meanwhile).
 */
export async function runHealthcheck(ctx: Context, nameOrId: string): Promise<CheckReport> {
  const c = findContainer(ctx, nameOrId);
  if (c.state !== 'running' || c.paused) throw new TpodError(`container ${c.id} is not running`);
  const check = healthcheckOf(c);
  if (!check) throw new TpodError(`container ${c.id} has no defined healthcheck`);
  const start = new Date();
  const inStartPeriod = check.StartPeriod > 0 && start.getTime() < Date.parse(c.startedAt ?? c.created) + check.StartPeriod / 1e6;
  const result = await runCheck(ctx, c, check);
  const entry: HealthLogEntry = { Start: start.toISOString(), End: new Date().toISOString(), ExitCode: result.exitCode, Output: result.output };
  const containers = new Containers(ctx.store());
  const health = ctx.store().locked(() => {
    const now = containers.get(c.id);
    // Ended meanwhile: its health as it was.
    if (!now || now.state !== 'running') throw new TpodError(`container ${c.id} is not running`);
    return containers.update(c.id, { health: afterCheck(now.health, entry, check.Retries, inStartPeriod) }).health!;
  });
  if (health.Status === 'unhealthy') await actOnFailure(ctx, c);
  return { passed: result.exitCode === 0, health };
}

/**
 * --health-on-failure, after a check that left C unhealthy (podman's
 * processHealthCheckStatus): kill, or stop; restart is a stop too, and
 * conmon's exit command, which sees why, starts it again (cleanUpExited),
 * outside the check's own systemd unit.
 */
async function actOnFailure(ctx: Context, c: ContainerRecord): Promise<void> {
  const action = configOf(c).healthOnFailure;
  if (!action) return;
  log.info(`container ${c.name} is unhealthy: --health-on-failure=${action}`);
  if (action === 'kill') killContainer(ctx, c.id, 'KILL');
  else await stopContainer(ctx, c.id);
}

/**
 * At a detached container's start: its timer, where the user's systemd can
 * run one; elsewhere one warning that nothing runs the check (podman runs
 * none there either). The timer's unit name, if one was made.
 */
export function scheduleHealthcheck(ctx: Context, c: ContainerRecord): string | undefined {
  const check = healthcheckOf(c);
  if (!check || check.Interval === 0) return undefined;
  if (!userSystemd(ctx.env)) {
    log.warn(`the healthcheck of ${c.name} is not scheduled: there is no systemd user session here; run it with "tpod healthcheck run ${c.name}"`);
    return undefined;
  }
  try {
    return createTimer(c.id, formatGoDuration(check.Interval), tpodLauncher(), ctx.env);
  } catch (err) {
    log.warn(`the healthcheck of ${c.name} is not scheduled: ${errorLine(err)}`);
    return undefined;
  }
}

/** At a container's end: its timer and a check under way stopped, when its start made one (an attached run makes none). */
export function unscheduleHealthcheck(c: ContainerRecord): void {
  if (c.healthTimer) removeTimer(c.healthTimer);
}
