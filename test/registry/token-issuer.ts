/**
 * A token issuer for docker-registry's `auth.token`, as Docker Hub runs one:
 * GET /token?service=...&scope=repository:NAME:pull,push with optional Basic
 * credentials returns {token, access_token}, a JWT signed RS256.
 *
 * docker-registry 2.8.2 finds the signing key from the JWT header: `x5c` (a
 * certificate chain it verifies against `rootcertbundle`), `jwk`, or `kid` as a
 * libtrust fingerprint. x5c with one self-signed certificate is the simplest.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface TokenIssuer {
  /** The realm to configure in the registry: http://127.0.0.1:PORT/token */
  realm: string;
  /** PEM certificate of the signing key, for the registry's `rootcertbundle`. */
  certFile: string;
  issuer: string;
  service: string;
  stop(): Promise<void>;
}

export interface TokenIssuerOptions {
  /** Where the key and certificate files go. */
  dir: string;
  service: string;
  users: Readonly<Record<string, string>>;
  issuer?: string;
}

/** Lifetime of issued tokens; long enough for the slowest test. */
const TOKEN_SECONDS = 3600;

export async function startTokenIssuer(options: TokenIssuerOptions): Promise<TokenIssuer> {
  const issuer = options.issuer ?? 'tpod-test-issuer';
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = join(options.dir, 'token-key.pem');
  const certFile = join(options.dir, 'token-cert.pem');
  writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  // Node can parse certificates but not make them.
  execFileSync('openssl', ['req', '-x509', '-new', '-key', keyFile, '-subj', '/CN=tpod-test', '-days', '1', '-out', certFile], { stdio: 'pipe' });
  const certDer = readFileSync(certFile, 'utf8').replace(/-----[^-]+-----|\s/g, '');

  const issue = (subject: string, access: Access[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer] };
    const claims = { iss: issuer, sub: subject, aud: options.service, exp: now + TOKEN_SECONDS, nbf: now, iat: now, jti: randomUUID(), access };
    const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    return `${signed}.${base64url(sign('sha256', Buffer.from(signed), privateKey))}`;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' || url.pathname !== '/token') return reply(res, 404, { errors: [{ code: 'NOT_FOUND' }] });
    const user = authenticate(req.headers.authorization, options.users);
    if (user === false) return reply(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
    const access = url.searchParams.getAll('scope').flatMap((s) => s.split(' ')).flatMap((s) => grant(s, user !== undefined));
    const token = issue(user ?? '', access);
    reply(res, 200, { token, access_token: token, expires_in: TOKEN_SECONDS, issued_at: new Date().toISOString() });
  };

  const server = createServer(handle);
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certFile,
    issuer,
    service: options.service,
    stop: () => new Promise((done) => server.close(() => done())),
  };
}

interface Access {
  type: string;
  name: string;
  actions: string[];
}

/**
 * A known user gets what was asked; anonymous requests get pull on
 * repositories only, and none under private/, as a public registry's
 * private repositories.
 */
function grant(scope: string, known: boolean): Access[] {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return [];
  const type = scope.slice(0, first);
  const name = scope.slice(first + 1, last);
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((a) => known || (type === 'repository' && a === 'pull' && !name.startsWith('private/')));
  return actions.length ? [{ type, name, actions }] : [];
}

/** The user name, undefined for no credentials, false for wrong ones. */
function authenticate(header: string | undefined, users: Readonly<Record<string, string>>): string | undefined | false {
  if (!header) return undefined;
  const match = /^Basic\s+(\S+)$/i.exec(header);
  if (!match) return false;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return colon > 0 && Object.hasOwn(users, user) && users[user] === password ? user : false;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}
