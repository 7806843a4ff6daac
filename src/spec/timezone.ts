/**
 * --tz as podman reads it: "local" for the host's own /etc/localtime, or a
 * zone name under the host's /usr/share/zoneinfo, whose file the container
 * gets as its /etc/localtime. Pure.
 */
import { TpodError } from '../errors.js';

export const ZONEINFO = '/usr/share/zoneinfo';

/** The host file that zone TZ names; a name that could leave ZONEINFO is no zone. */
export function zoneFile(tz: string): string {
  if (tz === 'local') return '/etc/localtime';
  if (!/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/.test(tz)) throw new TpodError(`finding timezone: unknown time zone ${tz}`);
  return `${ZONEINFO}/${tz}`;
}
