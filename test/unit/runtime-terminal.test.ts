import { describe, expect, it } from 'vitest';
import { terminalPlan } from '../../src/runtime/terminal.js';

describe('terminalPlan (-t)', () => {
  it('with -i on a terminal: raw mode, our keys passed on, no warning', () => {
    expect(terminalPlan(true, true)).toEqual({ raw: true, forwardInput: true, warn: false });
  });

  it('with -i on a pipe or file: its data passed on, and podman\'s warning', () => {
    expect(terminalPlan(true, false)).toEqual({ raw: false, forwardInput: true, warn: true });
  });

  it('without -i: our terminal left as it is (^C stays a signal), nothing passed on, no warning', () => {
    expect(terminalPlan(false, true)).toEqual({ raw: false, forwardInput: false, warn: false });
    expect(terminalPlan(false, false)).toEqual({ raw: false, forwardInput: false, warn: false });
  });
});
