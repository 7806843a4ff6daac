/** tpod's own version, read once from package.json beside dist/. */
import { readFileSync } from 'node:fs';

export function tpodVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
