import { describe, expect, it } from 'vitest';
import { conmonArgs } from '../../src/runtime/conmon.js';
import { containerNotify, parseSdNotifyMode, sdNotifyFor, startedMessage } from '../../src/systemd/notify.js';
import { conmonNeedsScope, conmonScopeName, transientScopeCall } from '../../src/systemd/scope.js';
import { variant } from '../../src/systemd/dbus-wire.js';

describe('--sdnotify', () => {
  it('knows podman\'s modes but healthy, which needs a healthcheck', () => {
    expect(parseSdNotifyMode('conmon')).toBe('conmon');
    expect(parseSdNotifyMode('container')).toBe('container');
    expect(parseSdNotifyMode('ignore')).toBe('ignore');
    expect(() => parseSdNotifyMode('healthy')).toThrow('--sdnotify=healthy needs a healthcheck, and tpod has none yet: use conmon or container');
    expect(() => parseSdNotifyMode('yes')).toThrow('invalid --sdnotify "yes": expected container, conmon or ignore');
  });

  it('records something to do only under a unit\'s socket, and not with ignore', () => {
    expect(sdNotifyFor('conmon', '/run/user/1000/systemd/notify')).toEqual({ mode: 'conmon', socket: '/run/user/1000/systemd/notify' });
    expect(sdNotifyFor('conmon', undefined)).toBeUndefined();
    expect(sdNotifyFor('ignore', '/run/user/1000/systemd/notify')).toBeUndefined();
  });

  it('makes conmon the main process, and says READY=1 itself only with conmon', () => {
    expect(startedMessage({ mode: 'conmon', socket: '/s' }, 4242)).toBe('MAINPID=4242\nREADY=1');
    expect(startedMessage({ mode: 'container', socket: '/s' }, 4242)).toBe('MAINPID=4242');
  });

  it('gives the container conmon\'s relay as /run/notify/notify.sock', () => {
    expect(containerNotify('/b/ctr/userdata')).toEqual({
      mount: { type: 'bind', source: '/b/ctr/userdata/notify', destination: '/run/notify', options: ['bind'] },
      env: 'NOTIFY_SOCKET=/run/notify/notify.sock',
    });
  });

  it('hands conmon the unit\'s socket only for container', () => {
    const runtime = { name: 'crun', path: '/usr/bin/crun', stateRoot: '/r/crun', systemdCgroup: true };
    const paths = { bundle: '/b', logPath: '/b/log', exitDir: '/e', socketDir: '/s', conmonPidFile: '/b/conmon.pid' };
    const base = { id: 'abc', name: 'web', terminal: false, stdin: false, exitCommand: [] };
    const args = conmonArgs(runtime, paths, { ...base, sdnotifySocket: '/run/user/1000/systemd/notify' });
    expect(args.join(' ')).toContain('--sdnotify-socket /run/user/1000/systemd/notify');
    expect(conmonArgs(runtime, paths, base)).not.toContain('--sdnotify-socket');
  });
});

describe('conmon\'s scope', () => {
  const enabled = { manager: 'systemd', conmonScope: true } as const;

  it('is made with --cgroups=enabled, except when tpod runs as a systemd service', () => {
    expect(conmonNeedsScope(enabled, {})).toBe(true);
    expect(conmonNeedsScope(enabled, { INVOCATION_ID: '0123' })).toBe(false);
    expect(conmonNeedsScope({ manager: 'systemd', conmonScope: false }, {})).toBe(false);
    expect(conmonNeedsScope(undefined, {})).toBe(false);
  });

  it('is asked of systemd as podman asks for it', () => {
    expect(conmonScopeName('abc')).toBe('tpod-conmon-abc.scope');
    expect(transientScopeCall({ pid: 7, unit: 'tpod-conmon-abc.scope', description: 'tpod conmon of container web', slice: 'user.slice' })).toEqual([
      'tpod-conmon-abc.scope',
      'replace',
      [
        ['Description', variant('s', 'tpod conmon of container web')],
        ['Slice', variant('s', 'user.slice')],
        ['PIDs', variant('au', [7])],
        ['Delegate', variant('b', true)],
        ['DefaultDependencies', variant('b', false)],
      ],
      [],
    ]);
  });
});
