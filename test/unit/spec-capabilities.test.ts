/** Capabilities as podman sets them: defaults, --cap-add/--cap-drop, ALL, --privileged, non-root users. */
import { describe, expect, it } from 'vitest';
import {
  ALL_CAPABILITIES, DEFAULT_CAPABILITIES, containerCapabilities, decodeCapabilityMask, normalizeCapabilities, processCapabilities,
} from '../../src/spec/capabilities.js';

describe('containerCapabilities', () => {
  it("gives podman's eleven by default, sorted", () => {
    expect(containerCapabilities({})).toEqual([...DEFAULT_CAPABILITIES].sort());
    expect(DEFAULT_CAPABILITIES).toHaveLength(11);
  });

  it('adds and drops with or without CAP_, in any case', () => {
    const caps = containerCapabilities({ add: ['net_admin', 'CAP_SYS_PTRACE'], drop: ['Chown', 'CAP_KILL'] });
    expect(caps).toContain('CAP_NET_ADMIN');
    expect(caps).toContain('CAP_SYS_PTRACE');
    expect(caps).not.toContain('CAP_CHOWN');
    expect(caps).not.toContain('CAP_KILL');
    expect(caps).toHaveLength(11);
  });

  it('drops ALL, keeping only what is added', () => {
    expect(containerCapabilities({ drop: ['all'] })).toEqual([]);
    expect(containerCapabilities({ drop: ['ALL'], add: ['net_bind_service', 'chown'] })).toEqual(['CAP_CHOWN', 'CAP_NET_BIND_SERVICE']);
  });

  it('adds ALL: the bounding set, less what is dropped', () => {
    const caps = containerCapabilities({ add: ['ALL'], drop: ['sys_admin'] });
    expect(caps).toHaveLength(ALL_CAPABILITIES.length - 1);
    expect(caps).not.toContain('CAP_SYS_ADMIN');
  });

  it('gives --privileged the whole bounding set', () => {
    expect(containerCapabilities({ privileged: true, drop: ['chown'] })).toHaveLength(41);
    expect(containerCapabilities({ privileged: true, bounding: ['CAP_KILL', 'CAP_CHOWN'] })).toEqual(['CAP_CHOWN', 'CAP_KILL']);
  });

  it('never goes beyond the bounding set tpod runs with', () => {
    expect(containerCapabilities({ add: ['net_admin'], bounding: ['CAP_CHOWN', 'CAP_KILL'] })).toEqual(['CAP_CHOWN', 'CAP_KILL']);
  });

  it('refuses unknown names and contradictions, with podman words', () => {
    expect(() => normalizeCapabilities(['cap_foo'])).toThrow('unknown capability "cap_foo"');
    expect(() => containerCapabilities({ add: ['ALL'], drop: ['ALL'] })).toThrow('adding all caps and removing all caps not allowed');
    expect(() => containerCapabilities({ add: ['chown'], drop: ['CAP_CHOWN'] })).toThrow('capability "CAP_CHOWN" cannot be dropped and added');
  });
});

describe('processCapabilities', () => {
  const set = containerCapabilities({ add: ['net_admin'] });

  it('gives root the whole set, nothing inheritable or ambient', () => {
    expect(processCapabilities(set, true, { add: ['net_admin'] })).toEqual({ bounding: set, effective: set, permitted: set });
  });

  it('gives another user only what --cap-add named, as ambient capabilities', () => {
    expect(processCapabilities(set, false, {})).toEqual({ bounding: set });
    const added = ['CAP_NET_ADMIN'];
    expect(processCapabilities(set, false, { add: ['net_admin'] })).toEqual({
      bounding: set, effective: added, permitted: added, inheritable: added, ambient: added,
    });
  });
});

describe('decodeCapabilityMask', () => {
  it('reads CapBnd', () => {
    expect(decodeCapabilityMask('000001ffffffffff')).toEqual(ALL_CAPABILITIES);
    expect(decodeCapabilityMask('0000000000000021')).toEqual(['CAP_CHOWN', 'CAP_KILL']);
  });
});
