import { TpodError } from '../../errors.js';

/** --label and --opt as podman reads them: KEY=VALUE, or KEY alone for an empty value; the last one of a key wins. Pure. */
export function keyValues(what: string, list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (key === '') throw new TpodError(`invalid ${what} "${item}": no key`);
    out[key] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return out;
}
