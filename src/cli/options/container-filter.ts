/**
 * `ps --filter KEY=VALUE` as podman reads it: filters of one key match if
 * any of their values matches, and every key must match. Pure.
 */
import { TpodError } from '../../errors.js';
import { statusOf } from '../../storage/container-status.js';
import type { ContainerRecord } from '../../storage/containers.js';

const KEYS = ['name', 'id', 'status', 'label', 'ancestor'] as const;
type Key = (typeof KEYS)[number];
const STATUSES = ['created', 'running', 'exited', 'paused', 'unknown'];

function matches(key: Key, value: string, c: ContainerRecord): boolean {
  switch (key) {
    case 'name':
      // podman matches names as regular expressions.
      return new RegExp(value).test(c.name);
    case 'id':
      return c.id.startsWith(value);
    case 'status':
      return statusOf(c) === value;
    case 'label': {
      const eq = value.indexOf('=');
      const labels = c.labels ?? {};
      return eq < 0 ? value in labels : labels[value.slice(0, eq)] === value.slice(eq + 1);
    }
    case 'ancestor': {
      // An image by id prefix, or by name with or without its tag.
      const untagged = c.imageName.replace(/:[^:/]+$/, '');
      return c.imageId.startsWith(value) || c.imageName === value || untagged === value || untagged.endsWith(`/${value}`) || c.imageName.endsWith(`/${value}`);
    }
  }
}

export interface ContainerFilter {
  (c: ContainerRecord): boolean;
  /** A status filter asks about stopped containers too: podman then lists all. */
  readonly impliesAll: boolean;
}

export function containerFilter(specs: readonly string[]): ContainerFilter {
  const byKey = new Map<Key, string[]>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const key = spec.slice(0, eq) as Key;
    const value = spec.slice(eq + 1);
    if (eq < 0 || !KEYS.includes(key)) throw new TpodError(`invalid filter "${spec}"`, { hint: `tpod knows ${KEYS.map((k) => `${k}=`).join(', ')}` });
    if (key === 'status' && !STATUSES.includes(value)) throw new TpodError(`invalid status "${value}"`, { hint: `one of ${STATUSES.join(', ')}` });
    if (key === 'name') {
      try {
        new RegExp(value);
      } catch {
        throw new TpodError(`invalid filter "${spec}": not a regular expression`);
      }
    }
    byKey.set(key, [...(byKey.get(key) ?? []), value]);
  }
  const filter = (c: ContainerRecord) => [...byKey].every(([key, values]) => values.some((v) => matches(key, v, c)));
  return Object.assign(filter, { impliesAll: byKey.has('status') });
}
