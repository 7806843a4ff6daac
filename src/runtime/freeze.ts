/**
 * Freezing and thawing a container through its OCI runtime (`pause`,
 * `resume`: the cgroup v2 freezer of the container's cgroup), and asking the
 * runtime what state a container is in.
 */
import { spawnSync } from 'node:child_process';
import { TpodError } from '../errors.js';
import { type Runtime, runtimeRoot } from './oci-runtime.js';

/** The runtime's reason, from its stderr: crun writes it plainly, runc as logrus text (msg="..."). */
function reasonIn(stderr: string): string | undefined {
  const line = stderr.trim().split('\n').at(-1)?.trim();
  if (!line) return undefined;
  const msg = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
  return msg === undefined ? line : msg.replace(/\\(.)/g, '$1');
}

function runtimeVerb(runtime: Runtime, verb: 'pause' | 'resume', id: string): void {
  const r = spawnSync(runtime.path, [...runtimeRoot(runtime), verb, id], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new TpodError(`${runtime.name} could not ${verb} the container: ${reasonIn(r.stderr ?? '') ?? r.error?.message ?? 'it gave no reason'}`);
}

export const freeze = (runtime: Runtime, id: string): void => runtimeVerb(runtime, 'pause', id);
export const thaw = (runtime: Runtime, id: string): void => runtimeVerb(runtime, 'resume', id);

export interface RuntimeStatus {
  /** creating, created, running, paused or stopped. */
  readonly status: string;
  readonly pid: number;
}

/** What the runtime says of container ID; undefined when it does not know it. */
export function runtimeStatus(runtime: Runtime, id: string): RuntimeStatus | undefined {
  const r = spawnSync(runtime.path, [...runtimeRoot(runtime), 'state', id], { stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  const state = JSON.parse(r.stdout) as { status?: string; pid?: number };
  return { status: state.status ?? 'unknown', pid: state.pid ?? 0 };
}
