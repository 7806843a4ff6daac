/** The committed man/ pages are what the command data gives now. */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pageName } from '../../src/cli/man.js';
import { commands } from '../../src/cli/registry.js';
import { walk } from '../../src/cli/spec.js';
import { generateMan } from '../../src/gen-man.js';

const manDir = new URL('../../man/', import.meta.url).pathname;
const rerun = 'run `npm run build && npm run docs` and commit man/';
const pageFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /^tpod.*\.[15]$/.test(f)).sort();

const fresh = mkdtempSync(join(tmpdir(), 'tpod-man-'));
afterAll(() => rmSync(fresh, { recursive: true, force: true }));
generateMan(fresh);

describe('man/', () => {
  it('has a page for every visible command', () => {
    const committed = pageFiles(manDir);
    for (const { path } of walk(commands)) {
      expect(committed, `no man page for "tpod ${path.join(' ')}": ${rerun}`).toContain(`${pageName(path)}.1`);
    }
  });

  it('holds exactly what the generator writes now', () => {
    expect(pageFiles(manDir), rerun).toEqual(pageFiles(fresh));
    for (const file of pageFiles(fresh)) {
      expect(readFileSync(join(manDir, file), 'utf8'), `man/${file} is out of date: ${rerun}`).toBe(
        readFileSync(join(fresh, file), 'utf8'),
      );
    }
  });

  it('has no page without a command', () => {
    const expected = new Set(['tpod.1', 'tpod-systemd.unit.5', ...walk(commands).map(({ path }) => `${pageName(path)}.1`)]);
    const stale = pageFiles(manDir).filter((f) => !expected.has(f));
    expect(stale, `pages of commands that are gone: ${rerun}`).toEqual([]);
  });

  it('loses stale pages when regenerated, and keeps other files', () => {
    writeFileSync(join(fresh, 'tpod-gone.1'), '');
    writeFileSync(join(fresh, 'README'), '');
    generateMan(fresh);
    expect(readdirSync(fresh)).not.toContain('tpod-gone.1');
    expect(readdirSync(fresh)).toContain('README');
  });
});
