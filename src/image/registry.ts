/**
 * The OCI distribution API over node-fetch: manifests and blobs, anonymous,
 * Basic or Bearer-token authenticated, with every byte checked against its
 * digest. Nothing a registry sends is trusted: a blob is kept only when its
 * sha256 matches.
 */
import { createWriteStream, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { pipeline } from 'node:stream/promises';
import fetch, { type RequestInit, type Response } from 'node-fetch';
import type { Credentials } from '../config/auth.js';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import { meter, sha256 } from './digest.js';

export interface Endpoint {
  /** host[:port] to connect to (a mirror's, or the registry's own). */
  readonly host: string;
  /** Plain HTTP, or HTTPS without certificate checks, is allowed. */
  readonly insecure: boolean;
}

export interface Challenge {
  readonly scheme: string;
  readonly params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="...",scope="..."`. Pure. */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of match[2]!.matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

const RETRIES = 3;
const insecureAgent = new Agent({ rejectUnauthorized: false });

function transient(status: number): boolean {
  return status === 429 || status >= 500;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export class RegistryClient {
  private scheme: 'https' | 'http' | undefined;
  private authorization: string | undefined;

  constructor(
    readonly endpoint: Endpoint,
    readonly repository: string,
    private readonly credentials: Credentials | undefined,
    /** pull, or pull,push */
    private readonly actions = 'pull',
  ) {}

  private what(): string {
    return `${this.endpoint.host}/${this.repository}`;
  }

  /** HTTPS, or for an insecure registry HTTP when HTTPS does not answer (as podman's --tls-verify=false). */
  private async base(): Promise<string> {
    if (!this.scheme) {
      this.scheme = 'https';
      if (this.endpoint.insecure) {
        try {
          await fetch(`https://${this.endpoint.host}/v2/`, { agent: insecureAgent });
        } catch {
          this.scheme = 'http';
        }
      }
    }
    return `${this.scheme}://${this.endpoint.host}`;
  }

  /**
   * One request, with authentication answered and transient failures retried.
   * A body that is a stream comes from BODY, called for each attempt.
   */
  async request(path: string, init: RequestInit = {}, body?: () => NodeJS.ReadableStream): Promise<Response> {
    const url = `${await this.base()}${path}`;
    let lastError: unknown;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      if (attempt > 0) await sleep(250 * 2 ** attempt);
      let response: Response;
      try {
        const headers = { ...(init.headers as Record<string, string>), ...(this.authorization ? { Authorization: this.authorization } : {}) };
        response = await fetch(url, {
          ...init,
          headers,
          ...(body ? { body: body() } : {}),
          ...(this.scheme === 'https' && this.endpoint.insecure ? { agent: insecureAgent } : {}),
        });
      } catch (err) {
        lastError = err;
        log.debug(`${init.method ?? 'GET'} ${url}: ${(err as Error).message}`);
        continue;
      }
      if (response.status === 401 && (await this.authenticate(response))) {
        attempt--;
        continue;
      }
      if (transient(response.status) && attempt < RETRIES - 1) {
        lastError = new Error(`HTTP ${response.status}`);
        continue;
      }
      return response;
    }
    throw new TpodError(`cannot reach ${this.endpoint.host}: ${(lastError as Error).message}`, {
      hint: this.endpoint.insecure ? undefined : 'for a registry without TLS, use --tls-verify=false or mark it insecure in registries.conf',
    });
  }

  /** Answers a 401 once: true when there is something new to try. */
  private async authenticate(response: Response): Promise<boolean> {
    const challenge = parseChallenge(response.headers.get('www-authenticate') ?? '');
    const basic = this.credentials ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}` : undefined;
    if (challenge?.scheme === 'basic') {
      if (!basic || this.authorization === basic) throw this.denied();
      this.authorization = basic;
      return true;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) throw this.denied();
    if (this.authorization?.startsWith('Bearer ')) throw this.denied();
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', `repository:${this.repository}:${this.actions}`);
    const tokenResponse = await fetch(url.href, { headers: basic ? { Authorization: basic } : {} });
    if (tokenResponse.status === 401 || tokenResponse.status === 403) throw this.denied();
    if (!tokenResponse.ok) throw new TpodError(`${this.what()}: the token service answered HTTP ${tokenResponse.status}`);
    const body = (await tokenResponse.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new TpodError(`${this.what()}: the token service sent no token`);
    this.authorization = `Bearer ${token}`;
    return true;
  }

  private denied(): TpodError {
    return new TpodError(`${this.what()}: ${this.credentials ? 'the registry refused the credentials' : 'the registry requires authentication'}`, {
      hint: this.credentials ? `check them with tpod login ${this.endpoint.host}` : `log in with tpod login ${this.endpoint.host}`,
    });
  }

  /** Checks that the registry answers and accepts our credentials (for login). */
  async ping(): Promise<void> {
    const response = await this.request('/v2/');
    if (!response.ok) throw new TpodError(`${this.endpoint.host}: the registry answered HTTP ${response.status} to /v2/`);
  }

  async getManifest(reference: string, accept: string): Promise<{ bytes: Buffer; contentType: string | undefined; digest: string }> {
    const response = await this.request(`/v2/${this.repository}/manifests/${reference}`, { headers: { Accept: accept } });
    if (response.status === 404) throw new TpodError(`${this.what()}:${reference}: image not known to the registry`);
    if (!response.ok) throw new TpodError(`${this.what()}:${reference}: the registry answered HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && reference !== digest) {
      throw new TpodError(`${this.what()}@${reference}: the registry sent a manifest with digest ${digest}`);
    }
    return { bytes, contentType: response.headers.get('content-type') ?? undefined, digest };
  }

  async getBlobBytes(digest: string): Promise<Buffer> {
    const response = await this.request(`/v2/${this.repository}/blobs/${digest}`);
    if (!response.ok) throw new TpodError(`${this.what()}: blob ${digest}: HTTP ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const actual = sha256(bytes);
    if (actual !== digest) throw new TpodError(`${this.what()}: blob ${digest} arrived with digest ${actual}; nothing of it was kept`);
    return bytes;
  }

  /** Streams blob DIGEST to FILE, hashing as it arrives; on any mismatch the file is removed. */
  async downloadBlob(digest: string, file: string, onBytes: (n: number) => void = () => {}): Promise<number> {
    let lastError: unknown;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const tap = meter(onBytes);
      try {
        const response = await this.request(`/v2/${this.repository}/blobs/${digest}`);
        if (!response.ok || !response.body) throw new TpodError(`${this.what()}: blob ${digest}: HTTP ${response.status}`);
        await pipeline(response.body, tap.stream, createWriteStream(file, { mode: 0o600 }));
      } catch (err) {
        rmSync(file, { force: true });
        if (err instanceof TpodError) throw err;
        lastError = err;
        // Progress started over: take back what this attempt counted.
        onBytes(-tap.result().size);
        continue;
      }
      const { digest: actual, size } = tap.result();
      if (actual !== digest) {
        rmSync(file, { force: true });
        throw new TpodError(`${this.what()}: blob ${digest} arrived with digest ${actual}; nothing of it was kept`);
      }
      return size;
    }
    throw new TpodError(`${this.what()}: blob ${digest}: ${(lastError as Error).message}`);
  }

  async hasBlob(digest: string): Promise<boolean> {
    const response = await this.request(`/v2/${this.repository}/blobs/${digest}`, { method: 'HEAD' });
    return response.ok;
  }

  /** Uploads blob DIGEST, read from OPEN (called again on a retry), in one PUT: the upload every registry takes. */
  async uploadBlob(digest: string, size: number, open: () => NodeJS.ReadableStream): Promise<void> {
    const start = await this.request(`/v2/${this.repository}/blobs/uploads/`, { method: 'POST' });
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw new TpodError(`${this.what()}: the registry refused an upload (HTTP ${start.status})`);
    const url = new URL(location, await this.base());
    url.searchParams.set('digest', digest);
    const put = await this.request(
      url.pathname + url.search,
      { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) } },
      open,
    );
    if (put.status !== 201) throw new TpodError(`${this.what()}: uploading blob ${digest} failed (HTTP ${put.status}: ${(await put.text()).slice(0, 200)})`);
  }

  async putManifest(reference: string, bytes: Buffer, mediaType: string): Promise<void> {
    const response = await this.request(`/v2/${this.repository}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body: bytes,
    });
    if (response.status !== 201) throw new TpodError(`${this.what()}:${reference}: the registry refused the manifest (HTTP ${response.status}: ${(await response.text()).slice(0, 200)})`);
  }
}
