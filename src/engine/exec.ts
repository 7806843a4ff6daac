/**
 * `tpod exec`: one more process in a running container, joined through the
 * OCI runtime's exec with a process spec made from the container's own
 * (spec/exec.ts), as podman does. The user, the working directory and the
 * command are looked up in the container's root as its processes see it
 * (/proc/PID/root: its volumes and keep-id's /etc/passwd included), so that
 * tpod exits 126 or 127 as podman does without reading the runtime's errors.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { EXIT_NOT_FOUND, TpodError } from '../errors.js';
import { usesUserMode } from '../network/user-mode.js';
import { parseIdMap } from '../rootless/proc.js';
import { checkExecutable } from '../runtime/executable.js';
import { type Runtime, execAttached, execDetached, runningPid } from '../runtime/oci-runtime.js';
import type { EnvFile } from '../spec/env.js';
import { execProcess } from '../spec/exec.js';
import type { OciProcess, OciSpec } from '../spec/oci-types.js';
import { resolveUser } from '../spec/user.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import { resolveInRoot } from '../storage/in-root.js';
import { findContainer } from './containers.js';
import type { Context } from './context.js';
import { leaveSessionCgroup } from '../systemd/scope.js';
import { configOf, runtimeFor } from './start.js';

export interface ExecRequest {
  /** By name, id or id prefix. */
  readonly container: string;
  readonly command: readonly string[];
  /** -i: the command reads our standard input. */
  readonly interactive: boolean;
  /** -t */
  readonly tty: boolean;
  /** -d: start it and return. */
  readonly detach: boolean;
  readonly env: readonly string[];
  readonly envFiles: readonly EnvFile[];
  readonly user?: string | undefined;
  readonly workdir?: string | undefined;
}

const notRunning = () => new TpodError('can only create exec sessions on running containers: container state improper');

function readInRoot(root: string, path: string): string | undefined {
  const hit = resolveInRoot(root, path);
  return hit?.stats.isFile() ? readFileSync(hit.real, 'utf8') : undefined;
}

/** How many gids our user namespace maps: supplementary groups beyond it are left out. */
const gidCount = (): number => parseIdMap(readFileSync('/proc/self/gid_map', 'utf8')).reduce((n, e) => n + e.size, 0);

/**
 * What the runtime would fail on, with podman's exit codes: a working
 * directory that is missing (127, as podman maps runc's chdir error), a
 * command not found (127) or not runnable (126).
 */
function checkInContainer(root: string, cwd: string, args: readonly string[], env: readonly string[]): void {
  if (!resolveInRoot(root, cwd)?.stats.isDirectory()) throw new TpodError(`working directory "${cwd}" does not exist in the container`, { exitCode: EXIT_NOT_FOUND });
  const [name = '', ...rest] = args;
  // A relative path with a slash is run from the working directory.
  const program = name.includes('/') ? posix.resolve(cwd, name) : name;
  checkExecutable(root, [program, ...rest], env);
}

/**
 * Runs the command in the running container: attached, it returns the
 * command's exit code; detached (-d), 0 once it runs.
 */
export async function execInContainer(ctx: Context, req: ExecRequest): Promise<number> {
  if (req.detach && (req.tty || req.interactive)) {
    throw new TpodError('-d cannot go with -i or -t: a detached command keeps no input or terminal once tpod exits');
  }
  const c = findContainer(ctx, req.container);
  // A frozen container would take the command and never run it: podman refuses it so.
  if (c.state !== 'running' || c.paused) throw notRunning();
  return inExecSession(ctx, c, req, async (runtime, dir, execSpec) => {
    if (!req.detach) return execAttached(runtime, dir, c.id, execSpec, { terminal: req.tty, stdin: req.interactive });
    execDetached(runtime, dir, c.id, execSpec);
    return 0;
  });
}

/** What makes an exec's process, besides its container. */
export type ExecProcessRequest = Pick<ExecRequest, 'command' | 'tty' | 'env' | 'envFiles' | 'user' | 'workdir'>;

/**
 * The process REQ asks for in running container C, made from the
 * container's own and checked as the runtime would check it (126, 127),
 * handed to RUN with the runtime and a directory of its own (its process
 * file, pid file and the runtime's log), which goes after.
 */
export async function inExecSession<T>(ctx: Context, c: ContainerRecord, req: ExecProcessRequest, run: (runtime: Runtime, dir: string, spec: OciProcess) => Promise<T>): Promise<T> {
  const config = configOf(c);
  const runtime = runtimeFor(ctx, config);
  // runc (1.1 at least) joins a container's user namespace first, and from a keep-id container's
  // may not join a network namespace of tpod's, owned by tpod's user namespace; its own error would not say why.
  if (runtime.name === 'runc' && config.options.userns === 'keep-id' && usesUserMode(config.network)) {
    throw new TpodError(`runc cannot exec in a --userns=keep-id container on a ${config.network} network: it joins the container's user namespace before the network namespace, which tpod's own user namespace owns`, {
      hint: 'give such a container --network none to exec in it',
    });
  }
  const pid = runningPid(runtime, c.id);
  if (pid === undefined) throw notRunning();
  // The slash makes even a bare lstat of the root follow this magic link.
  const root = `/proc/${pid}/root/`;
  const spec = JSON.parse(readFileSync(join(new Containers(ctx.store()).paths(c.id).bundle, 'config.json'), 'utf8')) as OciSpec;
  const etc = { passwd: readInRoot(root, '/etc/passwd'), group: readInRoot(root, '/etc/group') };
  const execSpec = execProcess(
    // The environment fixed at creation holds HOME only when it was set on purpose.
    { process: spec.process, homeGiven: (config.options.env ?? []).some((e) => e.startsWith('HOME=')) },
    {
      command: req.command,
      tty: req.tty,
      user: req.user ? resolveUser(req.user, etc, gidCount()) : undefined,
      workdir: req.workdir,
      env: req.env,
      envFiles: req.envFiles,
      caller: ctx.env,
    },
  );
  checkInContainer(root, execSpec.cwd, execSpec.args, execSpec.env);
  if (runtime.systemdCgroup) await leaveSessionCgroup(ctx.env, ctx.session.hostUid, c.id);
  // The name names its console socket.
  const dir = join(ctx.paths.runtimeDir, 'exec', randomBytes(8).toString('hex'));
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    return await run(runtime, dir, execSpec);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
