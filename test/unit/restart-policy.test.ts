/** --restart as podman reads and applies it. */
import { describe, expect, it } from 'vitest';
import { parseRestartPolicy, shouldRestart } from '../../src/engine/restart-policy.js';

describe('restart policy', () => {
  it('reads podman\'s policies', () => {
    expect(parseRestartPolicy('no')).toEqual({ name: 'no', max: 0 });
    expect(parseRestartPolicy('on-failure:3')).toEqual({ name: 'on-failure', max: 3 });
    expect(parseRestartPolicy('always')).toEqual({ name: 'always', max: 0 });
    expect(() => parseRestartPolicy('sometimes')).toThrow('invalid restart policy "sometimes"');
    expect(() => parseRestartPolicy('always:2')).toThrow('only on-failure takes a count');
  });

  it('restarts on failure up to the count, always unless stopped by the user', () => {
    const onFailure = parseRestartPolicy('on-failure:2');
    expect(shouldRestart(onFailure, 1, 0, false)).toBe(true);
    expect(shouldRestart(onFailure, 1, 2, false)).toBe(false);
    expect(shouldRestart(onFailure, 0, 0, false)).toBe(false);
    expect(shouldRestart(parseRestartPolicy('always'), 0, 100, false)).toBe(true);
    expect(shouldRestart(parseRestartPolicy('always'), 137, 0, true)).toBe(false);
    expect(shouldRestart(parseRestartPolicy('no'), 1, 0, false)).toBe(false);
    expect(shouldRestart(undefined, 1, 0, false)).toBe(false);
  });
});
