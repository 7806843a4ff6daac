/**
 * Healthchecks as podman has them: the check a container gets (its image's
 * Healthcheck, or --health-cmd and the other --health-* flags), the command
 * it runs, and what a check's result does to the container's health status.
 * Pure: the engine (engine/healthcheck.ts) runs the checks and keeps the
 * results in the container's record.
 */
import { TpodError } from '../errors.js';

/**
 * The check, as the image config's Healthcheck (Docker's Schema2HealthConfig,
 * which podman keeps and inspect shows as Config.Healthcheck): durations in
 * nanoseconds, Interval 0 for no timer.
 */
export interface HealthConfig {
  /** ["CMD", prog, args...], ["CMD-SHELL", text], ["NONE"], or a bare command. */
  readonly Test: readonly string[];
  readonly Interval: number;
  readonly Timeout: number;
  readonly StartPeriod: number;
  readonly Retries: number;
}

/** --health-on-failure: what a check that leaves the container unhealthy does to it (podman's define.HealthCheckOnFailureAction). */
export const ON_FAILURE_ACTIONS = ['none', 'kill', 'restart', 'stop'] as const;
export type HealthOnFailure = (typeof ON_FAILURE_ACTIONS)[number];

/** What the --health-* flags and --no-healthcheck said; what is unset is the image's (or the default). */
export interface HealthFlags {
  readonly test?: readonly string[];
  readonly interval?: number;
  readonly timeout?: number;
  readonly startPeriod?: number;
  readonly retries?: number;
  readonly onFailure?: HealthOnFailure;
}

/** One check's outcome (podman's define.HealthCheckLog). */
export interface HealthLogEntry {
  readonly Start: string;
  readonly End: string;
  /** 0 passed, 1 failed, -1 killed at its timeout. */
  readonly ExitCode: number;
  readonly Output: string;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** A container's health (podman's define.HealthCheckResults: inspect's State.Health). */
export interface HealthResults {
  readonly Status: HealthStatus;
  readonly FailingStreak: number;
  readonly Log: readonly HealthLogEntry[];
}

const SECOND = 1e9;
/** podman's defaults (define.DefaultHealthCheck*). */
export const DEFAULT_INTERVAL = 30 * SECOND;
export const DEFAULT_TIMEOUT = 30 * SECOND;
export const DEFAULT_RETRIES = 3;
/** podman keeps the last five checks, and the first 500 characters of each one's output. */
export const MAX_LOG_ENTRIES = 5;
export const MAX_OUTPUT = 500;

const UNITS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: SECOND, m: 60 * SECOND, h: 3600 * SECOND };

/** A duration as Go's time.ParseDuration reads it ("1m30s", "1.5s", "0"), in nanoseconds; undefined when it is none. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([-+]?)(.*)$/.exec(text.trim())!;
  const body = m[2]!;
  if (body === '0') return 0;
  if (body === '') return undefined;
  let total = 0;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let at = 0;
  while (at < body.length) {
    part.lastIndex = at;
    const p = part.exec(body);
    if (!p) return undefined;
    total += Number(p[1]) * UNITS[p[2]!]!;
    at = part.lastIndex;
  }
  return Math.round(m[1] === '-' ? -total : total);
}

/** NS as Go's Duration.String() writes it ("30s", "1m30s", "500ms"), which systemd reads too. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  if (ns < SECOND) {
    for (const [unit, size] of [['ms', 1e6], ['µs', 1e3]] as const) if (ns >= size) return `${+(ns / size).toFixed(6)}${unit}`;
    return `${ns}ns`;
  }
  const h = Math.floor(ns / (3600 * SECOND));
  const m = Math.floor((ns % (3600 * SECOND)) / (60 * SECOND));
  const s = +((ns % (60 * SECOND)) / SECOND).toFixed(9);
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

function duration(flag: string, text: string): number {
  const ns = parseGoDuration(text);
  if (ns === undefined) throw new TpodError(`invalid ${flag} "${text}": a duration such as 30s, 1m30s or 500ms is needed`);
  return ns;
}

/**
 * --health-cmd as podman reads it: "none" disables the image's check; a JSON
 * array is run as it is (["CMD", ...] and ["CMD-SHELL", text] as they say,
 * a longer bare array as CMD); anything else is a shell command, run with
 * /bin/sh -c (CMD-SHELL), unless it starts with the word CMD.
 */
export function parseHealthCmd(text: string): string[] {
  let words: string[] | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) words = parsed;
  } catch {
    // Not JSON: a command line.
  }
  const first = (words ?? text.trim().split(/\s+/, 1))[0]?.toUpperCase() ?? '';
  if (text.trim() === '' || (words && words.length === 0)) throw new TpodError('must define a healthcheck command for all healthchecks');
  if (first === 'NONE') return ['NONE'];
  if (first === 'CMD') return words ? ['CMD', ...words.slice(1)] : ['CMD', ...text.trim().split(/\s+/).slice(1)];
  if (first === 'CMD-SHELL') return words ? words : ['CMD-SHELL', text.trim().slice('CMD-SHELL'.length).trim()];
  if (words && words.length > 1) return ['CMD', ...words];
  return ['CMD-SHELL', words ? words[0]! : text];
}

/** The --health-* flags as given (strings, each optional); TEST is --health-cmd, or ["NONE"] for --no-healthcheck. */
export function parseHealthFlags(given: { cmd?: string; noHealthcheck?: boolean; interval?: string; timeout?: string; startPeriod?: string; retries?: string; onFailure?: string }): HealthFlags | undefined {
  if (given.cmd !== undefined && given.noHealthcheck) throw new TpodError('cannot specify both --no-healthcheck and --health-cmd');
  const flags: { -readonly [K in keyof HealthFlags]: HealthFlags[K] } = {};
  if (given.cmd !== undefined) flags.test = parseHealthCmd(given.cmd);
  if (given.noHealthcheck) flags.test = ['NONE'];
  if (given.interval !== undefined) {
    flags.interval = given.interval === 'disable' ? 0 : duration('--health-interval', given.interval);
    if (flags.interval < 0) throw new TpodError('--health-interval cannot be negative');
  }
  if (given.timeout !== undefined) {
    flags.timeout = duration('--health-timeout', given.timeout);
    if (flags.timeout < SECOND) throw new TpodError('healthcheck-timeout must be at least 1 second');
  }
  if (given.startPeriod !== undefined) {
    flags.startPeriod = duration('--health-start-period', given.startPeriod);
    if (flags.startPeriod < 0) throw new TpodError('healthcheck-start-period must be 0 seconds or greater');
  }
  if (given.retries !== undefined) {
    if (!/^\d+$/.test(given.retries.trim()) || Number(given.retries) < 1) throw new TpodError('healthcheck-retries must be greater than 0');
    flags.retries = Number(given.retries);
  }
  if (given.onFailure !== undefined) {
    const action = ON_FAILURE_ACTIONS.find((a) => a === given.onFailure);
    if (!action) throw new TpodError(`invalid on-failure action "${given.onFailure}" for health check: supported actions are ${ON_FAILURE_ACTIONS.join(',')}`);
    flags.onFailure = action;
  }
  return Object.keys(flags).length ? flags : undefined;
}

/**
 * The container's --health-on-failure: none is not kept. Refused without a
 * check, as podman refuses it (--no-healthcheck's ["NONE"] counts as one
 * there, and so here).
 */
export function onFailureAction(flags: HealthFlags | undefined, check: HealthConfig | undefined): Exclude<HealthOnFailure, 'none'> | undefined {
  const action = flags?.onFailure;
  if (!action || action === 'none') return undefined;
  if (!check) throw new TpodError(`cannot set on-failure action to ${action} without a health check`);
  return action;
}

/** The image config's Healthcheck, as far as it is one. */
export interface ImageHealthcheck {
  readonly Test?: readonly string[] | null;
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly StartPeriod?: number;
  readonly Retries?: number;
}

/**
 * The container's check: --health-cmd with the flags (podman's defaults
 * where one is not given), else the image's with what the flags change (its
 * zero values meaning the defaults, as Docker's do); none without either,
 * and none (["NONE"], kept so that inspect shows it) for --no-healthcheck.
 */
export function healthConfig(flags: HealthFlags | undefined, image: ImageHealthcheck | null | undefined): HealthConfig | undefined {
  const base = flags?.test ? { Test: flags.test } : image?.Test?.length ? image : undefined;
  if (!base?.Test) return undefined;
  if (base.Test[0] === 'NONE') return { Test: ['NONE'], Interval: 0, Timeout: 0, StartPeriod: 0, Retries: 0 };
  const from = flags?.test ? {} : (base as ImageHealthcheck);
  return {
    Test: [...base.Test],
    Interval: flags?.interval ?? (from.Interval || DEFAULT_INTERVAL),
    Timeout: flags?.timeout ?? (from.Timeout || DEFAULT_TIMEOUT),
    StartPeriod: flags?.startPeriod ?? (from.StartPeriod || 0),
    Retries: flags?.retries ?? (from.Retries || DEFAULT_RETRIES),
  };
}

/** Whether CONFIG is a check to run (not absent, not NONE). */
export const hasHealthcheck = (config: HealthConfig | undefined): config is HealthConfig => Boolean(config && config.Test.length && config.Test[0] !== 'NONE');

/** The command a check runs, as podman's runHealthCheck makes it; undefined when it has none. */
export function healthCommand(test: readonly string[]): string[] | undefined {
  const [kind, ...rest] = test;
  const command = kind === 'CMD' ? rest : kind === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : kind === 'NONE' || kind === '' ? [] : [...test];
  return command.length && command[0] ? command : undefined;
}

/** Inspect's Config.Healthcheck: Docker's field names, zero values left out as Go's omitempty does. */
export function healthcheckReport(config: HealthConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => (Array.isArray(v) ? v.length > 0 : v !== 0)));
}

/** The health a start begins with: "starting", the streak and log kept, as podman keeps them. */
export function healthAtStart(previous: HealthResults | undefined): HealthResults {
  return { Status: 'starting', FailingStreak: previous?.FailingStreak ?? 0, Log: previous?.Log ?? [] };
}

/**
 * The health after a check ENTRY, as podman's updateHealthCheckLog makes it:
 * a pass makes it healthy and ends the streak; a failure outside the start
 * period lengthens the streak, and at RETRIES failures in a row makes it
 * unhealthy (inside it, the status stays as it was). The log keeps the last
 * five checks.
 */
export function afterCheck(previous: HealthResults | undefined, entry: HealthLogEntry, retries: number, inStartPeriod: boolean): HealthResults {
  let status: HealthStatus = previous?.Status ?? 'starting';
  let streak = previous?.FailingStreak ?? 0;
  if (entry.ExitCode === 0) {
    status = 'healthy';
    streak = 0;
  } else if (!inStartPeriod) {
    streak += 1;
    if (streak >= retries) status = 'unhealthy';
  }
  const log = [...(previous?.Log ?? []), { ...entry, Output: entry.Output.slice(0, MAX_OUTPUT) }].slice(-MAX_LOG_ENTRIES);
  return { Status: status, FailingStreak: streak, Log: log };
}
