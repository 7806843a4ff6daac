/**
 * How a container is stopped, as podman stops it: its stop signal (the
 * image's StopSignal, or --stop-signal), then SIGKILL once its stop timeout
 * has passed. Pure.
 */
import { constants } from 'node:os';
import { TpodError } from '../errors.js';

/**
 * How long a stop waits for the stop signal to work before SIGKILL, unless
 * told: podman's default (containers.conf stop_timeout), which inspect shows
 * as Config.StopTimeout.
 */
export const STOP_TIMEOUT_SECONDS = 10;

/** A container's stop timeout: its --stop-timeout, else the default. */
export const stopTimeoutOf = (config: { readonly stopTimeout?: number }): number => config.stopTimeout ?? STOP_TIMEOUT_SECONDS;

/** --stop-signal: a name (TERM, SIGTERM, any case) or a number; the name as the runtime's kill takes it (SIGTERM), or the number. */
export function parseStopSignal(text: string): string {
  const word = text.trim().toUpperCase();
  if (/^\d+$/.test(word) && Number(word) >= 1 && Number(word) <= 64) return String(Number(word));
  const name = word.startsWith('SIG') ? word : `SIG${word}`;
  if (name in constants.signals) return name;
  throw new TpodError(`invalid signal: ${text}`);
}

/** --stop-timeout and the -t of stop, restart and rm: whole seconds, 0 or more. */
export function parseStopTimeout(value: unknown, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new TpodError(`invalid ${flag} "${String(value)}": a whole number of seconds is needed`);
  return n;
}
