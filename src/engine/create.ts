/**
 * `tpod create` (and the first half of `tpod run`): find or pull the image,
 * check what can be checked before anything exists (host directories, the
 * environment), and record the container with everything its start needs.
 * Nothing is mounted and no network exists until it starts (start.ts).
 */
import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { delegationFacts, judgeDelegation } from '../cgroups/detect.js';
import { type CgroupManager, type CgroupPlan, type CgroupsMode, planCgroups } from '../cgroups/plan.js';
import { controllersFor } from '../cgroups/resources.js';
import { NotFound, TpodError } from '../errors.js';
import type { ImageConfig } from '../image/manifest.js';
import { type PortMapping, exposedPorts } from '../network/ports.js';
import { usesUserMode } from '../network/user-mode.js';
import type { RunOptions } from '../spec/build.js';
import { type HealthConfig, type HealthFlags, type HealthOnFailure, healthConfig, onFailureAction } from '../spec/healthcheck.js';
import { type SdNotify, type SdNotifyMode, sdNotifyFor } from '../systemd/notify.js';
import { envList, mergeEnv } from '../spec/env.js';
import { zoneFile } from '../spec/timezone.js';
import type { MountRequest, SpecMount, VolumeRequest } from '../spec/mounts.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import type { ImageRecord } from '../storage/store.js';
import type { Context } from './context.js';
import { NoSuchImage, findImage } from './images.js';
import type { RestartPolicy } from './restart-policy.js';
import type { TransferListener } from './transfer.js';
import { lockedFlags } from './volumes.js';

export type PullPolicy = 'missing' | 'always' | 'never' | 'newer';
export type NetworkMode = 'none' | 'host' | 'pasta' | 'slirp4netns';
export type LogDriver = 'k8s-file' | 'journald' | 'none';

/** What a container's start needs besides its image: kept in its record. */
export interface ContainerConfig {
  readonly network: NetworkMode;
  /** -p: forwarded by the user-mode network helper. */
  readonly publish: readonly PortMapping[];
  readonly dns: readonly string[];
  readonly addHosts: readonly string[];
  /** Host directories already resolved; volumes are made or found at start. */
  readonly mounts: readonly (SpecMount | VolumeRequest)[];
  readonly runtime: string | undefined;
  /** -i: the container reads our standard input; without it, it reads nothing. */
  readonly interactive: boolean;
  /** --restart: what conmon's exit command does when a detached container ends. */
  readonly restart?: RestartPolicy;
  /** --log-driver, when not k8s-file: where conmon sends a detached container's output. */
  readonly logDriver?: LogDriver;
  /** The environment is fixed at creation, as podman's is: a later start sees the same. */
  readonly options: Omit<RunOptions, 'mounts'>;
  /** Its cgroup, decided at creation as podman decides it; none in records older than limits. */
  readonly cgroups?: CgroupPlan;
  /** --sdnotify under a Type=notify unit: what its start tells systemd; none to tell. */
  readonly sdnotify?: SdNotify;
  /** Its healthcheck: the image's or the --health-* flags'; Test ["NONE"] with --no-healthcheck. */
  readonly healthcheck?: HealthConfig;
  /** --health-on-failure, when not none. */
  readonly healthOnFailure?: Exclude<HealthOnFailure, 'none'>;
  /** --dns-search, in place of the host's search domains (["."]: none). */
  readonly dnsSearch?: readonly string[];
  /** --dns-option, in place of the host's resolver options. */
  readonly dnsOptions?: readonly string[];
  /** --tz: "local", or a zone under the host's /usr/share/zoneinfo, checked at creation. */
  readonly timezone?: string;
  /** --stop-signal, over the image's StopSignal: SIGNAME or a number. */
  readonly stopSignal?: string;
  /** --stop-timeout: what stop waits before SIGKILL when not told (STOP_TIMEOUT_SECONDS without it). */
  readonly stopTimeout?: number;
}

export interface CreateRequest extends Omit<ContainerConfig, 'mounts' | 'cgroups' | 'sdnotify' | 'healthcheck' | 'healthOnFailure'> {
  /** --health-cmd, --no-healthcheck and the other --health-* flags given. */
  readonly health?: HealthFlags;
  /** --sdnotify; podman's default is container. */
  readonly sdnotifyMode?: SdNotifyMode;
  /** --cgroup-manager; undefined: systemd where it delegates, else none. */
  readonly cgroupManager?: CgroupManager;
  /** --cgroups */
  readonly cgroupsMode?: CgroupsMode;
  readonly image: string;
  readonly name: string | undefined;
  readonly labels: Readonly<Record<string, string>>;
  readonly remove: boolean;
  readonly pull: PullPolicy;
  readonly mounts: readonly MountRequest[];
  /** -P: every port the image exposes, each on a free host port. */
  readonly publishAll: boolean;
  /** --expose: more ports for -P, beside the image's ExposedPorts (keys as there: "80/tcp"). */
  readonly expose?: Readonly<Record<string, unknown>>;
  readonly tlsVerify: boolean;
  readonly authfile: string | undefined;
  /** --replace: a container of the same name is removed first. */
  readonly replace: boolean;
  /** --cidfile: where the new container's id is written; it must not exist yet. */
  readonly cidfile: string | undefined;
  /** The words the container was made with, after the program's name: generate systemd --new runs them again. */
  readonly createCommand: readonly string[];
}

async function resolveImage(ctx: Context, req: CreateRequest, listener: TransferListener | undefined): Promise<ImageRecord> {
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

/** Host directories checked and resolved now; volumes wait for the root filesystem. */
function resolveHostMounts(requests: readonly MountRequest[]): (SpecMount | VolumeRequest)[] {
  return requests.map((m) => {
    if (m.type === 'tmpfs' || m.type === 'volume') return m;
    let source: string;
    try {
      source = realpathSync(m.source);
    } catch {
      throw new TpodError(`-v ${m.source}: no such file or directory on the host`);
    }
    return { type: 'bind', source, destination: m.destination, options: m.options, locked: lockedFlags(source), ...(m.chown ? { chown: true } : {}) };
  });
}

/** The final -e list: the image's, the caller's and the files' variables merged now. */
function fixedEnvironment(options: RunOptions, image: ImageConfig, caller: NodeJS.ProcessEnv): Omit<RunOptions, 'mounts'> {
  const env = mergeEnv({
    image: image.config?.Env,
    tty: options.tty,
    envHost: options.envHost,
    httpProxy: options.httpProxy,
    files: options.envFiles,
    env: options.env,
    caller,
  });
  return { ...options, env: envList(env), envFiles: [], envHost: false, httpProxy: false };
}

/** Where the container's cgroup will be; a limit that cannot be had is refused now, before any pull. */
function cgroupPlan(ctx: Context, req: CreateRequest): CgroupPlan {
  return planCgroups({
    delegation: judgeDelegation(delegationFacts(ctx.session.hostUid, ctx.env)),
    manager: req.cgroupManager,
    mode: req.cgroupsMode,
    needs: controllersFor(req.options.resources),
  });
}

/** --replace: the container named NAME, if any, removed (killed first if it runs), as podman does it. */
async function replaceNamed(ctx: Context, name: string | undefined): Promise<void> {
  if (name === undefined) throw new TpodError('cannot replace a container without --name being set');
  const { removeContainer } = await import('./containers.js');
  try {
    await removeContainer(ctx, name, { force: true, volumes: false });
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
  }
}

/** TZ, when the host has its zone file. */
function checkedZone(tz: string): string {
  if (!existsSync(zoneFile(tz))) throw new TpodError(`finding timezone: unknown time zone ${tz}`);
  return tz;
}

export async function createContainer(ctx: Context, req: CreateRequest, listener?: TransferListener): Promise<ContainerRecord> {
  if (req.cidfile !== undefined && existsSync(req.cidfile)) {
    throw new TpodError(`container id file ${req.cidfile} exists: ensure another container is not using it or delete it`);
  }
  const cgroups = cgroupPlan(ctx, req);
  const image = await resolveImage(ctx, req, listener);
  if (req.replace) await replaceNamed(ctx, req.name);
  const store = ctx.store();
  const config = JSON.parse(store.config(image.id).toString('utf8')) as ImageConfig;
  // As podman, the unit's socket is the one at creation: a later start answers to it.
  const sdnotify = sdNotifyFor(req.sdnotifyMode ?? 'container', ctx.notifySocket);
  const healthcheck = healthConfig(req.health, config.config?.Healthcheck);
  const healthOnFailure = onFailureAction(req.health, healthcheck);
  const containerConfig: ContainerConfig = {
    network: req.network,
    publish: req.publishAll && usesUserMode(req.network) ? [...req.publish, ...exposedPorts({ ...config.config?.ExposedPorts, ...req.expose }, req.publish)] : req.publish,
    dns: req.dns,
    addHosts: req.addHosts,
    mounts: resolveHostMounts(req.mounts),
    runtime: req.runtime,
    interactive: req.interactive,
    ...(req.restart ? { restart: req.restart } : {}),
    ...(req.logDriver && req.logDriver !== 'k8s-file' ? { logDriver: req.logDriver } : {}),
    options: fixedEnvironment(req.options, config, ctx.env),
    cgroups,
    ...(sdnotify ? { sdnotify } : {}),
    ...(healthcheck ? { healthcheck } : {}),
    ...(healthOnFailure ? { healthOnFailure } : {}),
    ...(req.dnsSearch?.length ? { dnsSearch: req.dnsSearch } : {}),
    ...(req.dnsOptions?.length ? { dnsOptions: req.dnsOptions } : {}),
    ...(req.timezone ? { timezone: checkedZone(req.timezone) } : {}),
    ...(req.stopSignal ? { stopSignal: req.stopSignal } : {}),
    ...(req.stopTimeout !== undefined ? { stopTimeout: req.stopTimeout } : {}),
  };
  const record = new Containers(store).create({
    name: req.name,
    imageId: image.id,
    imageName: image.names[0] ?? image.id,
    command: req.options.command ?? [],
    autoRemove: req.remove,
    labels: req.labels,
    config: containerConfig,
    createCommand: req.createCommand,
  });
  // 'wx': a file made meanwhile is not overwritten.
  if (req.cidfile !== undefined) writeFileSync(req.cidfile, record.id, { flag: 'wx' });
  return record;
}
