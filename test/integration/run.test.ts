/**
 * tpod run with the real runtime, overlay and namespace, on an image pulled
 * from the test registry. Networking beyond none and host is not built yet.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, runAsync, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');

describe.skipIf(skip)(`tpod run${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const containersDir = () => join(box.env.XDG_DATA_HOME!, 'tpod/containers');
  const mounts = () => box.run(['unshare', 'cat', '/proc/self/mountinfo']).stdout;

  beforeAll(async () => {
    box = new Sandbox();
    const built = buildImage([
      busyboxLayer(),
      [
        { name: 'srv/', type: 'dir', uid: 1000, gid: 1000 },
        { name: 'data.txt', data: 'from the image\n' },
        { name: 'not-executable', data: '#!/bin/sh\n', mode: 0o644 },
      ],
    ], { config: { Cmd: ['/bin/sh', '-c', 'echo default command'], Env: ['FROM_IMAGE=yes', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin'], WorkingDir: '/' } });
    const path = `tpod-test/run-${process.pid}`;
    await built.push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    const pulled = box.run(['pull', '-q', '--tls-verify=false', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
  });
  afterAll(() => box.destroy());

  it('runs the image\'s command, or the one given, and exits with its exit code', () => {
    const own = box.run(['run', '--rm', image]);
    expect(own.stderr).toBe('');
    expect(own.stdout).toBe('default command\n');
    expect(own.code).toBe(0);
    const three = box.run(['run', '--rm', image, 'sh', '-c', 'cat /data.txt; exit 3']);
    expect(three.stdout).toBe('from the image\n');
    expect(three.code).toBe(3);
  });

  it('exits 127 for a command not found, 126 for one not runnable, 125 for its own errors, and leaves nothing behind', () => {
    const before = readdirSync(containersDir()).length;
    const missing = box.run(['run', '--rm', image, 'nosuch']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toBe('Error: nosuch: executable file not found in $PATH: no such file or directory\n');
    const notExec = box.run(['run', '--rm', image, '/not-executable']);
    expect(notExec.code).toBe(126);
    expect(notExec.stderr).toBe('Error: /not-executable: permission denied\n');
    const noImage = box.run(['run', '--rm', '--pull=never', 'localhost/no-such-image']);
    expect(noImage.code).toBe(125);
    expect(noImage.stderr).toBe('Error: localhost/no-such-image: image not known\n');
    const badVolume = box.run(['run', '--rm', '-v', '/no/such/dir:/x', image, 'true']);
    expect(badVolume.code).toBe(125);
    expect(badVolume.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    // A failure of the runtime's own (a file bound over a directory) is one line too, whichever
    // way the runtime was run: `run` without a network helper, create and start with one.
    for (const network of ['none', 'pasta']) {
      const runtimeFails = box.run(['run', '--rm', '--network', network, '-v', '/etc/hostname:/bin', image, 'true']);
      expect(runtimeFails.code).toBe(125);
      expect(runtimeFails.stderr).toMatch(/^Error: (runc|crun) could not start the container: .*not a directory\n$/);
    }
    // Not even with --rm left out: a container that never started is not kept.
    expect(box.run(['run', image, 'nosuch']).code).toBe(127);
    expect(readdirSync(containersDir()).length).toBe(before);
    expect(mounts()).not.toContain(containersDir());
  });

  it('passes environment, working directory and user as podman does', () => {
    const envFile = join(box.dir, 'env');
    writeFileSync(envFile, '# a comment\nFROM_FILE=file\n');
    const r = box.run(
      ['run', '--rm', '-e', 'A=1', '-e', 'FROM_CALLER', '--env-file', envFile, '-w', '/srv', '-u', '1000:1000', image, 'sh', '-c', 'echo $A $FROM_CALLER $FROM_FILE $FROM_IMAGE; pwd; id -u; id -g; touch mine && stat -c %u mine'],
      { env: { FROM_CALLER: 'caller' } },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1 caller file yes\n/srv\n1000\n1000\n1000\n');
  });

  it('makes a missing working directory, and marks the container as one', () => {
    const r = box.run(['run', '--rm', '-w', '/new/dir', image, 'sh', '-c', 'pwd; test -f /run/.containerenv && echo marked; echo $container']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('/new/dir\nmarked\ntpod\n');
  });

  it('mounts the root read-only, tmpfs and host directories as asked', () => {
    const host = mkdtempSync(join(tmpdir(), 'tpod-bind-'));
    writeFileSync(join(host, 'from-host'), 'hello\n');
    const r = box.run([
      'run', '--rm', '--read-only', '--tmpfs', '/scratch', '-v', `${host}:/host`, '-v', `${host}:/host-ro:ro`, image,
      'sh', '-c', 'touch /root-write 2>/dev/null && echo root-writable; touch /scratch/x && echo tmpfs-ok; cat /host/from-host; echo back > /host/from-container; touch /host-ro/x 2>/dev/null || echo ro-refused',
    ]);
    expect(r.stdout).toBe('tmpfs-ok\nhello\nro-refused\n');
    expect(readFileSync(join(host, 'from-container'), 'utf8')).toBe('back\n');
  });

  it('gives a host directory mounted with U to the container\'s user, as podman does', () => {
    const host = mkdtempSync(join(tmpdir(), 'tpod-chown-'));
    writeFileSync(join(host, 'mine'), 'x\n');
    const r = box.run(['run', '--rm', '-u', '1000:1000', '-v', `${host}:/data:U`, image, 'sh', '-c', 'stat -c %u:%g /data /data/mine; echo ok > /data/written']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1000:1000\n1000:1000\n');
    // On the host, the tree now belongs to one of our subordinate ids (mkdtemp's 0700 shuts us
    // out of it), and tpod unshare, where those ids are ours, reads it.
    expect(statSync(host).uid).not.toBe(process.getuid!());
    expect(box.run(['unshare', 'cat', join(host, 'written')]).stdout).toBe('ok\n');
    box.run(['unshare', 'rm', '-rf', host]);
  });

  it('gives --network none only loopback, and --network host the host\'s interfaces', () => {
    const none = box.run(['run', '--rm', '--network', 'none', image, 'sh', '-c', 'ls /sys/class/net']);
    expect(none.stdout.trim().split(/\s+/)).toEqual(['lo']);
    const hostIfaces = readdirSync('/sys/class/net').sort();
    const shared = box.run(['run', '--rm', '--network', 'host', image, 'sh', '-c', 'ls /sys/class/net']);
    expect(shared.stdout.trim().split(/\s+/).sort()).toEqual(hostIfaces);
  });

  it('passes signals to the container', async () => {
    const child = box.start(['run', '--rm', image, 'sh', '-c', 'trap "echo got TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done']);
    const done = runAsync(child);
    await new Promise((ok) => child.stdout!.once('data', ok));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.stdout).toBe('ready\ngot TERM\n');
    expect(r.code).toBe(7);
  });

  it('keeps a container without --rm, and refuses a second container of the same name', () => {
    const first = box.run(['run', '--name', 'keeper', image, 'true']);
    expect(first.code, first.stderr).toBe(0);
    const second = box.run(['run', '--name', 'keeper', image, 'true']);
    expect(second.code).toBe(125);
    expect(second.stderr).toBe('Error: the container name "keeper" is already in use: remove that container or choose another name\n');
    const records = readdirSync(containersDir()).map((id) => JSON.parse(readFileSync(join(containersDir(), id, 'container.json'), 'utf8')));
    expect(records.find((c) => c.name === 'keeper')).toMatchObject({ state: 'exited', exitCode: 0 });
    expect(existsSync(join(containersDir(), records.find((c) => c.name === 'keeper').id, 'upper'))).toBe(true);

    // The image keeper was made from stays until the container goes.
    const refused = box.run(['rmi', image]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Error: image used by container \w{12} \(keeper\): remove the container first, or use --force to remove it with the image\n$/);
    const forced = box.run(['rmi', '--force', image]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readdirSync(containersDir()).some((id) => id.length === 64 && JSON.parse(readFileSync(join(containersDir(), id, 'container.json'), 'utf8')).name === 'keeper')).toBe(false);
  });
});
