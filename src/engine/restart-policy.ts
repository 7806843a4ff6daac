/** `--restart` as podman reads and applies it. Pure. */
import { TpodError } from '../errors.js';

export interface RestartPolicy {
  readonly name: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  /** on-failure:N: at most N restarts; 0 for no limit. */
  readonly max: number;
}

export function parseRestartPolicy(text: string): RestartPolicy {
  const [name = '', count, ...rest] = text.split(':');
  const known = ['no', 'on-failure', 'always', 'unless-stopped'];
  if (!known.includes(name) || rest.length) throw new TpodError(`invalid restart policy "${text}"`, { hint: 'no, on-failure[:N], always or unless-stopped' });
  if (count !== undefined && (name !== 'on-failure' || !/^\d+$/.test(count))) throw new TpodError(`invalid restart policy "${text}": only on-failure takes a count of retries`);
  return { name: name as RestartPolicy['name'], max: count === undefined ? 0 : Number(count) };
}

/**
 * Whether a container that ended with EXITCODE starts again: never after the
 * user stopped it, always after --health-on-failure=restart stopped it for
 * being UNHEALTHY (podman's shouldRestart).
 */
export function shouldRestart(policy: RestartPolicy | undefined, exitCode: number | undefined, restarts: number, stoppedByUser: boolean, restartUnhealthy = false): boolean {
  if (restartUnhealthy) return true;
  if (!policy || policy.name === 'no' || stoppedByUser) return false;
  if (policy.name === 'on-failure') return exitCode !== 0 && (policy.max === 0 || restarts < policy.max);
  return true;
}
