/** What every engine use case needs to know about this invocation. */
import { type RegistriesConf, loadRegistriesConf } from '../config/registries.js';
import { type Session, sessionFromEnv } from '../rootless/session.js';
import { type Paths, resolvePaths } from '../storage/paths.js';
import { Store } from '../storage/store.js';

export interface Context {
  readonly session: Session;
  readonly paths: Paths;
  readonly env: NodeJS.ProcessEnv;
  /** The image store, opened on first use. */
  store(): Store;
  /** podman's registries.conf, read on first use. */
  registries(): RegistriesConf;
}

export function contextFromEnv(env: NodeJS.ProcessEnv): Context {
  const session = sessionFromEnv(env);
  const paths = resolvePaths(env, session.runtimeDir);
  let store: Store | undefined;
  let registries: RegistriesConf | undefined;
  return {
    session,
    paths,
    env,
    store: () => (store ??= new Store(paths.storageDir)),
    registries: () => (registries ??= loadRegistriesConf(env)),
  };
}
