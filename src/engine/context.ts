/** What every engine use case needs to know about this invocation. */
import { type RegistriesConf, loadRegistriesConf } from '../config/registries.js';
import { type Session, sessionFromEnv } from '../rootless/session.js';
import { type Paths, resolvePaths } from '../storage/paths.js';
import { Store } from '../storage/store.js';

export interface Context {
  readonly session: Session;
  readonly paths: Paths;
  readonly env: NodeJS.ProcessEnv;
  /** $NOTIFY_SOCKET of the Type=notify unit running tpod, if any (systemd/notify.ts). */
  readonly notifySocket: string | undefined;
  /** The image store, opened on first use. */
  store(): Store;
  /** podman's registries.conf, read on first use. */
  registries(): RegistriesConf;
}

export function contextFromEnv(env: NodeJS.ProcessEnv): Context {
  const session = sessionFromEnv(env);
  const paths = resolvePaths(env, session.runtimeDir);
  // The unit's socket is for tpod to answer on, not for conmon, the runtime or a container, which
  // would inherit it: taken out of the environment they get.
  const notifySocket = env.NOTIFY_SOCKET || undefined;
  delete env.NOTIFY_SOCKET;
  let store: Store | undefined;
  let registries: RegistriesConf | undefined;
  return {
    session,
    paths,
    env,
    notifySocket,
    store: () => (store ??= new Store(paths.storageDir)),
    registries: () => (registries ??= loadRegistriesConf(env)),
  };
}
