/**
 * What the launcher (native/tpod.c) did before it started Node, as it left it
 * in the environment: the runtime directory it chose and trusted, the ids we
 * have outside the namespace, and the pause process whose namespaces we joined.
 */
import { TpodError } from '../errors.js';

export interface Session {
  /** $XDG_RUNTIME_DIR/tpod, or /tmp/tpod-$UID when that was not ours. */
  readonly runtimeDir: string;
  readonly hostUid: number;
  readonly hostGid: number;
  /** Absent when running as real root, which needs no user namespace. */
  readonly pausePid: number | undefined;
}

export function sessionFromEnv(env: NodeJS.ProcessEnv): Session {
  const runtimeDir = env.TPOD_RUNTIME_DIR;
  const hostUid = Number(env.TPOD_HOST_UID);
  const hostGid = Number(env.TPOD_HOST_GID);
  if (!runtimeDir || !Number.isInteger(hostUid) || !Number.isInteger(hostGid)) {
    throw new TpodError('tpod was started without its launcher', {
      hint: 'run the tpod command (native/tpod), not the files in dist/',
    });
  }
  const pause = Number(env.TPOD_PAUSE_PID);
  return { runtimeDir, hostUid, hostGid, pausePid: Number.isInteger(pause) && pause > 0 ? pause : undefined };
}
