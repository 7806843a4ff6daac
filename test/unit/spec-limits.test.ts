/** The process limits, kernel parameters and time zone a container is given: --ulimit, --sysctl, --tz. */
import { describe, expect, it } from 'vitest';
import { checkNetSysctls, parseSysctls } from '../../src/spec/sysctl.js';
import { zoneFile } from '../../src/spec/timezone.js';
import { parseUlimit, withUlimits } from '../../src/spec/ulimits.js';

describe('--ulimit', () => {
  it('reads TYPE=SOFT[:HARD] by ulimit(1)\'s names, the hard limit the soft one when not given', () => {
    expect(parseUlimit('nofile=1024:2048')).toEqual({ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 });
    expect(parseUlimit('core=0')).toEqual({ type: 'RLIMIT_CORE', soft: 0, hard: 0 });
  });

  it('refuses what podman refuses, in one line', () => {
    expect(() => parseUlimit('bogus=1')).toThrow('invalid ulimit type: bogus');
    expect(() => parseUlimit('nofile=2048:1024')).toThrow('ulimit soft limit must be less than or equal to hard limit: 2048 > 1024');
    expect(() => parseUlimit('nofile=-1')).toThrow('invalid ulimit "nofile=-1"');
    expect(() => parseUlimit('nofile')).toThrow('invalid ulimit "nofile"');
  });

  it('replaces tpod\'s own limit of the same type and adds the others', () => {
    const defaults = [{ type: 'RLIMIT_NOFILE', soft: 9, hard: 9 }, { type: 'RLIMIT_NPROC', soft: 5, hard: 5 }];
    expect(withUlimits(defaults, [parseUlimit('nproc=3:4'), parseUlimit('core=0')])).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 9, hard: 9 },
      { type: 'RLIMIT_NPROC', soft: 3, hard: 4 },
      { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
    ]);
  });
});

describe('--sysctl', () => {
  it('takes the namespaced ones only, as podman does', () => {
    expect(parseSysctls(['net.ipv4.ip_forward=1', 'kernel.shmmax=1048576', 'fs.mqueue.msg_max=20', 'kernel.domainname=x=y'])).toEqual({
      'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1048576', 'fs.mqueue.msg_max': '20', 'kernel.domainname': 'x=y',
    });
    expect(() => parseSysctls(['kernel.panic=1'])).toThrow("sysctl 'kernel.panic' is not allowed");
    expect(() => parseSysctls(['net.ipv4.ip_forward'])).toThrow("'net.ipv4.ip_forward' is invalid");
  });

  it('refuses net.* where the container\'s root does not own the network namespace', () => {
    expect(() => checkNetSysctls({ 'net.ipv4.ip_forward': '1' }, false, true)).toThrow("sysctl 'net.ipv4.ip_forward' is not allowed in the hosts network namespace");
    expect(() => checkNetSysctls({ 'net.ipv4.ip_forward': '1' }, false, false)).toThrow('--userns=keep-id');
    expect(() => checkNetSysctls({ 'net.ipv4.ip_forward': '1' }, true, false)).not.toThrow();
    expect(() => checkNetSysctls({ 'kernel.shmmax': '1' }, false, true)).not.toThrow();
  });
});

describe('--tz', () => {
  it('names the host\'s zone file, or its own localtime, and nothing outside the zone directory', () => {
    expect(zoneFile('Europe/Paris')).toBe('/usr/share/zoneinfo/Europe/Paris');
    expect(zoneFile('local')).toBe('/etc/localtime');
    expect(() => zoneFile('../../etc/shadow')).toThrow('finding timezone: unknown time zone ../../etc/shadow');
    expect(() => zoneFile('/etc/passwd')).toThrow('unknown time zone');
  });
});
