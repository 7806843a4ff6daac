/**
 * Pushing raw content with the OCI distribution API, independently of tpod,
 * so that image tests start from a registry tpod has never touched.
 */
import { createHash } from 'node:crypto';
import type { Credentials } from './server.js';

export type { Credentials };

/** The Authorization header that last worked, by registry, repository and user. */
const authorizations = new Map<string, string>();

/** Uploads a blob (POST, then a monolithic PUT ?digest=) unless the repository has it; returns its digest. */
export async function pushBlob(registry: string, repo: string, bytes: Buffer, auth?: Credentials): Promise<string> {
  const digest = sha256(bytes);
  const head = await send(registry, repo, `/v2/${repo}/blobs/${digest}`, { method: 'HEAD' }, auth);
  if (head.ok) return digest;
  const start = await send(registry, repo, `/v2/${repo}/blobs/uploads/`, { method: 'POST' }, auth);
  await expectStatus(start, 202, `starting the upload of ${digest} to ${repo}`);
  // Location may be relative, and carries upload state in its query.
  const location = new URL(start.headers.get('location') ?? '', `${base(registry)}/`);
  location.searchParams.set('digest', digest);
  const put = await send(registry, repo, location.href, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    // fetch's typing wants an ArrayBuffer-backed view, which these Buffers are.
    body: bytes as Uint8Array<ArrayBuffer>,
  }, auth);
  await expectStatus(put, 201, `uploading ${digest} to ${repo}`);
  return digest;
}

/** Puts a manifest or index under a tag or digest; returns its digest. */
export async function pushManifest(
  registry: string,
  repo: string,
  reference: string,
  manifest: Buffer | string | object,
  mediaType: string,
  auth?: Credentials,
): Promise<string> {
  // The digest is of these exact bytes: pass bytes to keep a given serialisation.
  const bytes = Buffer.isBuffer(manifest) ? manifest : Buffer.from(typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  const res = await send(registry, repo, `/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { 'content-type': mediaType },
    body: bytes as Uint8Array<ArrayBuffer>,
  }, auth);
  await expectStatus(res, 201, `putting manifest ${repo}:${reference}`);
  const digest = sha256(bytes);
  const stored = res.headers.get('docker-content-digest');
  if (stored !== digest) throw new Error(`registry stored ${repo}:${reference} as ${stored}, expected ${digest}`);
  return digest;
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export function base(registry: string): string {
  return registry.includes('://') ? registry : `http://${registry}`;
}

/** Sends with the cached authorization; on a 401 answers its challenge (Basic or Bearer) and retries once. */
export async function send(registry: string, repo: string, path: string, init: RequestInit, auth?: Credentials): Promise<Response> {
  const url = new URL(path, `${base(registry)}/`).href;
  const key = `${base(registry)} ${repo} ${auth?.username ?? ''}`;
  const attempt = (authorization?: string) =>
    fetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...(authorization ? { authorization } : {}) } });
  const cached = authorizations.get(key);
  const first = await attempt(cached);
  if (first.status !== 401) return first;
  await first.arrayBuffer();
  const authorization = await answer(first.headers.get('www-authenticate') ?? '', repo, auth);
  authorizations.set(key, authorization);
  return attempt(authorization);
}

async function answer(challenge: string, repo: string, auth?: Credentials): Promise<string> {
  const basic = auth ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : undefined;
  const [scheme] = challenge.split(' ', 1);
  if (scheme?.toLowerCase() === 'basic') {
    if (!basic) throw new Error('the registry wants Basic credentials and none were given');
    return basic;
  }
  if (scheme?.toLowerCase() !== 'bearer') throw new Error(`unknown challenge: ${challenge}`);
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  if (!params.realm) throw new Error(`Bearer challenge without realm: ${challenge}`);
  const tokenUrl = new URL(params.realm);
  if (params.service) tokenUrl.searchParams.set('service', params.service);
  // Ask for everything a push needs at once, whatever this one request was refused for.
  tokenUrl.searchParams.set('scope', `repository:${repo}:pull,push`);
  const res = await fetch(tokenUrl, { headers: basic ? { authorization: basic } : {} });
  if (res.status !== 200) throw new Error(`getting a token from ${params.realm}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { token?: string; access_token?: string };
  return `Bearer ${body.token ?? body.access_token}`;
}

async function expectStatus(res: Response, status: number, what: string): Promise<void> {
  if (res.status === status) {
    await res.arrayBuffer();
    return;
  }
  throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
}
