import { describe, expect, it } from 'vitest';
import {
  afterCheck,
  formatGoDuration,
  hasHealthcheck,
  healthAtStart,
  healthCommand,
  healthConfig,
  healthcheckReport,
  onFailureAction,
  parseGoDuration,
  parseHealthCmd,
  parseHealthFlags,
} from '../../src/spec/healthcheck.js';
import { timerArgs } from '../../src/systemd/health-timer.js';

const S = 1e9;

describe('durations, as Go reads and writes them', () => {
  it('reads units, sums and fractions', () => {
    expect(parseGoDuration('30s')).toBe(30 * S);
    expect(parseGoDuration('1m30s')).toBe(90 * S);
    expect(parseGoDuration('1.5s')).toBe(1.5 * S);
    expect(parseGoDuration('500ms')).toBe(0.5 * S);
    expect(parseGoDuration('2h')).toBe(7200 * S);
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('-1s')).toBe(-S);
  });
  it('refuses what Go refuses', () => {
    for (const bad of ['', '30', '3x', 's', '1m 30s', 'disable']) expect(parseGoDuration(bad), bad).toBeUndefined();
  });
  it('writes them back as Duration.String() does', () => {
    expect(formatGoDuration(30 * S)).toBe('30s');
    expect(formatGoDuration(90 * S)).toBe('1m30s');
    expect(formatGoDuration(3600 * S)).toBe('1h0m0s');
    expect(formatGoDuration(0.5 * S)).toBe('500ms');
    expect(formatGoDuration(2.5 * S)).toBe('2.5s');
  });
});

describe('--health-cmd', () => {
  it('a command line is a shell command', () => {
    expect(parseHealthCmd('curl -f http://localhost/ || exit 1')).toEqual(['CMD-SHELL', 'curl -f http://localhost/ || exit 1']);
  });
  it('a JSON array runs as it is, CMD first or not', () => {
    expect(parseHealthCmd('["CMD","test","-f","/ok"]')).toEqual(['CMD', 'test', '-f', '/ok']);
    expect(parseHealthCmd('["test","-f","/ok"]')).toEqual(['CMD', 'test', '-f', '/ok']);
    expect(parseHealthCmd('["CMD-SHELL","test -f /ok"]')).toEqual(['CMD-SHELL', 'test -f /ok']);
    // A one-word array is a shell command, as podman makes it.
    expect(parseHealthCmd('["true"]')).toEqual(['CMD-SHELL', 'true']);
  });
  it('the words CMD and CMD-SHELL keep their meaning without JSON', () => {
    expect(parseHealthCmd('CMD test -f /ok')).toEqual(['CMD', 'test', '-f', '/ok']);
    expect(parseHealthCmd('CMD-SHELL test -f /ok')).toEqual(['CMD-SHELL', 'test -f /ok']);
  });
  it('none disables, in any case', () => {
    expect(parseHealthCmd('none')).toEqual(['NONE']);
    expect(parseHealthCmd('["NONE"]')).toEqual(['NONE']);
  });
  it('an empty one is refused', () => {
    expect(() => parseHealthCmd('')).toThrow('must define a healthcheck command');
    expect(() => parseHealthCmd('[]')).toThrow('must define a healthcheck command');
  });
});

describe('the --health-* flags', () => {
  it('gives nothing when none is given', () => {
    expect(parseHealthFlags({})).toBeUndefined();
  });
  it('reads each', () => {
    expect(parseHealthFlags({ cmd: 'true', interval: '2s', timeout: '5s', startPeriod: '1m', retries: '4' })).toEqual({
      test: ['CMD-SHELL', 'true'],
      interval: 2 * S,
      timeout: 5 * S,
      startPeriod: 60 * S,
      retries: 4,
    });
  });
  it('disable is no interval', () => {
    expect(parseHealthFlags({ cmd: 'true', interval: 'disable' })?.interval).toBe(0);
  });
  it('--no-healthcheck is NONE, and cannot go with --health-cmd', () => {
    expect(parseHealthFlags({ noHealthcheck: true })).toEqual({ test: ['NONE'] });
    expect(() => parseHealthFlags({ cmd: 'true', noHealthcheck: true })).toThrow('cannot specify both --no-healthcheck and --health-cmd');
  });
  it('refuses what podman refuses', () => {
    expect(() => parseHealthFlags({ cmd: 'true', interval: '3x' })).toThrow('invalid --health-interval "3x"');
    expect(() => parseHealthFlags({ cmd: 'true', timeout: '500ms' })).toThrow('healthcheck-timeout must be at least 1 second');
    expect(() => parseHealthFlags({ cmd: 'true', retries: '0' })).toThrow('healthcheck-retries must be greater than 0');
    expect(() => parseHealthFlags({ cmd: 'true', startPeriod: '-1s' })).toThrow('healthcheck-start-period must be 0 seconds or greater');
    expect(() => parseHealthFlags({ cmd: 'true', onFailure: 'bogus' })).toThrow('invalid on-failure action "bogus" for health check: supported actions are none,kill,restart,stop');
  });
  it('keeps --health-on-failure only with a check to act on, and none not at all, as podman does', () => {
    const check = healthConfig({ test: ['CMD-SHELL', 'true'] }, undefined);
    expect(onFailureAction(parseHealthFlags({ onFailure: 'restart' }), check)).toBe('restart');
    expect(onFailureAction(parseHealthFlags({ onFailure: 'none' }), check)).toBeUndefined();
    expect(onFailureAction(undefined, check)).toBeUndefined();
    expect(() => onFailureAction(parseHealthFlags({ onFailure: 'kill' }), undefined)).toThrow('cannot set on-failure action to kill without a health check');
    // podman takes --no-healthcheck's ["NONE"] for a check here.
    expect(onFailureAction(parseHealthFlags({ noHealthcheck: true, onFailure: 'stop' }), healthConfig({ test: ['NONE'] }, undefined))).toBe('stop');
  });
});

describe('the container\'s check', () => {
  const image = { Test: ['CMD-SHELL', 'test -f /ok'], Interval: 10 * S, Retries: 5 };
  it('none without a command anywhere', () => {
    expect(healthConfig(undefined, undefined)).toBeUndefined();
    expect(healthConfig({ interval: S }, null)).toBeUndefined();
    expect(healthConfig(undefined, { Test: [] })).toBeUndefined();
  });
  it('the image\'s, its zero values podman\'s defaults', () => {
    expect(healthConfig(undefined, image)).toEqual({ Test: ['CMD-SHELL', 'test -f /ok'], Interval: 10 * S, Timeout: 30 * S, StartPeriod: 0, Retries: 5 });
  });
  it('the image\'s, with what flags change', () => {
    expect(healthConfig({ interval: 2 * S }, image)).toMatchObject({ Test: ['CMD-SHELL', 'test -f /ok'], Interval: 2 * S, Retries: 5 });
  });
  it('--health-cmd takes podman\'s defaults, not the image\'s values', () => {
    expect(healthConfig({ test: ['CMD', 'true'] }, image)).toEqual({ Test: ['CMD', 'true'], Interval: 30 * S, Timeout: 30 * S, StartPeriod: 0, Retries: 3 });
  });
  it('--no-healthcheck drops the image\'s', () => {
    const none = healthConfig({ test: ['NONE'] }, image);
    expect(none?.Test).toEqual(['NONE']);
    expect(hasHealthcheck(none)).toBe(false);
    expect(healthcheckReport(none!)).toEqual({ Test: ['NONE'] });
  });
  it('inspect leaves zero values out, as Go\'s omitempty does', () => {
    expect(healthcheckReport({ Test: ['CMD', 'true'], Interval: 0, Timeout: 30 * S, StartPeriod: 0, Retries: 3 })).toEqual({ Test: ['CMD', 'true'], Timeout: 30 * S, Retries: 3 });
  });
});

describe('the command a check runs', () => {
  it('CMD as it is, CMD-SHELL through /bin/sh -c, a bare array as it is', () => {
    expect(healthCommand(['CMD', 'test', '-f', '/ok'])).toEqual(['test', '-f', '/ok']);
    expect(healthCommand(['CMD-SHELL', 'test -f /ok'])).toEqual(['/bin/sh', '-c', 'test -f /ok']);
    expect(healthCommand(['test', '-f'])).toEqual(['test', '-f']);
  });
  it('none for NONE or an empty CMD', () => {
    expect(healthCommand(['NONE'])).toBeUndefined();
    expect(healthCommand(['CMD'])).toBeUndefined();
  });
});

describe('the status after a check', () => {
  const entry = (code: number, output = '') => ({ Start: 's', End: 'e', ExitCode: code, Output: output });
  const start = healthAtStart(undefined);

  it('a start is starting, its streak and log kept', () => {
    expect(start).toEqual({ Status: 'starting', FailingStreak: 0, Log: [] });
    const before = { Status: 'unhealthy' as const, FailingStreak: 4, Log: [entry(1)] };
    expect(healthAtStart(before)).toEqual({ Status: 'starting', FailingStreak: 4, Log: [entry(1)] });
  });
  it('a pass is healthy and ends the streak', () => {
    const failed = afterCheck(start, entry(1), 3, false);
    expect(afterCheck(failed, entry(0), 3, false)).toMatchObject({ Status: 'healthy', FailingStreak: 0 });
  });
  it('unhealthy at RETRIES failures in a row, not before', () => {
    let h = afterCheck(start, entry(0), 3, false);
    h = afterCheck(h, entry(1), 3, false);
    h = afterCheck(h, entry(1), 3, false);
    expect(h).toMatchObject({ Status: 'healthy', FailingStreak: 2 });
    h = afterCheck(h, entry(-1), 3, false);
    expect(h).toMatchObject({ Status: 'unhealthy', FailingStreak: 3 });
  });
  it('failures in the start period do not count', () => {
    const h = afterCheck(start, entry(1), 1, true);
    expect(h).toMatchObject({ Status: 'starting', FailingStreak: 0 });
    expect(h.Log).toHaveLength(1);
  });
  it('keeps the last five checks and 500 characters of output', () => {
    let h = start;
    for (let i = 0; i < 7; i++) h = afterCheck(h, entry(0, `${i}${'x'.repeat(600)}`), 3, false);
    expect(h.Log.map((l) => l.Output[0])).toEqual(['2', '3', '4', '5', '6']);
    expect(h.Log[0]!.Output).toHaveLength(500);
  });
});

describe('the timer', () => {
  it('is podman\'s systemd-run, with the environment tpod needs', () => {
    const env = { PATH: '/usr/bin:/bin', XDG_DATA_HOME: '/data', HOME: '/home/u' };
    expect(timerArgs('abc', 'abc-0123456789abcdef', '2s', '/opt/tpod/native/tpod', env)).toEqual([
      '--user',
      '--property=LogLevelMax=notice',
      '--setenv=PATH=/usr/bin:/bin',
      '--setenv=XDG_DATA_HOME=/data',
      '--unit', 'abc-0123456789abcdef',
      '--on-unit-inactive=2s',
      '--timer-property=AccuracySec=1s',
      '--property=StartLimitIntervalSec=0',
      '/opt/tpod/native/tpod', 'healthcheck', 'run', '--ignore-result', 'abc',
    ]);
  });
});

describe('ps\'s STATUS', () => {
  it('says a running container\'s health after its uptime, as podman does', async () => {
    const { statusText } = await import('../../src/cli/commands/ps.js');
    const c = { id: 'x', name: 'x', imageId: 'i', imageName: 'i', command: [], created: '2026-01-01T00:00:00Z', startedAt: '2026-01-01T00:00:00Z', state: 'running' as const, autoRemove: false, config: {} };
    const now = Date.parse('2026-01-01T00:00:03Z');
    expect(statusText({ ...c, health: { Status: 'healthy', FailingStreak: 0, Log: [] } }, now)).toBe('Up 3 seconds ago (healthy)');
    expect(statusText({ ...c, health: { Status: 'starting', FailingStreak: 0, Log: [] } }, now)).toBe('Up 3 seconds ago (starting)');
    expect(statusText(c, now)).toBe('Up 3 seconds ago');
  });
});
