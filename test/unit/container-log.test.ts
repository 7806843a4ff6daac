/** The k8s-file log tpod writes for attached containers, read back as tpod logs reads conmon's. */
import { describe, expect, it } from 'vitest';
import { journalEntry, parseLogLines } from '../../src/engine/logs.js';
import { logLines, logTime } from '../../src/runtime/container-log.js';

describe('container log', () => {
  it('writes times as conmon does', () => {
    expect(logTime(new Date('2026-11-24T21:40:31.941Z'), 998)).toBe('2026-11-24T21:40:31.941000998+00:00');
  });

  it('writes whole lines and keeps the rest for later, which tpod logs reads back', () => {
    const time = '2026-11-24T21:40:31.941000000+00:00';
    const { lines, rest } = logLines('stderr', 'one\ntwo\nthr', time);
    expect(lines).toBe(`${time} stderr F one\n${time} stderr F two\n`);
    expect(rest).toBe('thr');
    expect(parseLogLines(lines).entries.map((e) => [e.stream, e.text])).toEqual([['stderr', 'one\n'], ['stderr', 'two\n']]);
    expect(logLines('stdout', 'no newline', time)).toEqual({ lines: '', rest: 'no newline' });
  });
});

describe('a journal entry of conmon\'s (--log-driver journald)', () => {
  it('is a line of the stream its PRIORITY says, at its time to the microsecond', () => {
    const at = String(Date.UTC(2026, 10, 25, 2, 3, 4) * 1000 + 506197);
    expect(journalEntry({ MESSAGE: 'hello', PRIORITY: '6', __REALTIME_TIMESTAMP: at })).toEqual({ time: '2026-11-25T02:03:04.506197000+00:00', stream: 'stdout', text: 'hello\n' });
    expect(journalEntry({ MESSAGE: 'oops', PRIORITY: '3', __REALTIME_TIMESTAMP: at })?.stream).toBe('stderr');
    // conmon 2.1 (Debian 12's) sends the newline too.
    expect(journalEntry({ MESSAGE: 'hello\n', PRIORITY: '6', __REALTIME_TIMESTAMP: at })?.text).toBe('hello\n');
  });

  it('keeps a partial line without a newline, reads a message of bytes, and skips what has no message', () => {
    const at = '1';
    expect(journalEntry({ MESSAGE: 'half', PRIORITY: '6', CONTAINER_PARTIAL_MESSAGE: 'true', __REALTIME_TIMESTAMP: at })?.text).toBe('half');
    expect(journalEntry({ MESSAGE: [0x68, 0xc3, 0xa9], PRIORITY: '6', __REALTIME_TIMESTAMP: at })?.text).toBe('hé\n');
    expect(journalEntry({ MESSAGE: null, PRIORITY: '6', __REALTIME_TIMESTAMP: at })).toBeUndefined();
    expect(journalEntry({ PRIORITY: '6', __REALTIME_TIMESTAMP: at })).toBeUndefined();
  });
});
