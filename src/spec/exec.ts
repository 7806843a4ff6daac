/**
 * The process `tpod exec` runs in a running container, as podman's
 * prepareProcessExec makes it for `runtime exec --process FILE`: the
 * container's own process (from its config.json) with the command, terminal,
 * user, working directory and environment the exec asks for. Everything else
 * (rlimits, umask, no-new-privileges, the bounding set) stays the
 * container's. Pure.
 */
import { TpodError } from '../errors.js';
import { type CallerEnv, type EnvFile, envList, mergeEnv } from './env.js';
import type { OciCapabilities, OciProcess } from './oci-types.js';
import type { ResolvedUser } from './user.js';

export interface ExecContainer {
  /** The container's process, as its spec has it. */
  readonly process: OciProcess;
  /**
   * Whether the container's HOME was set on purpose (its image's Env, -e,
   * --env-file) rather than taken from its user's home: then it stays HOME
   * for any user, as in podman, where only such a HOME is in the spec exec starts from.
   */
  readonly homeGiven: boolean;
}

export interface ExecOptions {
  readonly command: readonly string[];
  /** -t: a terminal of its own. */
  readonly tty: boolean;
  /** -u, resolved against the container's /etc/passwd and /etc/group; undefined: the container's own user. */
  readonly user?: ResolvedUser | undefined;
  /** -w */
  readonly workdir?: string | undefined;
  /** -e: VAR=value, VAR (from the caller), or VAR* (every caller variable so prefixed). */
  readonly env?: readonly string[] | undefined;
  readonly envFiles?: readonly EnvFile[] | undefined;
  /** The environment tpod was started with, which -e VAR reads. */
  readonly caller: CallerEnv;
}

/**
 * podman's setProcessCapabilitiesExec: root holds the container's whole
 * bounding set; the container's own user keeps what it has (cap-add's ambient
 * capabilities for a non-root one); any other user holds none, as a root
 * container's capabilities would not survive its exec as that user anyway.
 */
function capabilities(container: OciProcess, user: ResolvedUser | undefined): OciCapabilities {
  const own = container.capabilities;
  if (!user) return own;
  if (user.uid === 0) return { bounding: [...own.bounding], effective: [...own.bounding], permitted: [...own.bounding] };
  return user.uid === container.user.uid ? own : { bounding: [...own.bounding] };
}

/**
 * The container's environment, then TERM for a terminal, --env-file and -e
 * over it. HOME follows the user -u names (its passwd entry's, else /, as
 * podman's lookup gives) unless it was set on purpose.
 */
function environment(container: ExecContainer, options: ExecOptions): string[] {
  const keepHome = container.homeGiven || !options.user;
  const base = keepHome ? container.process.env : container.process.env.filter((e) => !e.startsWith('HOME='));
  // The container's environment is complete (PATH and container= included): it takes the image's place.
  const env = mergeEnv({ image: base, tty: options.tty, httpProxy: false, files: options.envFiles, env: options.env, caller: options.caller });
  if (!env.has('HOME')) env.set('HOME', options.user?.home ?? '/');
  return envList(env);
}

function workingDir(workdir: string | undefined, container: string): string {
  if (workdir === undefined || workdir === '') return container;
  if (!workdir.startsWith('/')) throw new TpodError(`invalid workdir "${workdir}": it must be an absolute path`);
  return workdir;
}

export function execProcess(container: ExecContainer, options: ExecOptions): OciProcess {
  if (options.command.length === 0) throw new TpodError('must provide a non-empty command to start an exec session');
  const { user } = options;
  // The container's terminal (run -t) is not the exec's: only -t gives it one.
  const { terminal: _containers, ...own } = container.process;
  return {
    ...own,
    ...(options.tty ? { terminal: true } : {}),
    ...(user
      ? {
          user: {
            uid: user.uid,
            gid: user.gid,
            ...(own.user.umask === undefined ? {} : { umask: own.user.umask }),
            ...(user.additionalGids.length ? { additionalGids: [...user.additionalGids] } : {}),
          },
        }
      : {}),
    args: [...options.command],
    env: environment(container, options),
    cwd: workingDir(options.workdir, own.cwd),
    capabilities: capabilities(container.process, user),
  };
}
