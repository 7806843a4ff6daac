/**
 * Starting a created container attached (`tpod start -a`, and the second half
 * of `tpod run`): mount its root filesystem, make its network, write its /etc
 * files and OCI spec, run it with the OCI runtime, and clean up. Whatever
 * fails before the container starts leaves no mount, helper or file behind,
 * and the container as it was.
 */
import { chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import type { ImageConfig } from '../image/manifest.js';
import { hostsFile, resolvConf } from '../network/etc-files.js';
import { setupNetwork } from '../network/pasta.js';
import type { UserModeNetwork } from '../network/user-mode.js';
import { checkExecutable } from '../runtime/executable.js';
import { pickRuntime, removeRuntimeState, runAttached } from '../runtime/oci-runtime.js';
import { parseIdMap } from '../rootless/proc.js';
import { type NetworkNamespace, buildSpec, keepIdEtc } from '../spec/build.js';
import { resolveUser } from '../spec/user.js';
import { type KeepId, callerAccount, keepId, ourIds, userSpec } from '../spec/userns.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import { chooseDriver } from '../storage/driver.js';
import { resolveInRoot, resolveParent } from '../storage/in-root.js';
import { mountRootfs, unmountRootfs } from '../storage/rootfs.js';
import { ownIdentity } from '../rootless/process.js';
import type { Context } from './context.js';
import type { ContainerConfig } from './create.js';
import { hostFacts } from './host-facts.js';
import { removeAnonymousVolumes, resolveVolumeMounts } from './volumes.js';

export const configOf = (record: ContainerRecord): ContainerConfig => record.config as ContainerConfig;

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

/**
 * Runs container NAMEORID (or the record given) to its end, attached to our
 * stdio; returns its exit code. A container with autoRemove is removed after.
 */
export async function startAttached(ctx: Context, container: ContainerRecord): Promise<number> {
  // bench/run.ts reads these: where a run's time goes.
  let last = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    log.debug(`run phase ${name}: ${(now - last).toFixed(1)} ms`);
    last = now;
  };
  const store = ctx.store();
  const containers = new Containers(store);
  const config = configOf(container);
  const image = store.image(container.imageId);
  if (!image) throw new TpodError(`the image of container ${container.name} (${container.imageId.slice(0, 12)}) is gone`, { hint: 'remove the container' });
  const imageConfig = JSON.parse(store.config(image.id).toString('utf8')) as ImageConfig;
  const runtime = pickRuntime(ctx.paths.runtimeDir, config.runtime);
  const { driver } = chooseDriver(ctx.paths.storageDir);
  const host = hostFacts(ctx.env);
  const keep = config.options.userns === 'keep-id' ? keepIdHere(ctx, host.gidCount) : undefined;
  // Taken under the lock: of two tpods starting the same container, one wins.
  const record = store.locked(() => {
    const now = containers.get(container.id);
    if (!now) throw new TpodError(`container ${container.name} was removed meanwhile`);
    if (now.state === 'running') throw new TpodError(`container ${container.name} is already running`);
    return containers.update(container.id, { state: 'running', monitor: ownIdentity() });
  });
  phase('image, runtime, driver and host facts');

  const paths = containers.paths(record.id);
  let invoked = false;
  let finished = false;
  let volumes = record.volumes ?? [];
  let net: UserModeNetwork | undefined;
  try {
    mountRootfs(driver, { lower: image.layers.map((l) => join(store.layerDir(l), 'diff')), upper: paths.upper, work: paths.work }, paths.rootfs, keep?.storage);
    phase('root mount');
    const imageEtc = { passwd: readInRoot(paths.rootfs, '/etc/passwd'), group: readInRoot(paths.rootfs, '/etc/group') };
    // keep-id adds the caller to the image's passwd and group, in copies bound over them.
    const added = keep ? keepIdEtc(keep, config.options, imageConfig.config, imageEtc, config.mounts.map((m) => m.destination)) : {};
    const etc = { passwd: added.passwd ?? imageEtc.passwd, group: added.group ?? imageEtc.group };
    // The user buildSpec runs the process as: a new volume, and one mounted with U, is given to it (in our ids).
    const user = resolveUser(userSpec(config.options.user, imageConfig.config?.User, keep), etc, host.gidCount);
    const mounts = resolveVolumeMounts(store, config.mounts, paths.rootfs, keep ? ourIds(keep, user) : user, (names) => {
      volumes = names;
      containers.update(record.id, { volumes });
    });
    net = await setupUserModeNetwork(ctx, record.id, config);
    // Awaited by runAttached, while the runtime creates the container; a failure before that
    // must not count as unhandled (the finally below tears the helper down).
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
    };
    // The environment was fixed at creation: the caller's own is not read again.
    const spec = buildSpec({ id: record.id, rootfs: paths.rootfs, image: imageConfig.config, etc, options: { ...config.options, mounts }, network, files, host: { ...host, env: {} }, ...(keep ? { userns: keep } : {}) });
    const hostname = spec.hostname ?? record.id.slice(0, 12);
    const hostHosts = config.network === 'host' ? { hostHosts: readFileSync('/etc/hosts', 'utf8') } : {};
    writeFileSync(files.hosts, hostsFile({ hostname, name: record.name, extraHosts: [...config.addHosts, ...(net?.extraHosts ?? [])], ...hostHosts }));
    writeFileSync(files.hostname, `${hostname}\n`);
    writeFileSync(files.resolvConf, resolvConf(readFileSync('/etc/resolv.conf', 'utf8'), net?.nameservers ?? config.dns));
    writeFileSync(files.containerEnv, '');
    for (const name of ['passwd', 'group'] as const) if (added[name]) writeFileSync(join(paths.etc, name), added[name]);
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
    invoked = true;
    const io = { terminal: Boolean(config.options.tty), stdin: config.interactive, ...(net ? { beforeStart: net.ready } : {}) };
    const code = await runAttached(runtime, paths.bundle, record.id, io);
    finished = true;
    phase(`${runtime.name} run`);
    containers.update(record.id, { state: 'exited', exitCode: code, finishedAt: new Date().toISOString(), monitor: undefined });
    return code;
  } catch (err) {
    // runAttached throws only when the container's process never ran: the container is as it was.
    containers.update(record.id, { state: container.state, monitor: undefined });
    throw err;
  } finally {
    // A run that ends normally deletes its runtime state itself.
    if (invoked && !finished) removeRuntimeState(runtime, record.id);
    unmountRootfs(paths.rootfs);
    if (net) {
      // A helper still starting would write its pid file after teardown looked for it.
      await net.ready.catch(() => undefined);
      net.teardown();
    }
    if (record.autoRemove && finished) {
      containers.remove(record.id);
      // As podman run --rm: the container's anonymous volumes go with it.
      removeAnonymousVolumes(store, volumes);
    }
    phase('clean-up');
  }
}
