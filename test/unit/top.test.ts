/** tpod top's pure parts: psgo's columns, Go's durations, terminals, ids inside a user namespace. */
import { describe, expect, it } from 'vitest';
import { type ContainerProcess, goDuration, idInside, parseDescriptors, topTable, ttyName } from '../../src/engine/top.js';

describe('goDuration', () => {
  it("writes seconds as Go's time.Duration.String() does", () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [1.193293691, '1.193293691s'],
      [1.5, '1.5s'],
      [10, '10s'],
      [0.15, '150ms'],
      [0.0000015, '1.5µs'],
      [72.25, '1m12.25s'],
      [120, '2m0s'],
      [3600, '1h0m0s'],
      [90061, '25h1m1s'],
    ];
    for (const [seconds, text] of cases) expect(goDuration(seconds), String(seconds)).toBe(text);
  });
});

describe('ttyName', () => {
  it('names pseudo-terminals, consoles and serial lines by tty_nr; ? for none', () => {
    expect(ttyName(0)).toBe('?');
    expect(ttyName((136 << 8) | 3)).toBe('pts/3');
    expect(ttyName((137 << 8) | 1)).toBe('pts/257');
    expect(ttyName((4 << 8) | 1)).toBe('tty1');
    expect(ttyName((4 << 8) | 65)).toBe('ttyS1');
  });
});

describe('idInside', () => {
  it('maps an id through the uid_map we read, the same id in our own namespace, and the overflow id when unmapped', () => {
    const map = '         0       1000          1\n         1     100000      65536\n';
    expect(idInside(1000, map)).toBe(0);
    expect(idInside(100005, map)).toBe(6);
    expect(idInside(5, map)).toBe(65534);
    expect(idInside(5, undefined)).toBe(5);
  });
});

describe('parseDescriptors', () => {
  it("takes words and comma lists, podman's defaults when none, and refuses one it does not know", () => {
    expect(parseDescriptors([])).toEqual(['user', 'pid', 'ppid', 'pcpu', 'etime', 'tty', 'time', 'args']);
    expect(parseDescriptors(['pid,comm', 'args'])).toEqual(['pid', 'comm', 'args']);
    expect(() => parseDescriptors(['pid', 'bogus'])).toThrow(/unknown descriptor: bogus/);
  });
});

describe('topTable', () => {
  const now = 1_000_100_250;
  const processes: ContainerProcess[] = [
    { pid: 7, ppid: 1, uid: 1000, comm: 'sleep', args: ['sleep', '60'], ttyNr: (136 << 8) | 0, started: 1_000_090, cpu: 0 },
    { pid: 1, ppid: 0, uid: 0, comm: 'sh', args: ['/bin/sh', '-c', 'sleep 60 & wait'], ttyNr: 0, started: 1_000_000, cpu: 25 },
    { pid: 9, ppid: 1, uid: 4242, comm: 'zombie', args: [], ttyNr: 0, started: 1_000_100, cpu: 0 },
  ];
  const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n';

  it("shows podman's default columns, users by the container's passwd, ordered by pid", () => {
    const { header, rows } = topTable(processes, parseDescriptors([]), passwd, now);
    expect(header).toEqual(['USER', 'PID', 'PPID', '%CPU', 'ELAPSED', 'TTY', 'TIME', 'COMMAND']);
    expect(rows).toEqual([
      ['root', '1', '0', '24.938', '1m40.25s', '?', '25s', '/bin/sh -c sleep 60 & wait'],
      ['app', '7', '1', '0.000', '10.25s', 'pts/0', '0s', 'sleep 60'],
      ['4242', '9', '1', '0.000', '250ms', '?', '0s', '[zombie]'],
    ]);
  });

  it('shows the columns asked for, in their order', () => {
    expect(topTable(processes.slice(1, 2), ['pid', 'comm', 'args'], undefined, now)).toEqual({ header: ['PID', 'COMMAND', 'COMMAND'], rows: [['1', 'sh', '/bin/sh -c sleep 60 & wait']] });
  });
});
