import { describe, expect, it } from 'vitest';
import { conditionMet, parseWaitConditions, parseWaitInterval } from '../../src/engine/wait-condition.js';
import type { ContainerRecord } from '../../src/storage/containers.js';

const record = (over: Partial<ContainerRecord>): ContainerRecord => ({
  id: 'x', name: 'x', imageId: 'i', imageName: 'i', command: [], created: '2026-01-01T00:00:00Z', state: 'created', autoRemove: false, config: {}, ...over,
}) as ContainerRecord;

describe('tpod wait --condition', () => {
  it('reads podman\'s state names, repeated or comma-separated, and waits for the exit without any', () => {
    expect([...parseWaitConditions([])]).toEqual(['exited']);
    expect([...parseWaitConditions(['running,stopped', 'configured'])]).toEqual(['running', 'exited', 'created']);
    expect([...parseWaitConditions(['Healthy'])]).toEqual(['healthy']);
  });

  it('refuses what is no state, as podman does, and the states tpod never shows', () => {
    expect(() => parseWaitConditions(['bogus'])).toThrow('unknown container state: bogus: invalid argument');
    expect(() => parseWaitConditions(['stopping'])).toThrow('a container is never "stopping" in tpod: nothing to wait for');
  });

  it('matches a paused container as paused, not running, and health only while it runs', () => {
    const running = record({ state: 'running' });
    expect(conditionMet(running, parseWaitConditions(['running']))).toBe(true);
    expect(conditionMet({ ...running, paused: true }, parseWaitConditions(['running']))).toBe(false);
    expect(conditionMet({ ...running, paused: true }, parseWaitConditions(['paused']))).toBe(true);
    const healthy = { ...running, health: { Status: 'healthy' as const, FailingStreak: 0, Log: [] } };
    expect(conditionMet(healthy, parseWaitConditions(['healthy']))).toBe(true);
    expect(conditionMet(healthy, parseWaitConditions(['unhealthy']))).toBe(false);
    expect(conditionMet({ ...healthy, state: 'exited' }, parseWaitConditions(['healthy']))).toBe(false);
    expect(conditionMet(record({ state: 'exited' }), parseWaitConditions(['stopped']))).toBe(true);
  });

  it('reads --interval as a Go duration, or a bare number of milliseconds', () => {
    expect(parseWaitInterval('250ms')).toBe(250);
    expect(parseWaitInterval('2s')).toBe(2000);
    expect(parseWaitInterval('100')).toBe(100);
    expect(() => parseWaitInterval('soon')).toThrow('invalid --interval "soon"');
    expect(() => parseWaitInterval('0')).toThrow('invalid --interval "0"');
  });
});
