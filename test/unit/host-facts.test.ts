/** The pure judgements behind `tpod info`. */
import { describe, expect, it } from 'vitest';
import { judgeDelegation } from '../../src/cgroups/detect.js';
import { parseOsRelease } from '../../src/engine/info.js';
import { chooseNetwork } from '../../src/network/choose.js';
import { parsePauseRecord } from '../../src/rootless/pause.js';
import { parseIdMap, parseStat } from '../../src/rootless/proc.js';
import { chooseRuntime, judgeRuntime } from '../../src/runtime/choose.js';
import { mountsUnder } from '../../src/storage/mounts.js';
import { parseVersion } from '../../src/sys/programs.js';

describe('cgroup delegation', () => {
  const v2 = { cgroupVersion: 'v2' as const, systemdRunning: true, userBus: true, controllers: ['cpuset', 'cpu', 'io', 'memory', 'pids'] };
  it('is available with v2, systemd, a user bus and the controllers', () => {
    expect(judgeDelegation(v2)).toEqual({ available: true, controllers: v2.controllers, reason: 'systemd delegates cpuset cpu io memory pids' });
  });
  it('says why not, first reason first', () => {
    expect(judgeDelegation({ ...v2, cgroupVersion: 'hybrid' }).reason).toBe('cgroups are v1/v2 hybrid; limits need the unified v2 hierarchy (boot with systemd.unified_cgroup_hierarchy=1)');
    expect(judgeDelegation({ ...v2, systemdRunning: false }).reason).toMatch(/systemd is not the init system/);
    expect(judgeDelegation({ ...v2, userBus: false }).reason).toMatch(/loginctl enable-linger/);
    expect(judgeDelegation({ ...v2, controllers: ['memory', 'pids'] }).reason).toMatch(/does not delegate the cpu controller/);
  });
});

describe('runtime choice', () => {
  const crun = { name: 'crun', path: '/usr/bin/crun', version: '1.8.1' };
  const runc = { name: 'runc', path: '/usr/sbin/runc', version: '1.1.5' };
  it('prefers crun, and passes over it on a hybrid hierarchy', () => {
    expect(chooseRuntime([judgeRuntime(crun, 'v2'), judgeRuntime(runc, 'v2')])?.name).toBe('crun');
    const hybrid = [judgeRuntime(crun, 'hybrid'), judgeRuntime(runc, 'hybrid')];
    expect(chooseRuntime(hybrid)?.name).toBe('runc');
    expect(hybrid[0]!.reason).toMatch(/hybrid/);
  });
  it('says what to install when a runtime is missing', () => {
    expect(judgeRuntime({ name: 'crun', path: undefined, version: undefined }, 'v2').reason).toBe('not installed (sudo apt-get install crun)');
  });
  it('honours an explicit choice', () => {
    expect(chooseRuntime([judgeRuntime(crun, 'v2'), judgeRuntime(runc, 'v2')], 'runc')?.name).toBe('runc');
  });
});

describe('network helper choice', () => {
  const has = (name: string) => ({ name, path: `/usr/bin/${name}`, version: '1' });
  const missing = (name: string) => ({ name, path: undefined, version: undefined });
  it('prefers pasta, falls back to slirp4netns, and needs /dev/net/tun', () => {
    expect(chooseNetwork(has('pasta'), has('slirp4netns'), true).helper).toBe('pasta');
    expect(chooseNetwork(missing('pasta'), has('slirp4netns'), true).helper).toBe('slirp4netns');
    expect(chooseNetwork(missing('pasta'), missing('slirp4netns'), true).reason).toMatch(/apt-get install passt/);
    expect(chooseNetwork(has('pasta'), has('slirp4netns'), false).reason).toMatch(/chmod 0666 \/dev\/net\/tun/);
  });
});

describe('/proc readers', () => {
  it('parses id maps', () => {
    expect(parseIdMap('         0       1000          1\n         1     100000      65536\n')).toEqual([
      { container_id: 0, host_id: 1000, size: 1 },
      { container_id: 1, host_id: 100000, size: 65536 },
    ]);
  });
  it('reads state and start time after a comm with spaces and parentheses', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i));
    fields[0] = 'S';
    fields[19] = '889971';
    expect(parseStat(`42 (a b) c)) ${fields.join(' ')}`)).toEqual({ state: 'S', startTime: 889971 });
    expect(parseStat('garbage')).toBeUndefined();
  });
  it('parses pause.pid and rejects nonsense', () => {
    expect(parsePauseRecord('2723 889971\n')).toEqual({ pid: 2723, startTime: 889971 });
    expect(parsePauseRecord('1 5')).toBeUndefined();
    expect(parsePauseRecord('abc')).toBeUndefined();
  });
  it('finds mounts under a directory, deepest first, with escaped spaces', () => {
    const info = [
      '22 1 0:1 / / rw - ext4 /dev/sda rw',
      '30 22 0:2 / /s/tpod rw - tmpfs none rw',
      '31 30 0:3 / /s/tpod/a\\040b rw - tmpfs none rw',
      '32 22 0:4 / /s/tpodder rw - tmpfs none rw',
    ].join('\n');
    expect(mountsUnder(info, '/s/tpod')).toEqual(['/s/tpod/a b', '/s/tpod']);
  });
});

describe('versions and distributions', () => {
  it('reads version numbers the way each helper prints them', () => {
    expect(parseVersion('crun version 1.8.1\ncommit: f8a0', 'crun')).toBe('1.8.1');
    expect(parseVersion('unknown argument ignored: lazytime\nfusermount3 version: 3.14.0\nfuse-overlayfs: version 1.10', 'fuse-overlayfs')).toBe('1.10');
    expect(parseVersion('pasta unknown version\nCopyright Red Hat\nGNU Affero GPL version 3 or later', 'pasta')).toBe('unknown');
    expect(parseVersion('tini version 0.1.7_catatonit', 'catatonit')).toBe('0.1.7_catatonit');
    expect(parseVersion('runc version 1.1.5+ds1\nspec: 1.0.2-dev', 'runc')).toBe('1.1.5+ds1');
  });
  it('parses os-release', () => {
    expect(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')).toEqual({
      distribution: 'debian',
      version: '12',
      codename: 'bookworm',
    });
  });
});
