/**
 * tpod run --userns=keep-id for real: the caller's own ids inside, what the
 * container writes in a host directory owned by the caller outside, and the
 * image's files shown with their own owners by fuse-overlayfs's mapping (no
 * copy, no chown), with the container's writes stored in the image's ids.
 */
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, whyNoFuse, whyNotRunnable } from './helpers.js';

const registries = inject('registries');

const skip = whyNotRunnable() ?? inject('registriesMissing') ?? whyNoFuse();
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;

describe.skipIf(skip)(`tpod run --userns=keep-id${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const upperOf = (name: string) => {
    const dir = join(box.env.XDG_DATA_HOME!, 'tpod/containers');
    const id = readdirSync(dir).find((c) => c.length === 64 && JSON.parse(readFileSync(join(dir, c, 'container.json'), 'utf8')).name === name);
    return join(dir, id!, 'upper');
  };

  beforeAll(async () => {
    box = new Sandbox();
    const built = buildImage([
      busyboxLayer(),
      [
        { name: 'srv/', type: 'dir', uid: 1000, gid: 1000 },
        { name: 'srv/app.conf', data: 'x\n', uid: 1000, gid: 1000 },
      ],
    ]);
    const path = `tpod-test/keep-id-${process.pid}`;
    await built.push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    const pulled = box.run(['pull', '-q', '--tls-verify=false', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
  });
  afterAll(() => box.destroy());

  it('runs as the caller, named and at home as podman has it', () => {
    const r = box.run(['run', '--rm', '--userns=keep-id', image, 'sh', '-c', 'id -u; id -g; id -un; echo $HOME; grep "^$(id -un):" /etc/passwd']);
    expect(r.stderr).toBe('');
    const me = userInfo().username;
    expect(r.stdout.split('\n').slice(0, 4)).toEqual([String(uid), String(gid), me, '/']);
    expect(r.stdout.split('\n')[4]).toMatch(new RegExp(`^${me}:\\*:${uid}:${gid}:[^:]*:/:/bin/sh$`));
  });

  it('keep-id ownership in a bind mount: what the container writes is the caller\'s on the host', () => {
    const host = mkdtempSync(join(tmpdir(), 'tpod-keep-id-'));
    writeFileSync(join(host, 'mine'), 'hello\n');
    const r = box.run(['run', '--rm', '--userns=keep-id', '-v', `${host}:/work`, image, 'sh', '-c', 'stat -c "%u:%g" /work/mine; echo made > /work/made; mkdir /work/dir']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${uid}:${gid}\n`);
    for (const name of ['made', 'dir']) expect(statSync(join(host, name))).toMatchObject({ uid, gid });
  });

  it("shows the image's files with their own owners, root's and 1000's", () => {
    const r = box.run(['run', '--rm', '--userns=keep-id', image, 'sh', '-c', 'stat -c "%u:%g %n" /bin/busybox /srv /srv/app.conf /etc/hosts']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0:0 /bin/busybox\n1000:1000 /srv\n1000:1000 /srv/app.conf\n0:0 /etc/hosts\n');
  });

  it("stores the container's writes in the image's ids: root's as our 0, the caller's as our uid", () => {
    const caller = box.run(['run', '--name', 'by-caller', '--userns=keep-id', image, 'sh', '-c', 'touch /tmp/by-caller; touch /by-caller 2>/dev/null || echo refused']);
    expect(caller.stdout).toBe('refused\n');
    const root = box.run(['run', '--name', 'by-root', '--userns=keep-id', '-u', '0', image, 'sh', '-c', 'touch /by-root && stat -c "%u:%g" /by-root']);
    expect(root.stdout).toBe('0:0\n');
    const stored = (name: string, path: string) => box.run(['unshare', 'stat', '-c', '%u:%g', join(upperOf(name), path)]).stdout;
    expect(stored('by-caller', 'tmp/by-caller')).toBe(`${uid}:${gid}\n`);
    expect(stored('by-root', 'by-root')).toBe('0:0\n');
    // Our 0 is the caller outside: as with --userns=host, root's files are the caller's on the host.
    expect(statSync(join(upperOf('by-root'), 'by-root'))).toMatchObject({ uid, gid });
    expect(box.run(['rm', 'by-caller', 'by-root']).code).toBe(0);
  });

  it('gives a new named volume to the caller', () => {
    const r = box.run(['run', '--rm', '--userns=keep-id', '-v', 'kept:/data', image, 'sh', '-c', 'stat -c "%u:%g" /data; touch /data/x && stat -c "%u:%g" /data/x']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${uid}:${gid}\n${uid}:${gid}\n`);
  });

  it("mounts sysfs in the network namespace the runtime makes (none), and binds the host's /sys in pasta's", () => {
    const none = box.run(['run', '--rm', '--userns=keep-id', '--network', 'none', image, 'sh', '-c', 'ls /sys/class/net']);
    expect(none.stdout.trim().split(/\s+/)).toEqual(['lo']);
    const pasta = box.run(['run', '--rm', '--userns=keep-id', image, 'sh', '-c', 'wc -l < /proc/self/uid_map; touch /sys/x 2>/dev/null || echo read-only']);
    expect(pasta.stderr).toBe('');
    expect(pasta.stdout).toBe('3\nread-only\n');
  });
});
