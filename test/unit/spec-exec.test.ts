/** The process tpod exec runs: the container's own, with what the exec asks for. */
import { describe, expect, it } from 'vitest';
import { type ExecContainer, type ExecOptions, execProcess } from '../../src/spec/exec.js';
import type { OciProcess } from '../../src/spec/oci-types.js';
import type { ResolvedUser } from '../../src/spec/user.js';

const ROOT_CAPS = ['CAP_CHOWN', 'CAP_KILL', 'CAP_SETUID'];

const containerProcess: OciProcess = {
  terminal: true,
  user: { uid: 0, gid: 0, umask: 0o022 },
  args: ['/bin/sh'],
  env: ['PATH=/usr/bin:/bin', 'container=tpod', 'TERM=xterm', 'LANG=C', 'HOSTNAME=abc', 'HOME=/root'],
  cwd: '/srv',
  capabilities: { bounding: ROOT_CAPS, effective: ROOT_CAPS, permitted: ROOT_CAPS },
  rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
  noNewPrivileges: true,
};

const container: ExecContainer = { process: containerProcess, homeGiven: false };
const app: ResolvedUser = { uid: 1000, gid: 1000, additionalGids: [1000, 2000], home: '/home/app', unmappedGids: [] };
const exec = (options: Partial<ExecOptions>, c: ExecContainer = container) => execProcess(c, { command: ['id'], tty: false, caller: {}, ...options });
const envOf = (p: OciProcess) => Object.fromEntries(p.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

describe('execProcess', () => {
  it('is the container\'s process with the command, and no terminal unless -t', () => {
    const p = exec({ command: ['ls', '-l'] });
    expect(p.args).toEqual(['ls', '-l']);
    expect(p.terminal).toBeUndefined();
    expect(p.user).toEqual(containerProcess.user);
    expect(p.cwd).toBe('/srv');
    expect(p.capabilities).toEqual(containerProcess.capabilities);
    expect(p.rlimits).toEqual(containerProcess.rlimits);
    expect(p.noNewPrivileges).toBe(true);
    expect(p.env).toEqual(containerProcess.env);
    expect(exec({ tty: true }).terminal).toBe(true);
  });

  it('refuses an empty command and a relative working directory', () => {
    expect(() => exec({ command: [] })).toThrow('must provide a non-empty command to start an exec session');
    expect(() => exec({ workdir: 'tmp' })).toThrow('invalid workdir "tmp": it must be an absolute path');
  });

  it('takes -w as the working directory', () => {
    expect(exec({ workdir: '/tmp' }).cwd).toBe('/tmp');
  });

  it('puts --env-file and then -e over the container\'s environment, VAR alone from the caller', () => {
    const files = [{ path: 'a.env', text: 'LANG=file\nFROMFILE=1\n' }];
    const p = exec({ envFiles: files, env: ['A=1', 'LANG=flag', 'MINE', 'ABSENT'], caller: { MINE: 'caller', ABSENT: undefined, OTHER: 'x' } });
    expect(envOf(p)).toEqual({ PATH: '/usr/bin:/bin', container: 'tpod', TERM: 'xterm', LANG: 'flag', HOSTNAME: 'abc', HOME: '/root', FROMFILE: '1', A: '1', MINE: 'caller' });
  });

  it('adds TERM for -t unless the container has one', () => {
    const noTerm: ExecContainer = { ...container, process: { ...containerProcess, env: ['PATH=/bin'] } };
    expect(envOf(exec({ tty: true }, noTerm)).TERM).toBe('xterm');
    expect(envOf(exec({}, noTerm)).TERM).toBeUndefined();
    expect(envOf(exec({ tty: true })).TERM).toBe('xterm');
  });

  it('runs as -u\'s user with its groups and the container\'s umask; HOME follows it unless it was set on purpose', () => {
    const p = exec({ user: app });
    expect(p.user).toEqual({ uid: 1000, gid: 1000, umask: 0o022, additionalGids: [1000, 2000] });
    expect(envOf(p).HOME).toBe('/home/app');
    expect(envOf(exec({ user: app }, { ...container, homeGiven: true })).HOME).toBe('/root');
    expect(envOf(exec({ user: app, env: ['HOME=/x'] })).HOME).toBe('/x');
    // A uid without a passwd entry: / as podman's lookup gives.
    expect(envOf(exec({ user: { ...app, home: undefined, additionalGids: [] } })).HOME).toBe('/');
    expect(exec({ user: { ...app, additionalGids: [] } }).user.additionalGids).toBeUndefined();
  });

  it('gives root the whole bounding set, another user none, and the container\'s own user what it has', () => {
    const root: ResolvedUser = { uid: 0, gid: 0, additionalGids: [0], home: '/root', unmappedGids: [] };
    const limited: ExecContainer = { ...container, process: { ...containerProcess, capabilities: { bounding: ROOT_CAPS, effective: ['CAP_KILL'], permitted: ['CAP_KILL'] } } };
    expect(exec({ user: root }, limited).capabilities).toEqual({ bounding: ROOT_CAPS, effective: ROOT_CAPS, permitted: ROOT_CAPS });
    expect(exec({ user: app }).capabilities).toEqual({ bounding: ROOT_CAPS });
    const ambient = { bounding: ROOT_CAPS, effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] };
    const asApp: ExecContainer = { ...container, process: { ...containerProcess, user: { uid: 1000, gid: 1000 }, capabilities: ambient } };
    expect(exec({ user: app }, asApp).capabilities).toEqual(ambient);
    expect(exec({}, asApp).capabilities).toEqual(ambient);
  });
});
