/** native/idmap.c through its test driver: what tpod asks newuidmap for. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const driver = fileURLToPath(new URL('../../native/idmap-test', import.meta.url));
const maps = (subuid: string, name = 'dev', id = '1000') => spawnSync(driver, [name, id], { input: subuid, encoding: 'utf8' }).stdout;

describe('subordinate ranges to id maps', () => {
  it('maps our own id to 0 and stacks our ranges from 1, in file order', () => {
    expect(maps('other:100000:65536\ndev:165536:65536\ndev:300000:10\n')).toBe('0 1000 1\n1 165536 65536\n65537 300000 10\n');
  });
  it('accepts the numeric uid in place of the name', () => {
    expect(maps('1000:200000:5\n')).toBe('0 1000 1\n1 200000 5\n');
  });
  it('gives only our own id without ranges', () => {
    expect(maps('other:100000:65536\n# dev:1:2\n')).toBe('0 1000 1\n');
  });
  it('does not take a name that merely starts like ours', () => {
    expect(maps('developer:100000:65536\n')).toBe('0 1000 1\n');
  });
  it('refuses a range that contains our own id', () => {
    expect(maps('dev:900:200\n')).toBe('error: the subordinate range 900:200 of dev contains your own id 1000; give it a range that does not\n');
  });
  it('refuses a malformed line of ours', () => {
    expect(maps('dev:abc:10\n')).toMatch(/^error: malformed line for dev/);
  });
});
