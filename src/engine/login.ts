/** `tpod login` and `logout`: check credentials against the registry, keep them in auth.json. */
import { type Credentials, authFiles, normalizeKey, removeCredentials, storeCredentials } from '../config/auth.js';
import { TpodError } from '../errors.js';
import { RegistryClient } from '../image/registry.js';

export interface LoginOptions {
  readonly tlsVerify: boolean;
  readonly authfile: string | undefined;
}

/** Stores CREDS for REGISTRY once the registry accepts them; returns the file written. */
export async function login(registry: string, creds: Credentials, env: NodeJS.ProcessEnv, options: LoginOptions): Promise<string> {
  const key = normalizeKey(registry);
  const host = key.split('/')[0]!;
  // Any repository will do: the token service is asked for pull access to it, which proves the password.
  const client = new RegistryClient({ host, insecure: !options.tlsVerify }, key.split('/').slice(1).join('/') || 'library/tpod-login', creds);
  await client.ping();
  const file = authFiles(env, options.authfile)[0]!;
  storeCredentials(file, key, creds);
  return file;
}

export function logout(registry: string | undefined, env: NodeJS.ProcessEnv, authfile: string | undefined): void {
  const file = authFiles(env, authfile)[0]!;
  if (!removeCredentials(file, registry === undefined ? undefined : normalizeKey(registry))) {
    throw new TpodError(registry ? `not logged into ${registry}` : 'not logged into any registry');
  }
}
