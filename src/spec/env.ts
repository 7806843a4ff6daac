/**
 * The container's environment, merged in podman's order of precedence (lowest
 * first): PATH and container=, the image's Env, TERM for a terminal, the
 * caller's environment (--env-host) or only its proxy variables (--http-proxy,
 * on by default), the --env-file files in order, then -e. A later value
 * replaces an earlier one in place, so the list keeps a stable order (podman's
 * comes from a Go map and has none). HOSTNAME and HOME are added by buildSpec.
 */
import { TpodError } from '../errors.js';

/** podman's default PATH (containers.conf `env`). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * podman sets container=podman, but its documentation promises that value to no tool, so tpod
 * names itself. Tools such as systemd-detect-virt still see a container (they report
 * "container-other" for an engine they do not know).
 */
export const CONTAINER_ENV = 'tpod';

/** Passed from the caller by default (containers.conf http_proxy=true). */
const PROXY_VARS = ['http_proxy', 'https_proxy', 'ftp_proxy', 'no_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY'];

export type CallerEnv = Readonly<Record<string, string | undefined>>;

/** An --env-file: its name, for errors, and its text. */
export interface EnvFile {
  readonly path: string;
  readonly text: string;
}

export interface EnvInput {
  readonly image?: readonly string[] | undefined;
  readonly tty?: boolean | undefined;
  readonly envHost?: boolean | undefined;
  /** podman's --http-proxy, true unless the user turned it off. */
  readonly httpProxy?: boolean | undefined;
  readonly files?: readonly EnvFile[] | undefined;
  /** -e/--env values: VAR=value, VAR (from the caller), or VAR* (every caller variable so prefixed). */
  readonly env?: readonly string[] | undefined;
  /** The environment tpod was started with. */
  readonly caller: CallerEnv;
}

function callerEntries(caller: CallerEnv): [string, string][] {
  return Object.entries(caller).filter((e): e is [string, string] => e[1] !== undefined);
}

/** One -e value or env-file line into ENV, as podman's parseEnv reads it. */
function applyEnvLine(env: Map<string, string>, line: string, caller: CallerEnv): void {
  const eq = line.indexOf('=');
  const name = (eq < 0 ? line : line.slice(0, eq)).replace(/^[ \t]+/, '');
  if (name === '') throw new TpodError(`invalid variable: "${line}"`);
  if (eq >= 0) {
    env.set(name, line.slice(eq + 1));
  } else if (name.endsWith('*')) {
    const prefix = name.slice(0, -1);
    for (const [key, value] of callerEntries(caller)) if (key.startsWith(prefix)) env.set(key, value);
  } else if (caller[name] !== undefined) {
    // A name the caller does not have is left out, not set empty.
    env.set(name, caller[name]);
  }
}

/** An --env-file: VAR=value lines; blank lines and lines starting with '#' are skipped. */
function applyEnvFile(env: Map<string, string>, file: EnvFile, caller: CallerEnv): void {
  for (const raw of file.text.split(/\r?\n/)) {
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    try {
      applyEnvLine(env, line, caller);
    } catch (err) {
      throw new TpodError(`parsing file "${file.path}": ${(err as Error).message}`);
    }
  }
}

/** The image's Env: always VAR=value; an entry without '=' means nothing and is skipped. */
function applyImageEnv(env: Map<string, string>, image: readonly string[]): void {
  for (const entry of image) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
}

function applyCaller(env: Map<string, string>, input: EnvInput): void {
  const proxyOnly = !input.envHost;
  if (proxyOnly && input.httpProxy === false) return;
  for (const [key, value] of callerEntries(input.caller)) {
    if (!proxyOnly || PROXY_VARS.includes(key)) env.set(key, value);
  }
}

export function mergeEnv(input: EnvInput): Map<string, string> {
  const env = new Map([
    ['PATH', DEFAULT_PATH],
    ['container', CONTAINER_ENV],
  ]);
  applyImageEnv(env, input.image ?? []);
  if (input.tty && !env.has('TERM')) env.set('TERM', 'xterm');
  applyCaller(env, input);
  for (const file of input.files ?? []) applyEnvFile(env, file, input.caller);
  for (const line of input.env ?? []) applyEnvLine(env, line, input.caller);
  return env;
}

/** process.env of the OCI spec. */
export function envList(env: ReadonlyMap<string, string>): string[] {
  return [...env].map(([key, value]) => `${key}=${value}`);
}
