/**
 * `tpod run`: find (or pull) the image, make the container, mount its root
 * filesystem, write its /etc files and OCI spec, run it attached with the OCI
 * runtime, and clean up. Whatever fails before the container starts leaves
 * no container, mount or file behind.
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TpodError } from '../errors.js';
import { log } from '../log.js';
import type { ImageConfig } from '../image/manifest.js';
import { hostsFile, resolvConf } from '../network/etc-files.js';
import type { PortMapping } from '../network/ports.js';
import { setupNetwork } from '../network/pasta.js';
import type { UserModeNetwork } from '../network/user-mode.js';
import { checkExecutable } from '../runtime/executable.js';
import { resolveInRoot, resolveParent } from '../storage/in-root.js';
import { pickRuntime, removeRuntimeState, runAttached } from '../runtime/oci-runtime.js';
import { type NetworkNamespace, type RunOptions, buildSpec } from '../spec/build.js';
import type { MountRequest, SpecMount, VolumeRequest } from '../spec/mounts.js';
import { resolveUser } from '../spec/user.js';
import { Containers } from '../storage/containers.js';
import { chooseDriver } from '../storage/driver.js';
import { mountRootfs, unmountRootfs } from '../storage/rootfs.js';
import type { ImageRecord } from '../storage/store.js';
import type { Context } from './context.js';
import { hostFacts } from './host-facts.js';
import { NoSuchImage, findImage } from './images.js';
import type { TransferListener } from './transfer.js';
import { lockedFlags, removeAnonymousVolumes, resolveVolumeMounts } from './volumes.js';

export type PullPolicy = 'missing' | 'always' | 'never' | 'newer';
export type NetworkMode = 'none' | 'host' | 'pasta' | 'slirp4netns';

export interface RunRequest {
  readonly image: string;
  readonly name: string | undefined;
  readonly remove: boolean;
  readonly pull: PullPolicy;
  readonly network: NetworkMode;
  /** -p: forwarded by pasta. */
  readonly publish: readonly PortMapping[];
  readonly dns: readonly string[];
  readonly addHosts: readonly string[];
  readonly mounts: readonly MountRequest[];
  readonly runtime: string | undefined;
  /** -i: the container reads our standard input; without it, it reads nothing. */
  readonly interactive: boolean;
  readonly tlsVerify: boolean;
  readonly authfile: string | undefined;
  readonly options: Omit<RunOptions, 'mounts'>;
}

async function resolveImage(ctx: Context, req: RunRequest, listener: TransferListener | undefined): Promise<ImageRecord> {
  // Loaded only to pull: the registry client and tar are a tenth of a run's start-up.
  const pull = async () =>
    (await import('./pull.js')).pullImage(ctx.store(), ctx.registries(), req.image, ctx.env, {
      tlsVerify: req.tlsVerify,
      authfile: req.authfile,
      ...(listener ? { listener } : {}),
    });
  if (req.pull === 'always' || req.pull === 'newer') return (await pull()).image;
  try {
    return findImage(ctx.store(), ctx.registries(), req.image);
  } catch (err) {
    if (!(err instanceof NoSuchImage) || req.pull === 'never') throw err;
    return (await pull()).image;
  }
}

/** Host directories checked and resolved; volumes wait for the root filesystem (resolveVolumeMounts). */
function specMounts(requests: readonly MountRequest[]): (SpecMount | VolumeRequest)[] {
  return requests.map((m) => {
    if (m.type === 'tmpfs' || m.type === 'volume') return m;
    if (m.chown) throw new TpodError(`-v ${m.source}:${m.destination}: the U option is not supported yet`);
    let source: string;
    try {
      source = realpathSync(m.source);
    } catch {
      throw new TpodError(`-v ${m.source}: no such file or directory on the host`);
    }
    return { type: 'bind', source, destination: m.destination, options: m.options, locked: lockedFlags(source) };
  });
}

function readInRoot(root: string, path: string): string | undefined {
  const hit = resolveInRoot(root, path);
  return hit?.stats.isFile() ? readFileSync(hit.real, 'utf8') : undefined;
}

/** Runs the container to its end; returns its exit code. */
export async function runContainer(ctx: Context, req: RunRequest, listener?: TransferListener): Promise<number> {
  // bench/run.ts reads these: where a run's time goes.
  let last = performance.now();
  const phase = (name: string) => {
    const now = performance.now();
    log.debug(`run phase ${name}: ${(now - last).toFixed(1)} ms`);
    last = now;
  };
  const image = await resolveImage(ctx, req, listener);
  const store = ctx.store();
  const config = JSON.parse(store.config(image.id).toString('utf8')) as ImageConfig;
  const runtime = pickRuntime(ctx.paths.runtimeDir, req.runtime);
  const { driver } = chooseDriver(ctx.paths.storageDir);
  const requested = specMounts(req.mounts);
  const host = hostFacts(ctx.env);
  phase('image, runtime, driver and host facts');

  const containers = new Containers(store);
  const record = containers.create({
    name: req.name,
    imageId: image.id,
    imageName: image.names[0] ?? image.id,
    command: req.options.command ?? [],
    autoRemove: req.remove,
  });
  const paths = containers.paths(record.id);
  let started = false;
  let finished = false;
  let volumes: string[] = [];
  let net: UserModeNetwork | undefined;
  try {
    mountRootfs(driver, { lower: image.layers.map((l) => join(store.layerDir(l), 'diff')), upper: paths.upper, work: paths.work }, paths.rootfs);
    phase('container record and root mount');
    const etc = { passwd: readInRoot(paths.rootfs, '/etc/passwd'), group: readInRoot(paths.rootfs, '/etc/group') };
    // The user buildSpec runs the process as: a new volume, and one mounted with U, is given to it.
    const user = resolveUser(req.options.user || config.config?.User || '', etc, host.gidCount);
    const mounts = resolveVolumeMounts(store, requested, paths.rootfs, user, (names) => {
      volumes = names;
      containers.update(record.id, { volumes });
    });
    let network: NetworkNamespace;
    if (req.network === 'pasta' || req.network === 'slirp4netns') {
      const wanted = { ports: req.publish, dns: req.dns };
      net = req.network === 'pasta'
        ? await setupNetwork(ctx.paths.runtimeDir, record.id, wanted)
        : await (await import('../network/slirp4netns.js')).setupSlirp4netns(ctx.paths.runtimeDir, record.id, wanted);
      network = { mode: 'private', path: net.netnsPath };
      phase('network');
    } else network = { mode: req.network };
    const files = {
      hosts: join(paths.etc, 'hosts'),
      hostname: join(paths.etc, 'hostname'),
      resolvConf: join(paths.etc, 'resolv.conf'),
      // Tools test for /run/.containerenv to know they run in a container.
      containerEnv: join(paths.etc, 'containerenv'),
    };
    const spec = buildSpec({
      id: record.id,
      rootfs: paths.rootfs,
      image: config.config,
      etc,
      options: { ...req.options, mounts },
      network,
      files,
      host,
    });
    writeFileSync(files.hosts, hostsFile({ hostname: spec.hostname ?? record.id.slice(0, 12), name: record.name, extraHosts: [...req.addHosts, ...(net?.extraHosts ?? [])], ...(req.network === 'host' ? { hostHosts: readFileSync('/etc/hosts', 'utf8') } : {}) }));
    writeFileSync(files.hostname, `${spec.hostname ?? record.id.slice(0, 12)}\n`);
    writeFileSync(files.resolvConf, resolvConf(readFileSync('/etc/resolv.conf', 'utf8'), net?.nameservers ?? req.dns));
    writeFileSync(files.containerEnv, '');
    // podman makes a missing working directory; inside the root, as the container sees it.
    resolveParent(paths.rootfs, `${spec.process.cwd}/.keep`);
    if (!req.options.init) checkExecutable(paths.rootfs, spec.process.args, spec.process.env ?? []);
    writeFileSync(join(paths.bundle, 'config.json'), JSON.stringify(spec));
    phase('spec and /etc files');

    containers.update(record.id, { state: 'running', startedAt: new Date().toISOString() });
    started = true;
    const code = await runAttached(runtime, paths.bundle, record.id, { terminal: Boolean(req.options.tty), stdin: req.interactive });
    finished = true;
    phase(`${runtime.name} run`);
    containers.update(record.id, { state: 'exited', exitCode: code, finishedAt: new Date().toISOString() });
    return code;
  } finally {
    // A run that ends normally deletes its runtime state itself.
    if (started && !finished) removeRuntimeState(runtime, record.id);
    unmountRootfs(paths.rootfs);
    net?.teardown();
    // A container that never started is not kept: a failed run leaves nothing.
    if (req.remove || !started) {
      containers.remove(record.id);
      // As podman run --rm: the container's anonymous volumes go with it.
      removeAnonymousVolumes(store, volumes);
    }
    phase('clean-up');
  }
}
