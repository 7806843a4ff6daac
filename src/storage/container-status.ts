/**
 * The state podman shows (ps, inspect, --filter status=): a paused container
 * is "paused", not "running". Pure, and apart from containers.ts, which
 * commands load only when they run.
 */
import type { ContainerRecord, ContainerState } from './containers.js';

export function statusOf(c: ContainerRecord): ContainerState | 'paused' {
  return c.state === 'running' && c.paused ? 'paused' : c.state;
}
