/**
 * tpod cp, diff and export on real containers, running and stopped: docker
 * cp's rules both ways, tar streams on standard input and output, owners,
 * symlink escape attempts from both sides, podman's diff, and an export that
 * tpod import makes a runnable image of.
 */
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { tar } from '../registry/tar-writer.js';
import { Sandbox, TPOD, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');

/** What the running container makes before it says it is ready (/ready). */
const SETUP = [
  'mkdir -p /d/sub /srv',
  'echo alpha > /d/a',
  'echo beta > /d/sub/b',
  'busybox ln -s /etc/passwd /x',
  'busybox ln -s ../../../../.. /up',
  'echo container-only >> /etc/passwd',
  'rm /etc/group',
  'touch /ready',
  'sleep 600',
].join('; ');

describe.skipIf(skip)(`tpod cp, diff and export${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  let host: string;
  /** tpod with bytes in and out, for tar streams. */
  const raw = (args: readonly string[], input?: Buffer) => {
    const r = spawnSync(TPOD, args, { env: box.env, input: input ?? Buffer.alloc(0), timeout: 60_000, maxBuffer: 1 << 28 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
  };
  /** `tar -tv` of ARCHIVE: "mode uid/gid name" lines. */
  const listTar = (archive: Buffer) =>
    spawnSync('tar', ['-tvf', '-', '--numeric-owner'], { input: archive, encoding: 'utf8', maxBuffer: 1 << 28 })
      .stdout.split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/))
      .map((f) => `${f[0]} ${f[1]} ${f.slice(5).join(' ')}`);
  const ok = (args: readonly string[], input?: Buffer) => {
    const r = raw(args, input);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };
  const fails = (args: readonly string[], message: string) => {
    const r = raw(args);
    expect(r.stderr).toBe(`Error: ${message}\n`);
    expect(r.code).toBe(125);
  };
  const fresh = (name: string) => {
    const dir = join(host, name);
    mkdirSync(dir);
    return dir;
  };

  beforeAll(async () => {
    box = new Sandbox();
    host = mkdtempSync(join(tmpdir(), 'tpod-files-'));
    const path = `tpod-test/container-files-${process.pid}`;
    await buildImage([busyboxLayer()]).push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
    expect(box.run(['run', '-d', '--name', 'live', '--network', 'none', image, 'sh', '-c', SETUP]).code).toBe(0);
    for (let i = 0; raw(['cp', 'live:/ready', '-']).code !== 0; i++) {
      if (i > 100) throw new Error('the container did not get ready');
      await new Promise((ok) => setTimeout(ok, 100));
    }
  });
  afterAll(() => {
    box.destroy();
    spawnSync('rm', ['-rf', host]);
  });

  it('copies out of a running container by docker cp\'s rules', () => {
    const into = fresh('out');
    ok(['cp', 'live:/d', into]);
    expect(readFileSync(join(into, 'd', 'sub', 'b'), 'utf8')).toBe('beta\n');
    ok(['cp', 'live:/d', join(into, 'renamed')]);
    expect(readdirSync(join(into, 'renamed')).sort()).toEqual(['a', 'sub']);
    const content = fresh('content');
    ok(['cp', 'live:/d/.', content]);
    expect(readdirSync(content).sort()).toEqual(['a', 'sub']);
    ok(['cp', 'live:/d/a', join(into, 'file')]);
    expect(readFileSync(join(into, 'file'), 'utf8')).toBe('alpha\n');
    // A relative path starts at the working directory, / here; what is copied out is ours.
    ok(['cp', 'live:d/a', into]);
    expect(lstatSync(join(into, 'a')).uid).toBe(process.getuid!());

    fails(['cp', 'live:/nowhere', into], '"/nowhere" could not be found on container live: no such file or directory');
    fails(['cp', 'live:/d', join(into, 'file')], 'destination must be a directory when copying a directory');
    fails(['cp', 'live:/d/a', join(into, 'no', 'such')], `"${join(into, 'no', 'such')}" could not be found on the host: no such file or directory`);
    fails(['cp', '/a', '/b'], 'invalid arguments "/a", "/b": one of them must be a container\'s, CONTAINER:PATH');
  });

  it('writes a tar stream of a running container\'s files, its /etc files included, owned by its user', () => {
    expect(listTar(ok(['cp', 'live:/d', '-']))).toEqual(['drwxr-xr-x 0/0 d/', '-rw-r--r-- 0/0 d/a', 'drwxr-xr-x 0/0 d/sub/', '-rw-r--r-- 0/0 d/sub/b']);
    expect(listTar(ok(['cp', 'live:/d/.', '-']))).toEqual(['-rw-r--r-- 0/0 a', 'drwxr-xr-x 0/0 sub/', '-rw-r--r-- 0/0 sub/b']);
    // The container's view: its /etc/hosts is the one tpod binds there.
    const hosts = spawnSync('tar', ['-xOf', '-'], { input: ok(['cp', 'live:/etc/hosts', '-']), encoding: 'utf8' }).stdout;
    expect(hosts).toContain('live');
  });

  it('never reads the host\'s files through a symlink in the container', () => {
    const into = fresh('escape-out');
    // /x -> /etc/passwd is the container's passwd, copied under the target's name as podman does.
    ok(['cp', 'live:/x', into]);
    expect(readFileSync(join(into, 'passwd'), 'utf8')).toContain('container-only');
    ok(['cp', 'live:/up/up/etc/passwd', join(into, 'via-up')]);
    expect(readFileSync(join(into, 'via-up'), 'utf8')).toContain('container-only');
    ok(['cp', 'live:/../../../etc/passwd', join(into, 'dotdot')]);
    expect(readFileSync(join(into, 'dotdot'), 'utf8')).toContain('container-only');
  });

  it('copies into a running container: files, directories, their content, and tar streams, owned by its user unless --archive=false', () => {
    const src = fresh('in');
    mkdirSync(join(src, 'dir', 'sub'), { recursive: true });
    writeFileSync(join(src, 'dir', 'sub', 'g'), 'gamma\n');
    writeFileSync(join(src, 'file'), 'file\n');
    ok(['cp', join(src, 'file'), 'live:/srv']);
    ok(['cp', join(src, 'file'), 'live:/srv/renamed']);
    ok(['cp', join(src, 'dir'), 'live:/srv']);
    ok(['cp', join(src, 'dir'), 'live:/srv/newdir']);
    ok(['cp', `${join(src, 'dir')}/.`, 'live:/srv/newdir2']);
    const stream = tar([
      { name: 'streamed/', type: 'dir', uid: 1234, gid: 99 },
      { name: 'streamed/f', data: 'streamed\n', uid: 1234, gid: 99 },
    ]);
    ok(['cp', '-', 'live:/srv'], stream);
    ok(['cp', '--archive=false', '-', 'live:/srv/newdir'], stream);
    expect(listTar(ok(['export', 'live'])).filter((l) => l.includes(' srv/'))).toEqual([
      'drwxr-xr-x 0/0 srv/',
      'drwxr-xr-x 0/0 srv/dir/',
      'drwxr-xr-x 0/0 srv/dir/sub/',
      '-rw-r--r-- 0/0 srv/dir/sub/g',
      '-rw-r--r-- 0/0 srv/file',
      'drwxr-xr-x 0/0 srv/newdir/',
      'drwxr-xr-x 1234/99 srv/newdir/streamed/',
      '-rw-r--r-- 1234/99 srv/newdir/streamed/f',
      'drwxr-xr-x 0/0 srv/newdir/sub/',
      '-rw-r--r-- 0/0 srv/newdir/sub/g',
      'drwxr-xr-x 0/0 srv/newdir2/',
      'drwxr-xr-x 0/0 srv/newdir2/sub/',
      '-rw-r--r-- 0/0 srv/newdir2/sub/g',
      '-rw-r--r-- 0/0 srv/renamed',
      'drwxr-xr-x 0/0 srv/streamed/',
      '-rw-r--r-- 0/0 srv/streamed/f',
    ]);
    fails(['cp', '-', 'live:/srv/file'], 'destination must be a directory when copying from stdin');
    const notTar = raw(['cp', '-', 'live:/srv'], Buffer.from('not a tar archive\n'));
    expect(notTar.stderr).toBe('Error: source must be a (compressed) tar archive when copying from stdin\n');
    fails(['cp', join(src, 'dir'), 'live:/srv/file'], 'destination must be a directory when copying a directory');
    // A mount point is not replaced: that would unmount it in the container.
    fails(['cp', join(src, 'file'), 'live:/etc/hosts'], 'cannot replace /etc/hosts: /etc/hosts is a mount point in the container (device or resource busy)');
    // A directory named like a file there replaces it only with --overwrite.
    mkdirSync(join(src, 'clash', 'file'), { recursive: true });
    fails(['cp', join(src, 'clash', 'file'), 'live:/srv'], 'cannot overwrite non-directory /srv/file with a directory: use --overwrite');
  });

  it('never writes outside the container through its symlinks or an archive\'s entries', () => {
    const target = fresh('escape-target');
    const src = fresh('escape-src');
    writeFileSync(join(src, 'file'), 'payload\n');
    // Entries that climb out, or go through symlinks made just before, to the host's directory.
    const hostile = tar([
      { name: `../../../../../../..${target}/e1`, data: 'x' },
      { name: `${target}/e2`, data: 'x' },
      { name: 'l', type: 'symlink', linkname: target },
      { name: 'l/e3', data: 'x' },
      { name: 'l2', type: 'symlink', linkname: '../../../../../../../..' },
      { name: `l2${target}/e4`, data: 'x' },
    ]);
    ok(['cp', '-', 'live:/srv'], hostile);
    // Symlinks in the container to the host's directory, by absolute and by relative path.
    ok(['cp', '-', 'live:/srv'], tar([{ name: 'abs', type: 'symlink', linkname: target }, { name: 'rel', type: 'symlink', linkname: `../../../../../../../..${target}` }]));
    ok(['cp', join(src, 'file'), 'live:/srv/abs/']);
    ok(['cp', join(src, 'file'), 'live:/srv/rel/f2']);
    expect(readdirSync(target)).toEqual([]);
    // All of it went into the container: below /srv, or its own directory of the host's name.
    const names = (path: string) => listTar(ok(['cp', `live:${path}/.`, '-'])).map((l) => l.split(' ')[2]).sort();
    expect(names(`/srv${target}`)).toEqual(['e1', 'e2']);
    expect(names(target)).toEqual(['e3', 'e4', 'f2', 'file']);

    // On the host, a symlink where the copy makes a directory is not followed: refused, or with --overwrite replaced.
    const dest = fresh('escape-dest');
    symlinkSync(target, join(dest, 'd'));
    fails(['cp', 'live:/d', dest], `cannot overwrite non-directory ${dest}/d with a directory: use --overwrite`);
    ok(['cp', '--overwrite', 'live:/d', dest]);
    expect(readdirSync(target)).toEqual([]);
    expect(lstatSync(join(dest, 'd')).isDirectory()).toBe(true);
  });

  it('shows what a running container changed, as podman does', () => {
    const diff = box.run(['diff', 'live']);
    expect(diff.stderr).toBe('');
    const lines = diff.stdout.split('\n').filter(Boolean);
    expect(lines.slice(0, 5)).toEqual(['A /d', 'A /d/a', 'A /d/sub', 'A /d/sub/b', 'C /etc']);
    expect(lines).toEqual(expect.arrayContaining(['D /etc/group', 'C /etc/passwd', 'A /ready', 'A /x', 'A /up']));
    // The mount points the runtime made are left out.
    expect(lines.filter((l) => /\/etc\/(hosts|hostname|resolv.conf)$|^. \/(proc|sys|dev|run)$/.test(l))).toEqual([]);
    const json = JSON.parse(box.run(['diff', '--format', 'json', 'live']).stdout) as Record<string, string[]>;
    expect(json.deleted).toEqual(['/etc/group']);
    expect(json.changed).toEqual(expect.arrayContaining(['/etc', '/etc/passwd']));
  });

  it('works on stopped containers: cp both ways, diff, and an export that import makes an image of', () => {
    const id = box.run(['create', '--name', 'idle', '-w', '/work', '-u', '1000:1000', image, 'cat', '/work/in']).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const src = fresh('stopped');
    writeFileSync(join(src, 'in'), 'into a stopped container\n');
    // /work is missing: as a new name, it becomes the copy.
    ok(['cp', src, 'idle:/work']);
    ok(['cp', 'idle:in', join(src, 'back')]);
    expect(readFileSync(join(src, 'back'), 'utf8')).toBe('into a stopped container\n');
    expect(box.run(['diff', 'idle']).stdout).toBe('A /work\nA /work/in\n');
    expect(listTar(ok(['export', 'idle'])).filter((l) => l.includes('work'))).toEqual(['drwxr-xr-x 1000/1000 work/', '-rw-r--r-- 1000/1000 work/in']);
    // Its root was mounted for each of these, and is not left mounted.
    expect(box.run(['unshare', 'cat', '/proc/self/mountinfo']).stdout).not.toContain(id);
    const started = box.run(['start', '-a', 'idle']);
    expect(started.stdout).toBe('into a stopped container\n');

    // What the live container has, stopped, exported, imported and run.
    expect(box.run(['stop', '-t', '0', 'live']).code).toBe(0);
    ok(['cp', join(src, 'in'), 'live:/srv/after-stop']);
    const archive = ok(['export', 'live']);
    const imported = raw(['import', '-', 'snapshot'], archive);
    expect(imported.code).toBe(0);
    const r = box.run(['run', '--rm', '--network', 'none', 'snapshot', 'cat', '/d/a', '/srv/after-stop']);
    expect(r.stdout).toBe('alpha\ninto a stopped container\n');
    expect(r.code).toBe(0);
  });

  it('refuses to start a stopped container while its files are being exported, and starts it after', async () => {
    box.run(['create', '--name', 'held', '--network', 'none', image, 'true']);
    // An export whose reader does not read yet: it waits on a full pipe, holding the container's root.
    const exporting = box.start(['export', 'held'], { stdio: ['ignore', 'pipe', 'pipe'] });
    exporting.stdout!.pause();
    await new Promise((ok) => setTimeout(ok, 1500));
    const refused = box.run(['start', 'held']);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toBe('Error: container held is being copied from or exported: start it when that is done\n');
    exporting.stdout!.resume();
    await new Promise((ok) => exporting.once('close', ok));
    expect(box.run(['start', '-a', 'held']).code).toBe(0);
  });

  it('copies into a --userns=keep-id container, stopped and running, as its user: the caller', async () => {
    const src = fresh('keep-id');
    writeFileSync(join(src, 'in'), 'mine\n');
    const script = 'while [ ! -e /tmp/in2 ]; do sleep 0.1; done; stat -c "%u:%g %n" /tmp/in /tmp/in2';
    expect(box.run(['create', '--name', 'kid', '--userns=keep-id', '--network', 'none', image, 'sh', '-c', script]).code).toBe(0);
    ok(['cp', join(src, 'in'), 'kid:/tmp/in']);
    expect(box.run(['start', 'kid']).code).toBe(0);
    ok(['cp', join(src, 'in'), 'kid:/tmp/in2']);
    expect(box.run(['wait', 'kid']).stdout).toBe('0\n');
    const me = `${process.getuid!()}:${process.getgid!()}`;
    expect(box.run(['logs', 'kid']).stdout).toBe(`${me} /tmp/in\n${me} /tmp/in2\n`);
    // An export gives the ids the container sees.
    expect(listTar(ok(['export', 'kid'])).filter((l) => / tmp\/in/.test(l))).toEqual([`-rw-r--r-- ${me.replace(':', '/')} tmp/in`, `-rw-r--r-- ${me.replace(':', '/')} tmp/in2`]);
  });

  it('exports to the file --output names', () => {
    const file = join(fresh('export'), 'live.tar');
    ok(['export', '-o', file, 'live']);
    expect(listTar(readFileSync(file))).toContain('-rw-r--r-- 0/0 d/a');
  });
});
