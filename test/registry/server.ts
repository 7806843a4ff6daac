/**
 * Debian's docker-registry (distribution 2.8.2) on a loopback port, over plain
 * HTTP, in one of three flavours: `open` (anonymous), `basic` (htpasswd) and
 * `token` (Bearer tokens from ./token-issuer.ts).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTokenIssuer } from './token-issuer.js';

export type Flavour = 'open' | 'basic' | 'token';

export interface Credentials {
  username: string;
  password: string;
}

export interface Registry {
  url: string;
  host: string;
  /** Config, storage and registry.log live here until stop(). */
  dir: string;
  logFile: string;
  stop(): Promise<void>;
}

/** The one account of the basic and token flavours. */
export const TEST_CREDENTIALS: Credentials = { username: 'tpod', password: 'tpod-test-password' };

export const SERVICE = 'tpod-test-registry';
const BINARY = '/usr/bin/docker-registry';

/** Debian packages the registry tests need (these registries, and ./images.ts) and lack, as `package (program)`. */
export function missingPackages(): string[] {
  const needs: [string, string][] = [
    ['docker-registry', BINARY],
    ['apache2-utils', '/usr/bin/htpasswd'],
    ['openssl', '/usr/bin/openssl'],
    ['busybox-static', '/bin/busybox'],
  ];
  return needs.filter(([, path]) => !existsSync(path)).map(([pkg, path]) => `${pkg} (${path})`);
}

export async function startRegistry(flavour: Flavour, credentials: Credentials = TEST_CREDENTIALS): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), `tpod-registry-${flavour}-`));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  try {
    let auth = '';
    if (flavour === 'basic') {
      // docker-registry accepts only bcrypt entries; Node has no bcrypt.
      const entry = execFileSync('htpasswd', ['-Bbn', credentials.username, credentials.password], { encoding: 'utf8' });
      writeFileSync(join(dir, 'htpasswd'), entry);
      auth = `auth:\n  htpasswd:\n    realm: tpod-test\n    path: ${join(dir, 'htpasswd')}\n`;
    } else if (flavour === 'token') {
      const issuer = await startTokenIssuer({ dir, service: SERVICE, users: { [credentials.username]: credentials.password } });
      cleanups.unshift(issuer.stop);
      auth = `auth:\n  token:\n    realm: ${issuer.realm}\n    service: ${issuer.service}\n    issuer: ${issuer.issuer}\n    rootcertbundle: ${issuer.certFile}\n`;
    }
    const logFile = join(dir, 'registry.log');
    // It cannot listen on port 0, so a port found free a moment ago may be taken by then: retry.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const child = launch(dir, port, auth, logFile);
      const url = `http://127.0.0.1:${port}`;
      const exited = new Promise<null>((done) => child.once('exit', () => done(null)));
      if (await ready(url, exited)) {
        cleanups.unshift(() => kill(child, exited));
        return { url, host: `127.0.0.1:${port}`, dir, logFile, stop: () => runAll(cleanups) };
      }
      child.kill('SIGKILL');
      const log = readFileSync(logFile, 'utf8');
      if (attempt < 5 && log.includes('address already in use')) continue;
      throw new Error(`docker-registry (${flavour}) did not start on port ${port}:\n${log.slice(-2000)}`);
    }
  } catch (error) {
    await runAll(cleanups);
    throw error;
  }
}

function launch(dir: string, port: number, auth: string, logFile: string): ChildProcess {
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    `version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: ${join(dir, 'storage')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  secret: ${randomBytes(16).toString('hex')}
${auth}`,
  );
  const log = openSync(logFile, 'a');
  // An empty environment: it reads REGISTRY_* variables as config overrides,
  // and REGISTRY_AUTH_FILE (podman's) would be taken for `auth.file`.
  const child = spawn(BINARY, ['serve', config], { stdio: ['ignore', log, log], env: {} });
  closeSync(log);
  return child;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => server.once('error', fail).listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return port;
}

/** Polls /v2/ until the registry answers (200 or 401), false once the process has exited or after 15 s. */
async function ready(url: string, exited: Promise<null>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (const deadline = Date.now() + 15_000; !gone && Date.now() < deadline; await sleep(50)) {
    try {
      const res = await fetch(`${url}/v2/`);
      await res.arrayBuffer();
      // Another program that took the port would not send this header.
      if (res.headers.get('docker-distribution-api-version') === 'registry/2.0') return !gone;
    } catch {
      // not listening yet
    }
  }
  return false;
}

async function kill(child: ChildProcess, exited: Promise<null>): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function runAll(steps: (() => Promise<void>)[]): Promise<void> {
  for (const step of steps) await step();
}
