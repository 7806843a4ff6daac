/**
 * A registry's misbehaviours on demand: a loopback HTTP proxy in front of a
 * test registry that can send blobs elsewhere with a redirect, fail requests
 * as an overloaded registry does, corrupt a blob, or serve a manifest of its
 * own. It relays everything else unchanged.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Faults {
  /** Answer this many blob requests with 503 before relaying. */
  failBlobRequests?: number;
  /** Answer blob requests with a redirect to the same path on this host:port. */
  redirectBlobsTo?: string;
  /** Flip a byte of this blob on its way. */
  corruptBlob?: string;
  /** Serve this manifest for every manifest request. */
  manifest?: { body: string; mediaType: string };
}

export interface Proxy {
  readonly host: string;
  faults: Faults;
  /** Requests seen, as "METHOD path", with whether they carried an Authorization header. */
  readonly seen: { request: string; authorized: boolean }[];
  stop(): Promise<void>;
}

async function relay(upstream: string, req: IncomingMessage, res: ServerResponse, corrupt: boolean): Promise<void> {
  const body = await new Promise<Buffer>((done) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => done(Buffer.concat(chunks)));
  });
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'connection')) as Record<string, string>;
  const response = await fetch(`http://${upstream}${req.url}`, {
    method: req.method,
    headers,
    body: body.length ? body : undefined,
    redirect: 'manual',
  });
  let data = Buffer.from(await response.arrayBuffer());
  if (corrupt && data.length) {
    data = Buffer.from(data);
    data[data.length >> 1] ^= 0xff;
  }
  const out: Record<string, string> = {};
  response.headers.forEach((v, k) => {
    if (!['content-encoding', 'transfer-encoding', 'connection', 'content-length'].includes(k)) out[k] = v;
  });
  res.writeHead(response.status, { ...out, 'content-length': String(data.length) });
  res.end(data);
}

export async function startProxy(upstream: string, listenAddress = '127.0.0.1'): Promise<Proxy> {
  const seen: Proxy['seen'] = [];
  const proxy = { faults: {} as Faults, seen } as Proxy;
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    seen.push({ request: `${req.method} ${url}`, authorized: req.headers.authorization !== undefined });
    const f = proxy.faults;
    const blob = /\/blobs\/(sha256:[a-f0-9]+)$/.exec(url.split('?')[0]!);
    if (blob && req.method === 'GET') {
      if (f.failBlobRequests && f.failBlobRequests > 0) {
        f.failBlobRequests--;
        res.writeHead(503).end('overloaded');
        return;
      }
      if (f.redirectBlobsTo) {
        res.writeHead(307, { location: `http://${f.redirectBlobsTo}${url}` }).end();
        return;
      }
    }
    if (f.manifest && /\/manifests\//.test(url) && req.method !== 'PUT') {
      res.writeHead(200, { 'content-type': f.manifest.mediaType }).end(f.manifest.body);
      return;
    }
    relay(upstream, req, res, f.corruptBlob !== undefined && blob?.[1] === f.corruptBlob).catch((err) => res.writeHead(502).end(String(err)));
  });
  await new Promise<void>((done) => server.listen(0, listenAddress, done));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    host: `${listenAddress}:${port}`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  });
}
