/** The detach keys of tpod attach, as podman reads and watches for them. */
import { describe, expect, it } from 'vitest';
import { DetachScanner, parseDetachKeys } from '../../src/runtime/attach.js';

describe('detach keys', () => {
  it('reads podman\'s spelling', () => {
    expect([...parseDetachKeys('ctrl-p,ctrl-q')]).toEqual([0x10, 0x11]);
    expect([...parseDetachKeys('ctrl-a,x,ctrl-@')]).toEqual([0x01, 0x78, 0x00]);
    expect([...parseDetachKeys('')]).toEqual([]);
    expect(() => parseDetachKeys('ctrl-p,shift-q')).toThrow('invalid detach keys "ctrl-p,shift-q": "shift-q" is not a key');
  });

  it('passes input on, holds back what may begin the sequence, and detaches at its end', () => {
    const scanner = new DetachScanner(parseDetachKeys('ctrl-p,ctrl-q'));
    expect(scanner.scan(Buffer.from('ls\r'))).toEqual({ forward: Buffer.from('ls\r'), detach: false });
    expect(scanner.scan(Buffer.from([0x10]))).toEqual({ forward: Buffer.alloc(0), detach: false });
    // ctrl-p then another key: both go on, as typed.
    expect(scanner.scan(Buffer.from('a'))).toEqual({ forward: Buffer.from([0x10, 0x61]), detach: false });
    expect(scanner.scan(Buffer.from([0x61, 0x10, 0x10, 0x11]))).toEqual({ forward: Buffer.from([0x61, 0x10]), detach: true });
  });

  it('never detaches with no keys', () => {
    const scanner = new DetachScanner(parseDetachKeys(''));
    expect(scanner.scan(Buffer.from([0x10, 0x11]))).toEqual({ forward: Buffer.from([0x10, 0x11]), detach: false });
  });
});
