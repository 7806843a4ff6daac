/** Where tpod keeps things, as podman does but under tpod's own names. Pure. */
import { join } from 'node:path';

export interface Paths {
  /** Images, layers, containers, volumes: $XDG_DATA_HOME/tpod. */
  readonly storageDir: string;
  /** Pause pid, locks, per-boot state: chosen by the launcher. */
  readonly runtimeDir: string;
  /** $XDG_CONFIG_HOME/tpod/tpod.conf */
  readonly configFile: string;
}

export function resolvePaths(env: NodeJS.ProcessEnv, runtimeDir: string): Paths {
  const home = env.HOME ?? '/';
  const data = env.XDG_DATA_HOME?.startsWith('/') ? env.XDG_DATA_HOME : join(home, '.local/share');
  const config = env.XDG_CONFIG_HOME?.startsWith('/') ? env.XDG_CONFIG_HOME : join(home, '.config');
  return {
    storageDir: join(data, 'tpod'),
    runtimeDir,
    configFile: join(config, 'tpod', 'tpod.conf'),
  };
}
