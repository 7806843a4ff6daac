/** The advice run -d gives where logging out would end detached containers. */
import { describe, expect, it } from 'vitest';
import { lingerAdvice } from '../../src/rootless/linger.js';

describe('lingerAdvice', () => {
  it('names the command that fixes it, only where systemd runs and the user does not linger', () => {
    expect(lingerAdvice(true, false, 'dev')).toBe(
      'detached containers stop when you log out, since systemd ends the processes of users who do not linger: run `loginctl enable-linger dev` to keep them',
    );
    expect(lingerAdvice(true, true, 'dev')).toBeUndefined();
    expect(lingerAdvice(false, false, 'dev')).toBeUndefined();
  });
});
