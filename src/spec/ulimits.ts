/**
 * --ulimit as podman (docker's go-units) reads it: TYPE=SOFT[:HARD], the
 * type by its ulimit(1) name, over the limits tpod gives every container.
 * Pure.
 */
import { TpodError } from '../errors.js';
import type { OciRlimit } from './oci-types.js';

const TYPES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

export function parseUlimit(text: string): OciRlimit {
  const m = /^([a-z]+)=(\d+)(?::(\d+))?$/.exec(text.trim());
  if (!m) {
    const type = text.split('=')[0] ?? '';
    if (type && !TYPES.includes(type)) throw new TpodError(`invalid ulimit type: ${type}`);
    throw new TpodError(`invalid ulimit "${text}": TYPE=SOFT[:HARD] with whole numbers is needed, such as nofile=1024:2048 (unlimited is not supported)`);
  }
  const [, type = '', soft = '', hard = soft] = m;
  if (!TYPES.includes(type)) throw new TpodError(`invalid ulimit type: ${type}`);
  if (Number(soft) > Number(hard)) throw new TpodError(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { type: `RLIMIT_${type.toUpperCase()}`, soft: Number(soft), hard: Number(hard) };
}

/** The container's limits: DEFAULTS, each replaced by a --ulimit of its type, then the others given. */
export function withUlimits(defaults: readonly OciRlimit[], given: readonly OciRlimit[]): OciRlimit[] {
  const byType = new Map(given.map((l) => [l.type, l]));
  return [...defaults.map((d) => byType.get(d.type) ?? d), ...given.filter((l) => !defaults.some((d) => d.type === l.type))];
}
