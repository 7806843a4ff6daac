/**
 * Registry credentials in podman's auth.json, so that a `podman login`
 * serves tpod and a `tpod login` serves podman. Read in podman's order;
 * written to the first file (or the one --authfile / REGISTRY_AUTH_FILE names).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TpodError, errnoCode } from '../errors.js';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

interface AuthFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  [other: string]: unknown;
}

/** The files podman reads, in its order; an explicit file replaces them all. */
export function authFiles(env: NodeJS.ProcessEnv, explicit?: string): string[] {
  const chosen = explicit ?? env.REGISTRY_AUTH_FILE;
  if (chosen) return [chosen];
  const home = env.HOME ?? '/';
  const config = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return [
    ...(env.XDG_RUNTIME_DIR ? [join(env.XDG_RUNTIME_DIR, 'containers/auth.json')] : []),
    join(config, 'containers/auth.json'),
    join(home, '.docker/config.json'),
  ];
}

/** docker's "https://index.docker.io/v1/" and podman's "docker.io" are the same key. Pure. */
export function normalizeKey(key: string): string {
  const bare = key.replace(/^https?:\/\//, '').replace(/\/v[12]\/?$/, '').replace(/\/+$/, '');
  return bare === 'index.docker.io' || bare === 'registry-1.docker.io' ? 'docker.io' : bare;
}

/** The most specific key for REGISTRY/REPOSITORY: the repository path first, then its parents, then the registry. Pure. */
export function findCredentials(file: AuthFile, registry: string, repository: string): Credentials | undefined {
  const auths = new Map(Object.entries(file.auths ?? {}).map(([k, v]) => [normalizeKey(k), v]));
  const parts = repository.split('/');
  for (let n = parts.length; n >= 0; n--) {
    const entry = auths.get([registry, ...parts.slice(0, n)].join('/'));
    if (!entry?.auth) continue;
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

function readAuthFile(path: string): AuthFile {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as AuthFile;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return {};
    throw new TpodError(`cannot read the credentials in ${path}: ${(err as Error).message}`);
  }
}

export function lookupCredentials(files: readonly string[], registry: string, repository: string): Credentials | undefined {
  for (const file of files) {
    const found = findCredentials(readAuthFile(file), registry, repository);
    if (found) return found;
  }
  return undefined;
}

function writeAuthFile(path: string, file: AuthFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(`${path}.tmp`, `${JSON.stringify(file, null, '\t')}\n`, { mode: 0o600 });
  renameSync(`${path}.tmp`, path);
}

/** Stores credentials for KEY (a registry, or registry/path) in PATH, keeping everything else in it. */
export function storeCredentials(path: string, key: string, creds: Credentials): void {
  const file = readAuthFile(path);
  file.auths = { ...file.auths, [key]: { auth: Buffer.from(`${creds.username}:${creds.password}`).toString('base64') } };
  writeAuthFile(path, file);
}

/** Removes KEY's credentials (every key when KEY is undefined); false when there were none. */
export function removeCredentials(path: string, key: string | undefined): boolean {
  const file = readAuthFile(path);
  const keys = Object.keys(file.auths ?? {}).filter((k) => key === undefined || normalizeKey(k) === key);
  if (keys.length === 0) return false;
  for (const k of keys) delete file.auths![k];
  writeAuthFile(path, file);
  return true;
}
