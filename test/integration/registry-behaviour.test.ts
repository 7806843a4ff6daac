/**
 * Registries as they really behave: redirects to other hosts, overload,
 * corrupted or unsupported content, and podman's registries.conf (search
 * registries, aliases, mirrors, insecure and blocked registries).
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxImage, busyboxLayer } from '../registry/images.js';
import { type Proxy, startProxy } from '../registry/proxy.js';
import { Sandbox, storedIds, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');
const insecure = '--tls-verify=false';
let count = 0;
const repo = (what: string) => `tpod-test/${what}-${process.pid}-${count++}`;

describe.skipIf(skip)(`registry behaviour${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let front: Proxy;
  beforeAll(async () => {
    box = new Sandbox();
    front = await startProxy(registries!.open);
  });
  afterAll(async () => {
    await front.stop();
    box.destroy();
  });

  const nothingKept = (configDigest: string) => {
    expect(storedIds(box)).not.toContain(configDigest.slice(7));
    expect(readdirSync(join(box.env.XDG_DATA_HOME!, 'tpod/tmp'))).toEqual([]);
  };

  it('retries a registry that answers 503 for a while', async () => {
    const image = busyboxImage();
    const path = repo('retry');
    await image.push(registries!.open, path, 'latest');
    front.faults = { failBlobRequests: 2 };
    const r = await box.runAsync(['pull', '-q', insecure, `${front.host}/${path}:latest`]);
    front.faults = {};
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${image.configDigest.slice(7)}\n`);
  });

  it('follows blob redirects to another host, without sending it our credentials', async () => {
    const image = buildImage([busyboxLayer(), [{ name: 'redirected', data: 'yes\n' }]]);
    const auth = { username: registries!.username, password: registries!.password };
    const path = repo('redirect');
    await image.push(registries!.basic, path, 'latest', auth);
    await image.push(registries!.open, path, 'latest');
    // busybox's layer stored first, so that the pull below fetches exactly two blobs.
    const base = repo('redirect-base');
    await busyboxImage().push(registries!.open, base, 'latest');
    expect((await box.runAsync(['pull', '-q', insecure, `${registries!.open}/${base}:latest`])).code).toBe(0);
    const withAuth = await startProxy(registries!.basic);
    const elsewhere = await startProxy(registries!.open, '127.0.0.2');
    try {
      withAuth.faults = { redirectBlobsTo: elsewhere.host };
      await box.runAsync(['login', insecure, '-u', auth.username, '--password-stdin', withAuth.host], { input: auth.password });
      const r = await box.runAsync(['pull', '-q', insecure, `${withAuth.host}/${path}:latest`]);
      expect(r.code, r.stderr).toBe(0);
      const blobGets = elsewhere.seen.filter((s) => /^GET .*\/blobs\//.test(s.request));
      // The config and the new layer (busybox's is stored already) came from the other host.
      expect(blobGets.map((s) => s.request.split('/').pop()).sort()).toEqual([image.configDigest, image.manifest.layers.at(-1)!.digest].sort());
      expect(blobGets.every((s) => !s.authorized)).toBe(true);
    } finally {
      await withAuth.stop();
      await elsewhere.stop();
    }
  });

  it('keeps nothing of a blob whose content does not match its digest', async () => {
    const image = buildImage([busyboxLayer(), [{ name: 'corrupt-me', data: 'x'.repeat(4096) }]]);
    const path = repo('corrupt');
    await image.push(registries!.open, path, 'latest');
    const layer = image.manifest.layers.at(-1)!.digest;
    front.faults = { corruptBlob: layer };
    const r = await box.runAsync(['pull', '-q', insecure, `${front.host}/${path}:latest`]);
    front.faults = {};
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(new RegExp(`^Error: ${front.host}/${path}: blob ${layer} arrived with digest sha256:\\w+; nothing of it was kept\\n$`));
    nothingKept(image.configDigest);
    expect(existsSync(join(box.env.XDG_DATA_HOME!, 'tpod/blobs/sha256', layer.slice(7)))).toBe(false);
  });

  it('refuses Docker schema 1 and zstd layers in one clear line', async () => {
    const path = repo('old');
    front.faults = { manifest: { body: JSON.stringify({ schemaVersion: 1, name: path, tag: 'latest', fsLayers: [] }), mediaType: 'application/vnd.docker.distribution.manifest.v1+prettyjws' } };
    const old = await box.runAsync(['pull', insecure, `${front.host}/${path}:latest`]);
    expect(old.code).toBe(125);
    expect(old.stderr.split('\n').filter((l) => l.startsWith('Error'))).toEqual([
      `Error: ${front.host}/${path}:latest: Docker schema 1 manifests are not supported (re-push the image with a current docker or podman)`,
    ]);

    const image = busyboxImage();
    const zstd = { ...image.manifest, layers: image.manifest.layers.map((l) => ({ ...l, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' })) };
    front.faults = { manifest: { body: JSON.stringify(zstd), mediaType: image.mediaType } };
    const z = await box.runAsync(['pull', insecure, `${front.host}/${path}:latest`]);
    front.faults = {};
    expect(z.code).toBe(125);
    expect(z.stderr).toMatch(/: layer sha256:\w+ is compressed with zstd, which tpod cannot read yet\n$/);
  });
});

describe.skipIf(skip)(`registries.conf${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  const path = repo('conf');
  let image: ReturnType<typeof busyboxImage>;
  beforeAll(async () => {
    image = busyboxImage();
    await image.push(registries!.open, path, 'latest');
    box = new Sandbox();
    const conf = join(box.dir, 'registries.conf');
    writeFileSync(
      conf,
      [
        `unqualified-search-registries = ["${registries!.open}"]`,
        '',
        '[aliases]',
        `"nickname" = "${registries!.open}/${path}"`,
        '',
        '[[registry]]',
        `location = "${registries!.open}"`,
        'insecure = true',
        '',
        '[[registry]]',
        'prefix = "mirrored.example.invalid"',
        'location = "mirrored.example.invalid"',
        '[[registry.mirror]]',
        `location = "${registries!.open}/tpod-test"`,
        'insecure = true',
        '',
        '[[registry]]',
        'location = "blocked.example.invalid"',
        'blocked = true',
        '',
      ].join('\n'),
    );
    box.env.CONTAINERS_REGISTRIES_CONF = conf;
  });
  afterAll(() => box.destroy());

  it('pulls a short name from the search registries, over plain HTTP where it is marked insecure', () => {
    const r = box.run(['pull', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Trying to pull ${registries!.open}/${path}:latest...`);
    expect(box.run(['images', '--format', '{{.Repository}}']).stdout).toContain(`${registries!.open}/${path}\n`);
  });

  it('follows an alias, and finds the image by short name afterwards', () => {
    expect(box.run(['pull', '-q', 'nickname']).stdout).toBe(`${image.configDigest.slice(7)}\n`);
    expect(box.run(['image', 'inspect', '--format', '{{.Id}}', path]).stdout).toBe(`${image.configDigest.slice(7)}\n`);
  });

  it('pulls from a mirror, under the name asked for', () => {
    const name = `mirrored.example.invalid/${path.split('/').slice(1).join('/')}:latest`;
    const r = box.run(['pull', '-q', name]);
    expect(r.code, r.stderr).toBe(0);
    expect(box.run(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout).toContain(`${name}\n`);
  });

  it('refuses a blocked registry', () => {
    const r = box.run(['pull', 'blocked.example.invalid/anything']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('Error: blocked.example.invalid/anything:latest: registry blocked.example.invalid is blocked in registries.conf\n');
  });
});
