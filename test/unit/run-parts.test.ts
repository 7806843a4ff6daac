/** The pieces of tpod run that need no container: /etc files, the command check, overlay options. */
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hostsFile, resolvConf } from '../../src/network/etc-files.js';
import { checkExecutable } from '../../src/runtime/executable.js';
import { resolveInRoot } from '../../src/storage/in-root.js';
import { freeName, generatedName } from '../../src/storage/containers.js';
import { overlayOptions } from '../../src/storage/rootfs.js';

describe('/etc files', () => {
  it('names localhost and the container itself, plus --add-host entries', () => {
    expect(hostsFile({ hostname: 'abc123', name: 'web', extraHosts: ['db:10.0.0.5'] })).toBe(
      '127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n' +
        '::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n' +
        '127.0.1.1\tabc123 web\n' +
        '10.0.0.5\tdb\n',
    );
    expect(hostsFile({ hostname: 'h', name: 'h', extraHosts: [], hostHosts: '127.0.0.1 localhost\n' })).toBe('127.0.0.1 localhost\n');
  });
  it('keeps the host\'s resolvers unless they are its loopback, and puts --dns first', () => {
    const host = 'search example.com\nnameserver 127.0.0.53\nnameserver 192.0.2.1\noptions edns0\n';
    expect(resolvConf(host, [])).toBe('search example.com\nnameserver 192.0.2.1\noptions edns0\n');
    expect(resolvConf(host, ['198.51.100.7'])).toBe('search example.com\noptions edns0\nnameserver 198.51.100.7\n');
  });
  it('puts --dns-search and --dns-option in place of the host\'s, and no search domain for "."', () => {
    const host = 'domain lan\nsearch example.com\nnameserver 192.0.2.1\noptions edns0\n';
    expect(resolvConf(host, [], { search: ['a.test', 'b.test'], options: ['ndots:2', 'timeout:1'] })).toBe('nameserver 192.0.2.1\nsearch a.test b.test\noptions ndots:2 timeout:1\n');
    expect(resolvConf(host, [], { search: ['.'] })).toBe('nameserver 192.0.2.1\noptions edns0\n');
    expect(resolvConf(host, [], { options: ['rotate'] })).toBe('domain lan\nsearch example.com\nnameserver 192.0.2.1\noptions rotate\n');
  });
});

describe('the command check', () => {
  const root = mkdtempSync(join(tmpdir(), 'tpod-root-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  writeFileSync(join(root, 'bin/busybox'), '');
  chmodSync(join(root, 'bin/busybox'), 0o755);
  symlinkSync('/bin/busybox', join(root, 'usr/bin/sh'));
  symlinkSync('../../../../../bin/busybox', join(root, 'usr/bin/escape'));
  writeFileSync(join(root, 'bin/data'), '');

  it('follows symlinks inside the root, absolute ones from its top', () => {
    expect(resolveInRoot(root, '/usr/bin/sh')?.real).toBe(join(root, 'bin/busybox'));
    expect(resolveInRoot(root, '/usr/bin/escape')?.real).toBe(join(root, 'bin/busybox'));
    expect(resolveInRoot(root, '/nope/sh')).toBeUndefined();
  });
  it('finds commands on the container\'s PATH, and exits as podman does when it cannot', () => {
    expect(() => checkExecutable(root, ['sh'], ['PATH=/usr/bin:/bin'])).not.toThrow();
    expect(() => checkExecutable(root, ['/bin/busybox'], [])).not.toThrow();
    expect(() => checkExecutable(root, ['nosuch'], ['PATH=/bin'])).toThrow(expect.objectContaining({ exitCode: 127 }));
    expect(() => checkExecutable(root, ['/bin/data'], [])).toThrow(expect.objectContaining({ exitCode: 126, message: '/bin/data: permission denied' }));
    // As podman with runc: a directory named by its path is there but cannot run; PATH's search passes it by.
    expect(() => checkExecutable(root, ['/bin'], [])).toThrow(expect.objectContaining({ exitCode: 126, message: '/bin: permission denied' }));
    expect(() => checkExecutable(root, ['bin'], ['PATH=/'])).toThrow(expect.objectContaining({ exitCode: 127 }));
  });
});

describe('names and mounts', () => {
  it('generates names in podman\'s style', () => {
    expect(generatedName(Buffer.from([0, 0]))).toBe('agile_albatross');
    expect(generatedName(Buffer.from([13, 255]))).toMatch(/^[a-z]+_[a-z]+$/);
  });
  it('finds a free name when every adjective_noun pair is taken, with a number after it', () => {
    // A random source that always gives the same bytes: its pair is taken, so a number is added.
    const same = (n: number) => Buffer.alloc(n, 7);
    const taken = new Set([generatedName(same(4))]);
    const name = freeName(taken, same);
    expect(taken.has(name)).toBe(false);
    expect(name).toBe(`${generatedName(same(4))}_${0x0707}`);
  });
  it('lists the topmost layer first for overlay', () => {
    expect(overlayOptions({ lower: ['/l/1', '/l/2'], upper: '/u', work: '/w' }, true)).toBe('lowerdir=/l/2:/l/1,upperdir=/u,workdir=/w,userxattr');
  });
});
