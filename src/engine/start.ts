/**
 * Starting a created container (`tpod start`, and the second half of `tpod
 * run`): mount its root filesystem, make its network, write its /etc files
 * and OCI spec, then run it attached with the OCI runtime, or detached under
 * conmon; and finishing it when it ends. Whatever fails before the container
 * starts leaves no mount, helper or file behind, and the container as it was.
 */
import { chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { sliceOomKills } from '../cgroups/oom.js';
import { cgroupsPath } from '../cgroups/plan.js';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import type { ImageConfig } from '../image/manifest.js';
import { hostsFile, resolvConf } from '../network/etc-files.js';
import { setupNetwork, teardownPasta } from '../network/pasta.js';
import { teardownSlirp4netns } from '../network/slirp4netns.js';
import type { UserModeNetwork } from '../network/user-mode.js';
import { checkExecutable } from '../runtime/executable.js';
import { attachName, conmonDirs, conmonPid, createUnderConmon, startCreated } from '../runtime/conmon.js';
import { ContainerLog } from '../runtime/container-log.js';
import { type Runtime, pickRuntime, removeRuntimeState, runAttached } from '../runtime/oci-runtime.js';
import { parseIdMap } from '../rootless/proc.js';
import { type NetworkNamespace, buildSpec, keepIdEtc } from '../spec/build.js';
import { hasHealthcheck, healthAtStart } from '../spec/healthcheck.js';
import { zoneFile } from '../spec/timezone.js';
import { resolveUser } from '../spec/user.js';
import { type KeepId, callerAccount, keepId, ourIds, userSpec } from '../spec/userns.js';
import { type ContainerPaths, type ContainerRecord, Containers } from '../storage/containers.js';
import { chooseDriver } from '../storage/driver.js';
import { resolveInRoot, resolveParent } from '../storage/in-root.js';
import { mountRootfs, unmountRootfs } from '../storage/rootfs.js';
import { identityOf, ownIdentity } from '../rootless/process.js';
import { containerNotify, relayDir, startedMessage, tellSystemd } from '../systemd/notify.js';
import { type ScopeMove, conmonNeedsScope, moveConmon } from '../systemd/scope.js';
import type { Context } from './context.js';
import type { ContainerConfig } from './create.js';
import { scheduleHealthcheck, unscheduleHealthcheck } from './healthcheck.js';
import { hostFacts } from './host-facts.js';
import { removeAnonymousVolumes, resolveVolumeMounts } from './volumes.js';

export const configOf = (record: ContainerRecord): ContainerConfig => record.config as ContainerConfig;

// What conmon creates in its working directory (the bundle) when the OOM killer strikes in the container.
const OOM_FILE = 'oom';

function readInRoot(root: string, path: string): string | undefined {
  const hit = resolveInRoot(root, path);
  return hit?.stats.isFile() ? readFileSync(hit.real, 'utf8') : undefined;
}

/** --userns=keep-id for the caller, in the ids our namespace maps. */
function keepIdHere(ctx: Context, gidCount: number): KeepId {
  const uidCount = parseIdMap(readFileSync('/proc/self/uid_map', 'utf8')).reduce((n, e) => n + e.size, 0);
  const account = { passwd: readFileSync('/etc/passwd', 'utf8'), group: readFileSync('/etc/group', 'utf8') };
  return keepId(callerAccount(account, ctx.session.hostUid, ctx.session.hostGid, ctx.env), uidCount, gidCount);
}

async function setupUserModeNetwork(ctx: Context, id: string, config: ContainerConfig): Promise<UserModeNetwork | undefined> {
  const wanted = { ports: config.publish, dns: config.dns };
  if (config.network === 'pasta') return setupNetwork(ctx.paths.runtimeDir, id, wanted);
  if (config.network === 'slirp4netns') return (await import('../network/slirp4netns.js')).setupSlirp4netns(ctx.paths.runtimeDir, id, wanted);
  return undefined;
}

/** A container made ready to run: mounted, its network up (or getting ready), its spec written. */
interface Prepared {
  readonly record: ContainerRecord;
  readonly paths: ContainerPaths;
  readonly runtime: Runtime;
  readonly config: ContainerConfig;
  readonly net: UserModeNetwork | undefined;
}

type Phase = (name: string) => void;

/** bench/run.ts reads these: where a run's time goes. */
function phases(): Phase {
  let last = performance.now();
  return (name) => {
    const now = performance.now();
    log.debug(`run phase ${name}: ${(now - last).toFixed(1)} ms`);
    last = now;
  };
}

/**
 * Takes the container for this start (under the store lock: of two tpods
 * starting it, one wins), mounts its root, makes its network and writes its
 * /etc files and spec. Whatever fails undoes all of it and leaves the
 * container as it was.
 */
async function prepare(ctx: Context, container: ContainerRecord, phase: Phase, restarting = false, underConmon = false): Promise<Prepared> {
  const store = ctx.store();
  const containers = new Containers(store);
  const config = configOf(container);
  const image = store.image(container.imageId);
  if (!image) throw new TpodError(`the image of container ${container.name} (${container.imageId.slice(0, 12)}) is gone`, { hint: 'remove the container' });
  const imageConfig = JSON.parse(store.config(image.id).toString('utf8')) as ImageConfig;
  const runtime = runtimeFor(ctx, config);
  const { driver } = chooseDriver(ctx.paths.storageDir);
  const host = hostFacts(ctx.env);
  const keep = config.options.userns === 'keep-id' ? keepIdHere(ctx, host.gidCount) : undefined;
  const record = store.locked(() => {
    const now = containers.get(container.id);
    if (!now) throw new TpodError(`container ${container.name} was removed meanwhile`);
    if (now.state === 'running') throw new TpodError(`container ${container.name} is already running`);
    containers.checkStartable(container.id, container.name);
    // A start of the user's own clears what --restart counted and the user's last stop.
    const counts = restarting ? { restartCount: (now.restartCount ?? 0) + 1 } : { restartCount: 0, stoppedByUser: false };
    // With a memory limit, the OOM kills so far in the slice its scope goes in (cgroups/oom.ts).
    const oomBaseline = config.options.resources?.memory && config.cgroups?.manager === 'systemd' ? sliceOomKills(ctx.session.hostUid) : undefined;
    const health = hasHealthcheck(config.healthcheck) ? healthAtStart(now.health) : undefined;
    return containers.update(container.id, { state: 'running', monitor: ownIdentity(), oomKilled: false, oomBaseline, health, ...counts });
  });
  phase('image, runtime, driver and host facts');

  const paths = containers.paths(record.id);
  let net: UserModeNetwork | undefined;
  try {
    // A container started again begins with what the last run left cleared.
    rmSync(join(paths.bundle, 'pid'), { force: true });
    rmSync(join(paths.bundle, OOM_FILE), { force: true });
    rmSync(join(conmonDirs(ctx.paths.runtimeDir).exitDir, record.id), { force: true });
    mountRootfs(driver, { lower: image.layers.map((l) => join(store.layerDir(l), 'diff')), upper: paths.upper, work: paths.work }, paths.rootfs, keep?.storage);
    phase('root mount');
    const imageEtc = { passwd: readInRoot(paths.rootfs, '/etc/passwd'), group: readInRoot(paths.rootfs, '/etc/group') };
    // keep-id adds the caller to the image's passwd and group, in copies bound over them.
    const added = keep ? keepIdEtc(keep, config.options, imageConfig.config, imageEtc, config.mounts.map((m) => m.destination)) : {};
    const etc = { passwd: added.passwd ?? imageEtc.passwd, group: added.group ?? imageEtc.group };
    // The user buildSpec runs the process as: a new volume, and one mounted with U, is given to it (in our ids).
    const user = resolveUser(userSpec(config.options.user, imageConfig.config?.User, keep), etc, host.gidCount);
    const mounts = resolveVolumeMounts(store, config.mounts, paths.rootfs, keep ? ourIds(keep, user) : user, (names) => {
      containers.update(record.id, { volumes: names });
    });
    net = await setupUserModeNetwork(ctx, record.id, config);
    // Awaited while the runtime creates the container; a failure before that must not
    // count as unhandled (the caller tears the helper down).
    net?.ready.catch(() => undefined);
    const network: NetworkNamespace = net ? { mode: 'private', path: net.netnsPath } : { mode: config.network === 'host' ? 'host' : 'none' };
    phase('network');
    const files = {
      hosts: join(paths.etc, 'hosts'),
      hostname: join(paths.etc, 'hostname'),
      resolvConf: join(paths.etc, 'resolv.conf'),
      // Tools test for /run/.containerenv to know they run in a container.
      containerEnv: join(paths.etc, 'containerenv'),
      ...(added.passwd ? { passwd: join(paths.etc, 'passwd') } : {}),
      ...(added.group ? { group: join(paths.etc, 'group') } : {}),
      ...(config.timezone ? { localtime: join(paths.etc, 'localtime') } : {}),
    };
    // The environment was fixed at creation: the caller's own is not read again.
    const cgroup = config.cgroups ? cgroupsPath(config.cgroups, record.id) : undefined;
    const notify = underConmon && config.sdnotify?.mode === 'container' ? containerNotify(paths.bundle) : undefined;
    if (notify) mkdirSync(relayDir(paths.bundle), { recursive: true });
    const options = notify ? { ...config.options, mounts: [...mounts, notify.mount], env: [...(config.options.env ?? []), notify.env] } : { ...config.options, mounts };
    const spec = buildSpec({
      id: record.id, rootfs: paths.rootfs, image: imageConfig.config, etc, options, network, files, host: { ...host, env: {} },
      ...(keep ? { userns: keep } : {}),
      ...(cgroup ? { cgroupsPath: cgroup } : {}),
    });
    const hostname = spec.hostname ?? record.id.slice(0, 12);
    const hostHosts = config.network === 'host' ? { hostHosts: readFileSync('/etc/hosts', 'utf8') } : {};
    writeFileSync(files.hosts, hostsFile({ hostname, name: record.name, extraHosts: [...config.addHosts, ...(net?.extraHosts ?? [])], ...hostHosts }));
    writeFileSync(files.hostname, `${hostname}\n`);
    writeFileSync(files.resolvConf, resolvConf(readFileSync('/etc/resolv.conf', 'utf8'), net?.nameservers ?? config.dns, { search: config.dnsSearch, options: config.dnsOptions }));
    writeFileSync(files.containerEnv, '');
    for (const name of ['passwd', 'group'] as const) if (added[name]) writeFileSync(join(paths.etc, name), added[name]);
    // A copy, as podman makes one: the host's zone file may change or go while the container runs.
    if (files.localtime) writeFileSync(files.localtime, readFileSync(zoneFile(config.timezone!)));
    if (keep) {
      // Files of ours are the caller's in a keep-id container: podman gives these to its root.
      const root = ourIds(keep, { uid: 0, gid: 0 });
      for (const file of Object.values(files)) chownSync(file, root.uid, root.gid);
    }
    // podman makes a missing working directory; inside the root, as the container sees it.
    resolveParent(paths.rootfs, `${spec.process.cwd}/.keep`);
    if (!config.options.init) checkExecutable(paths.rootfs, spec.process.args, spec.process.env ?? []);
    writeFileSync(join(paths.bundle, 'config.json'), JSON.stringify(spec));
    phase('spec and /etc files');
    containers.update(record.id, { startedAt: new Date().toISOString(), ...(net ? { ports: net.ports } : {}) });
    return { record: containers.get(record.id) ?? record, paths, runtime, config, net };
  } catch (err) {
    await release(ctx, { record, paths, runtime, config, net });
    containers.update(record.id, { state: container.state, monitor: undefined });
    throw err;
  }
}

/** Unmounts the root and stops the network helper (waiting for one still starting, which would outlive teardown). */
async function release(ctx: Context, p: Prepared): Promise<void> {
  unmountRootfs(p.paths.rootfs);
  if (p.net) {
    await p.net.ready.catch(() => undefined);
    p.net.teardown();
  } else {
    teardownNetworkOf(ctx, p.record.id, p.config.network);
  }
}

/** The runtime a container with CONFIG runs under, told how its cgroup is managed. */
export function runtimeFor(ctx: Context, config: ContainerConfig): Runtime {
  return pickRuntime(ctx.paths.runtimeDir, config.runtime, config.cgroups?.manager === 'systemd');
}

/** C's runtime, or undefined (with a warning) when it is gone from this host: its container is cleaned up without it. */
export function runtimeOf(ctx: Context, c: ContainerRecord): Runtime | undefined {
  try {
    return runtimeFor(ctx, configOf(c));
  } catch (err) {
    log.warn(`container ${c.name}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

/** Stops what a container's network helper may have left, by the network it was given. */
export function teardownNetworkOf(ctx: Context, id: string, network: ContainerConfig['network']): void {
  if (network === 'pasta') teardownPasta(ctx.paths.runtimeDir, id);
  if (network === 'slirp4netns') teardownSlirp4netns(ctx.paths.runtimeDir, id);
}

/**
 * After a container's end, whoever sees it first (its attached tpod, the
 * exit command conmon runs, or a tpod that finds its monitor gone): clears
 * its runtime state, mount and network helper, records how it ended, and
 * removes it if it was run with --rm. Done once: a container already
 * finished is left alone.
 */
export function finishContainer(ctx: Context, id: string, exitCode: number | undefined): void {
  const store = ctx.store();
  const containers = new Containers(store);
  let finished: ContainerRecord | undefined;
  store.locked(() => {
    const c = containers.get(id);
    if (!c || c.state !== 'running') return;
    finished = c;
    // conmon leaves its file in the bundle (its working directory) when it saw the kill; else the slice's count tells.
    const killed =
      existsSync(join(containers.paths(id).bundle, OOM_FILE)) ||
      (exitCode === 128 + constants.signals.SIGKILL && c.oomBaseline !== undefined && sliceOomKills(ctx.session.hostUid) > c.oomBaseline);
    const config = configOf(c);
    const runtime = runtimeOf(ctx, c);
    if (runtime) removeRuntimeState(runtime, id);
    unmountRootfs(containers.paths(id).rootfs);
    teardownNetworkOf(ctx, id, config.network);
    const dirs = conmonDirs(ctx.paths.runtimeDir);
    rmSync(join(dirs.recordDir, id), { force: true });
    // conmon leaves its link to the bundle in the socket directory.
    rmSync(join(dirs.socketDir, attachName(id)), { force: true });
    if (c.autoRemove) {
      containers.remove(id);
      // As podman run --rm: the container's anonymous volumes go with it.
      removeAnonymousVolumes(store, c.volumes ?? []);
      return;
    }
    const { monitor: _gone, pid: _pid, paused: _paused, healthTimer: _timer, ...rest } = c;
    containers.replace({ ...rest, state: 'exited', finishedAt: new Date().toISOString(), oomKilled: killed, ...(exitCode === undefined ? {} : { exitCode }) });
  });
  // After the lock: a check under way, which the stop ends, may be waiting for it.
  if (finished) unscheduleHealthcheck(finished);
}

/**
 * Runs the container to its end, attached to our stdio; returns its exit
 * code. A container with autoRemove is removed after.
 */
export async function startAttached(ctx: Context, container: ContainerRecord): Promise<number> {
  const phase = phases();
  const p = await prepare(ctx, container, phase);
  let code: number;
  // Logged as conmon logs a detached one, for tpod logs; not when it is removed at its end (--rm),
  // which leaves the output on our terminal only and spares copying it, nor with another --log-driver.
  const log = p.record.autoRemove || p.config.logDriver ? undefined : new ContainerLog(p.paths.log);
  try {
    const io = { terminal: Boolean(p.config.options.tty), stdin: p.config.interactive, ...(p.net ? { beforeStart: p.net.ready } : {}), ...(log ? { log } : {}) };
    code = await runAttached(p.runtime, p.paths.bundle, p.record.id, io);
    phase(`${p.runtime.name} run`);
  } catch (err) {
    log?.close();
    // runAttached throws only when the container's process never ran: the container is as it was.
    removeRuntimeState(p.runtime, p.record.id);
    await release(ctx, p);
    new Containers(ctx.store()).update(p.record.id, { state: container.state, monitor: undefined });
    throw err;
  }
  log?.close();
  if (p.net) await p.net.ready.catch(() => undefined);
  finishContainer(ctx, p.record.id, code);
  phase('clean-up');
  return code;
}

/** The launcher, which conmon's exit command and a healthcheck's timer run: back in tpod's namespaces. */
export const tpodLauncher = (): string => fileURLToPath(new URL('../native/tpod', import.meta.url));

/** The command conmon runs when the container exits. */
function exitCommand(id: string): string[] {
  return [tpodLauncher(), 'container', 'cleanup', id];
}

/**
 * Starts the container under conmon and returns once its process runs: it
 * outlives this tpod, and conmon's exit command finishes it when it ends.
 * RESTARTING: started by its --restart policy, not by the user.
 */
export async function startDetached(ctx: Context, container: ContainerRecord, restarting = false): Promise<ContainerRecord> {
  const phase = phases();
  const p = await prepare(ctx, container, phase, restarting, true);
  const containers = new Containers(ctx.store());
  const notify = p.config.sdnotify;
  const dirs = conmonDirs(ctx.paths.runtimeDir);
  const conmonPaths = { bundle: p.paths.bundle, logPath: p.paths.log, exitDir: dirs.exitDir, socketDir: dirs.socketDir, conmonPidFile: join(p.paths.bundle, 'conmon.pid') };
  let scope: ScopeMove | undefined;
  try {
    await createUnderConmon(p.runtime, conmonPaths, {
      id: p.record.id,
      name: p.record.name,
      terminal: Boolean(p.config.options.tty),
      stdin: p.config.interactive,
      exitCommand: exitCommand(p.record.id),
      ...(p.config.logDriver ? { logDriver: p.config.logDriver } : {}),
      ...(notify?.mode === 'container' ? { sdnotifySocket: notify.socket } : {}),
    });
    await p.net?.ready;
    const monitor = conmonPid(conmonPaths);
    if (!monitor) throw new TpodError('conmon did not record its pid');
    // Asked now, and done by systemd while the runtime starts the container.
    if (conmonNeedsScope(p.config.cgroups, ctx.env)) scope = await moveConmon(ctx.env, p.record.id, p.record.name, monitor);
    const conmon = identityOf(monitor);
    containers.update(p.record.id, { monitor: conmon, pid: Number(readFileSync(join(p.paths.bundle, 'pid'), 'utf8')) });
    // The launcher rejoins the namespaces through this conmon if the pause process is gone.
    mkdirSync(dirs.recordDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dirs.recordDir, p.record.id), `${conmon.pid} ${conmon.startTime}\n`, { mode: 0o600 });
    startCreated(p.runtime, p.paths.bundle, p.record.id);
    phase(`${p.runtime.name} start`);
    if (scope) {
      await scope.done;
      phase('conmon scope');
    }
    if (notify) tellSystemd(notify.socket, startedMessage(notify, monitor));
    const healthTimer = scheduleHealthcheck(ctx, p.record);
    if (healthTimer) containers.update(p.record.id, { healthTimer });
    return containers.get(p.record.id) ?? p.record;
  } catch (err) {
    // conmon, left without a container, runs its exit command: the state goes back first.
    containers.update(p.record.id, { state: container.state, monitor: undefined });
    await scope?.done;
    removeRuntimeState(p.runtime, p.record.id);
    await release(ctx, p);
    throw err;
  }
}
