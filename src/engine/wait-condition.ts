/**
 * `tpod wait --condition` and `--interval` as podman reads them: the
 * container states podman 4 can wait for, under its names, and podman 5's
 * healthy and unhealthy. Pure.
 */
import { TpodError } from '../errors.js';
import { parseGoDuration } from '../spec/healthcheck.js';
import { statusOf } from '../storage/container-status.js';
import type { ContainerRecord } from '../storage/containers.js';

export type WaitCondition = 'created' | 'running' | 'paused' | 'exited' | 'healthy' | 'unhealthy';

// podman's names for the states tpod has: configured is created, stopped is exited.
const NAMES: Readonly<Record<string, WaitCondition>> = {
  configured: 'created', created: 'created', running: 'running', paused: 'paused', stopped: 'exited', exited: 'exited', healthy: 'healthy', unhealthy: 'unhealthy',
};
// States podman has and tpod never shows: waiting for one would never end.
const NEVER = ['stopping', 'removing', 'unknown'];

/** The --condition words (each may be a comma-separated list, as podman takes them); none: the exit. */
export function parseWaitConditions(words: readonly string[]): ReadonlySet<WaitCondition> {
  const conditions = new Set<WaitCondition>();
  for (const word of words.flatMap((w) => w.split(','))) {
    const condition = NAMES[word.trim().toLowerCase()];
    if (condition) conditions.add(condition);
    else if (NEVER.includes(word.trim().toLowerCase())) throw new TpodError(`a container is never "${word}" in tpod: nothing to wait for`);
    else throw new TpodError(`unknown container state: ${word}: invalid argument`);
  }
  if (!conditions.size) conditions.add('exited');
  return conditions;
}

/** --interval: a Go duration, or a bare number of milliseconds, as podman reads it; in milliseconds. */
export function parseWaitInterval(text: string): number {
  const ns = /^\d+$/.test(text.trim()) ? Number(text) * 1e6 : parseGoDuration(text);
  if (ns === undefined || ns <= 0) throw new TpodError(`invalid --interval "${text}": a duration such as 250ms or 1s is needed`);
  return ns / 1e6;
}

/** Whether C is as one of CONDITIONS asks. */
export function conditionMet(c: ContainerRecord, conditions: ReadonlySet<WaitCondition>): boolean {
  const health = c.state === 'running' ? c.health?.Status : undefined;
  return conditions.has(statusOf(c)) || (health !== undefined && health !== 'starting' && conditions.has(health));
}
