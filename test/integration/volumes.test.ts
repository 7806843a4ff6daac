/**
 * tpod volume and the volumes of tpod run, with the real runtime, overlay and
 * namespace, on an image pulled from the test registry.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');

describe.skipIf(skip)(`tpod volume${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const volumesDir = () => join(box.env.XDG_DATA_HOME!, 'tpod/volumes');
  const names = () => box.run(['volume', 'ls', '-q']).stdout.split('\n').filter(Boolean);
  const ok = (args: string[]) => {
    const r = box.run(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    box = new Sandbox();
    const built = buildImage([
      busyboxLayer(),
      [
        { name: 'srv/', type: 'dir', uid: 1000, gid: 1000, mode: 0o750 },
        { name: 'srv/seed.txt', data: 'from the image\n', uid: 1000, gid: 1000, mode: 0o640 },
      ],
    ], { config: { Cmd: ['/bin/sh'], Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] } });
    const path = `tpod-test/volumes-${process.pid}`;
    await built.push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    const pulled = box.run(['pull', '-q', '--tls-verify=false', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
  });
  afterAll(() => box.destroy());

  it('creates, lists, inspects and removes volumes with podman\'s output and exit codes', () => {
    expect(ok(['volume', 'create', '--label', 'project=web', '-o', 'type=tmpfs', 'alpha'])).toBe('alpha\n');
    const again = box.run(['volume', 'create', 'alpha']);
    expect(again.code).toBe(125);
    expect(again.stderr).toBe('Error: volume with name alpha already exists: volume already exists\n');
    expect(ok(['volume', 'create', '--ignore', 'alpha'])).toBe('alpha\n');
    const invalid = box.run(['volume', 'create', 'a:b']);
    expect(invalid.code).toBe(125);
    expect(invalid.stderr).toBe('Error: invalid volume name "a:b": names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*\n');
    const random = ok(['volume', 'create']).trim();
    expect(random).toMatch(/^[0-9a-f]{64}$/);

    // Listed by name; the random name sorts before or after alpha by its first digit.
    const sorted = [random, 'alpha'].sort((a, b) => a.localeCompare(b));
    expect(ok(['volume', 'ls'])).toBe(`DRIVER  VOLUME NAME\n${sorted.map((n) => `local   ${n}\n`).join('')}`);
    expect(ok(['volume', 'ls', '--noheading', '--format', '{{.Name}} {{.Driver}} {{.Scope}}'])).toBe(sorted.map((n) => `${n} local local\n`).join(''));
    expect(JSON.parse(ok(['volume', 'ls', '--format', 'json'])).map((v: { Name: string }) => v.Name)).toEqual(sorted);

    const [inspected] = JSON.parse(ok(['volume', 'inspect', 'alpha']));
    expect(inspected).toEqual({
      Name: 'alpha', Driver: 'local', Mountpoint: join(volumesDir(), 'alpha/_data'), CreatedAt: inspected.CreatedAt,
      Labels: { project: 'web' }, Scope: 'local', Options: { type: 'tmpfs' }, NeedsCopyUp: true, NeedsChown: true,
    });
    expect(Date.parse(inspected.CreatedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(ok(['volume', 'inspect', '--format', '{{.Mountpoint}}', 'alpha'])).toBe(`${join(volumesDir(), 'alpha/_data')}\n`);
    expect(box.run(['volume', 'inspect']).stderr).toBe('Error: provide one or more volume names or use --all\n');
    expect(JSON.parse(ok(['volume', 'inspect', '--all'])).map((v: { Name: string }) => v.Name)).toEqual(sorted);
    const missing = box.run(['volume', 'inspect', 'alpha', 'nosuch']);
    expect(missing.code).toBe(125);
    expect(JSON.parse(missing.stdout)).toHaveLength(1);
    expect(missing.stderr).toBe('Error: no volume with name "nosuch" found: no such volume\n');

    const notFound = box.run(['volume', 'rm', 'nosuch']);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toBe('Error: no volume with name "nosuch" found: no such volume\n');
    expect(ok(['volume', 'rm', 'alpha'])).toBe('alpha\n');
    expect(ok(['volume', 'prune', '--force'])).toBe(`${random}\n`);
    expect(names()).toEqual([]);
    expect(readdirSync(volumesDir())).toEqual([]);
  });

  it('keeps a named volume\'s content from one container to the next', () => {
    ok(['run', '--rm', '-v', 'data:/data', image, 'sh', '-c', 'echo kept > /data/file']);
    expect(names()).toContain('data');
    expect(ok(['run', '--rm', '--mount', 'type=volume,source=data,target=/elsewhere', image, 'cat', '/elsewhere/file'])).toBe('kept\n');
  });

  it('copies the image\'s content, owners and modes into a new volume, once', () => {
    const script = 'cat /srv/seed.txt; stat -c "%u:%g %a" /srv /srv/seed.txt';
    expect(ok(['run', '--rm', '-v', 'seeded:/srv', image, 'sh', '-c', script])).toBe('from the image\n1000:1000 750\n1000:1000 640\n');
    ok(['run', '--rm', '-v', 'seeded:/srv', image, 'rm', '/srv/seed.txt']);
    expect(ok(['run', '--rm', '-v', 'seeded:/srv', image, 'ls', '-A', '/srv'])).toBe('');
    expect(ok(['run', '--rm', '-v', 'bare:/srv:nocopy', image, 'ls', '-A', '/srv'])).toBe('');
  });

  it('gives a volume mounted with U to the container\'s user', () => {
    ok(['run', '--rm', '-v', 'owned:/owned', image, 'sh', '-c', 'mkdir /owned/sub && echo x > /owned/sub/file']);
    const r = ok(['run', '--rm', '-u', '1234:2345', '-v', 'owned:/owned:U', image, 'sh', '-c', 'stat -c %u:%g /owned /owned/sub /owned/sub/file; touch /owned/mine && echo writable']);
    expect(r).toBe('1234:2345\n1234:2345\n1234:2345\nwritable\n');
    // A new volume where the image has nothing belongs to the container's user.
    expect(ok(['run', '--rm', '-u', '1000:1000', '-v', 'fresh:/new', image, 'stat', '-c', '%u:%g', '/new'])).toBe('1000:1000\n');
  });

  it('refuses to remove a volume a kept container uses (exit 2), unless forced, which removes the container', () => {
    ok(['run', '--name', 'keeper', '-v', 'held:/held', image, 'true']);
    const refused = box.run(['volume', 'rm', 'held']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Error: volume held is being used by the following container\(s\): [0-9a-f]{64}: volume is being used\n$/);
    expect(ok(['volume', 'prune', '-f']).split('\n')).not.toContain('held');
    expect(names()).toContain('held');
    expect(ok(['volume', 'rm', '--force', 'held'])).toBe('held\n');
    const containers = join(box.env.XDG_DATA_HOME!, 'tpod/containers');
    expect(readdirSync(containers).filter((id) => existsSync(join(containers, id, 'container.json')))).toEqual([]);
  });

  it('removes anonymous volumes with a --rm container, and with a run that fails', () => {
    const before = names();
    expect(ok(['run', '--rm', '-v', '/anon', image, 'sh', '-c', 'touch /anon/x'])).toBe('');
    expect(box.run(['run', '--rm', '-v', '/anon', image, 'nosuch']).code).toBe(127);
    expect(box.run(['run', '-v', '/anon', image, 'nosuch']).code).toBe(127);
    expect(names()).toEqual(before);
    ok(['run', '--name', 'anon-keeper', '-v', '/anon', image, 'true']);
    const [anonymous] = names().filter((n) => !before.includes(n));
    expect(JSON.parse(ok(['volume', 'inspect', anonymous!]))[0]).toMatchObject({ Anonymous: true });
  });

  it('refuses a missing volume with nocreate, leaving nothing behind', () => {
    const r = box.run(['run', '--rm', '--mount', 'type=volume,source=absent,target=/x,nocreate', image, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('Error: no volume with name "absent" found: no such volume\n');
    expect(names()).not.toContain('absent');
  });
});
