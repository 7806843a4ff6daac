/** The k8s-file log tpod writes for attached containers, read back as tpod logs reads conmon's. */
import { describe, expect, it } from 'vitest';
import { parseLogLines } from '../../src/engine/logs.js';
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
