/** The test registries and image builders work, before any tpod test relies on them. */
import { describe, expect, inject, it } from 'vitest';
import type { TestRegistries } from './global-setup.js';
import {
  type TestImage,
  type TestIndex,
  beyondRangeImage,
  busyboxImage,
  hostileLayers,
  largeImage,
  multiArchIndex,
  multiLayerImage,
  ownersImage,
} from './images.js';
import { base, send } from './push.js';

const registries = inject('registries') as TestRegistries;
const skip = inject('registriesMissing');

/** GET of a manifest with its media type accepted: its bytes and the digest the registry gives. */
async function fetchManifest(host: string, repo: string, reference: string, accept: string, auth?: { username: string; password: string }) {
  const res = await send(host, repo, `/v2/${repo}/manifests/${reference}`, { headers: { accept } }, auth);
  return { status: res.status, type: res.headers.get('content-type'), digest: res.headers.get('docker-content-digest'), bytes: Buffer.from(await res.arrayBuffer()) };
}

async function expectRoundTrip(host: string, repo: string, image: TestImage | TestIndex, auth?: { username: string; password: string }) {
  const pushed = await image.push(host, repo, 'v1', auth);
  expect(pushed).toBe(image.digest);
  const bytes = 'indexBytes' in image ? image.indexBytes : image.manifestBytes;
  for (const reference of ['v1', image.digest]) {
    const got = await fetchManifest(host, repo, reference, image.mediaType, auth);
    expect(got).toMatchObject({ status: 200, type: image.mediaType, digest: image.digest });
    expect(got.bytes.equals(bytes)).toBe(true);
  }
}

describe.skipIf(!registries)(`test registries${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const auth = registries && { username: registries.username, password: registries.password };

  it('open answers /v2/ anonymously', async () => {
    const res = await fetch(`${base(registries.open)}/v2/`);
    expect(res.status).toBe(200);
  });

  it('basic demands Basic credentials and takes the right ones only', async () => {
    const res = await fetch(`${base(registries.basic)}/v2/`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="tpod-test"');
    const login = (password: string) =>
      fetch(`${base(registries.basic)}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`${registries.username}:${password}`).toString('base64')}` } });
    expect((await login(registries.password)).status).toBe(200);
    expect((await login('wrong')).status).toBe(401);
  });

  it('token demands a Bearer token from its issuer, which refuses bad credentials', async () => {
    const res = await fetch(`${base(registries.token)}/v2/`);
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/token",service="tpod-test-registry"$/);
    const realm = /realm="([^"]+)"/.exec(challenge)![1]!;
    const bad = await fetch(`${realm}?service=tpod-test-registry&scope=repository:x:pull`, { headers: { authorization: `Basic ${Buffer.from(`${registries.username}:wrong`).toString('base64')}` } });
    expect(bad.status).toBe(401);
    const anonymous = (await (await fetch(`${realm}?service=tpod-test-registry&scope=repository:x:pull,push`)).json()) as { token: string; access_token: string };
    expect(anonymous.access_token).toBe(anonymous.token);
    const claims = JSON.parse(Buffer.from(anonymous.token.split('.')[1]!, 'base64url').toString());
    expect(claims.access).toEqual([{ type: 'repository', name: 'x', actions: ['pull'] }]);
  });

  it('each image builder pushes to the open registry and reads back by tag and digest', async () => {
    const images: Record<string, TestImage | TestIndex> = {
      busybox: busyboxImage(),
      'busybox-docker': busyboxImage({ format: 'docker' }),
      'busybox-tar': busyboxImage({ compression: 'none' }),
      'busybox-docker-tar': busyboxImage({ format: 'docker', compression: 'none' }),
      multilayer: multiLayerImage(),
      multiarch: multiArchIndex(),
      'multiarch-docker': multiArchIndex({ format: 'docker' }),
      owners: ownersImage(),
      large: largeImage(8),
      beyond: beyondRangeImage(),
      ...Object.fromEntries(Object.entries(hostileLayers()).map(([name, image]) => [`hostile-${name}`, image])),
    };
    for (const [name, image] of Object.entries(images)) await expectRoundTrip(registries.open, `selftest/${name}`, image);
  });

  it('basic and token take pushes with credentials', async () => {
    await expectRoundTrip(registries.basic, 'selftest/busybox', busyboxImage(), auth);
    await expectRoundTrip(registries.token, 'selftest/busybox', multiArchIndex(), auth);
  });

  it('token lets anonymous users pull but not push', async () => {
    const image = busyboxImage({ format: 'docker' });
    await image.push(registries.token, 'selftest/anonymous', 'v1', auth);
    expect((await fetchManifest(registries.token, 'selftest/anonymous', image.digest, image.mediaType)).status).toBe(200);
    await expect(image.push(registries.token, 'selftest/anonymous', 'v2')).rejects.toThrow(/HTTP 401/);
  });
});
