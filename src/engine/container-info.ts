/**
 * What tpod tells about containers besides ps: inspect, port and top; and
 * rename. Each names its container by name, id or id prefix (findContainer,
 * which also finishes one whose monitor is gone, so that a dead container
 * never shows as running).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TpodError } from '../errors.js';
import type { ImageConfig } from '../image/manifest.js';
import type { PortMapping } from '../network/ports.js';
import { pickRuntime } from '../runtime/oci-runtime.js';
import type { ImageRunConfig } from '../spec/build.js';
import type { OciSpec } from '../spec/oci-types.js';
import { type ContainerRecord, Containers } from '../storage/containers.js';
import { chooseDriver } from '../storage/driver.js';
import { resolveInRoot } from '../storage/in-root.js';
import type { Store } from '../storage/store.js';
import { Volumes } from '../storage/volumes.js';
import { findContainer } from './containers.js';
import type { Context } from './context.js';
import { containerReport } from './inspect-container.js';
import { configOf } from './start.js';
import { type ContainerProcess, containerProcesses } from './top.js';

/** A file's text; undefined when it is not there (or not readable). */
function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readJson<T>(path: string): T | undefined {
  const text = readText(path);
  try {
    return text === undefined ? undefined : (JSON.parse(text) as T);
  } catch {
    return undefined;
  }
}

/**
 * A running container's process: as conmon's runtime reported it, or, for
 * one run attached (no conmon), from the pid file the runtime wrote.
 */
function processOf(ctx: Context, c: ContainerRecord): number | undefined {
  if (c.state !== 'running') return undefined;
  if (c.pid) return c.pid;
  const pid = Number(readText(join(new Containers(ctx.store()).paths(c.id).bundle, 'pid')));
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The runtime its start picks; what was asked for when none works here now. */
function runtimeName(ctx: Context, c: ContainerRecord): string {
  const wanted = configOf(c).runtime;
  try {
    return pickRuntime(ctx.paths.runtimeDir, wanted).name;
  } catch {
    return wanted ?? '';
  }
}

function imageConfig(store: Store, id: string): ImageRunConfig | undefined {
  try {
    return (JSON.parse(store.config(id).toString('utf8')) as ImageConfig).config;
  } catch {
    return undefined;
  }
}

/** podman container inspect's object for container C. */
export function inspectContainer(ctx: Context, c: ContainerRecord): Record<string, unknown> {
  const store = ctx.store();
  const image = store.image(c.imageId);
  const paths = new Containers(store).paths(c.id);
  const volumes = new Volumes(store);
  return containerReport({
    record: c,
    paths,
    image: image ? imageConfig(store, image.id) : undefined,
    imageDigest: image?.digest,
    lowerDirs: image ? image.layers.map((l) => join(store.layerDir(l), 'diff')) : [],
    spec: readJson<OciSpec>(join(paths.bundle, 'config.json')),
    pid: processOf(ctx, c) ?? 0,
    hostName: hostname(),
    driver: chooseDriver(ctx.paths.storageDir).driver,
    runtime: runtimeName(ctx, c),
    volumeData: (name) => volumes.dataDir(name),
  });
}

/** `tpod port`: a running container's published ports as its start got them; none otherwise, as podman. */
export function containerPorts(c: ContainerRecord): readonly PortMapping[] {
  return c.state === 'running' ? (c.ports ?? configOf(c).publish) : [];
}

export function renameContainer(ctx: Context, nameOrId: string, name: string): ContainerRecord {
  const c = findContainer(ctx, nameOrId);
  return new Containers(ctx.store()).rename(c.id, name);
}

/** `tpod top`: the running container's processes, and its passwd for their users' names. */
export function topContainer(ctx: Context, nameOrId: string): { processes: ContainerProcess[]; passwd: string | undefined } {
  const c = findContainer(ctx, nameOrId);
  const pid = processOf(ctx, c);
  if (pid === undefined) throw new TpodError('top can only be used on running containers');
  const paths = new Containers(ctx.store()).paths(c.id);
  // keep-id binds a copy with the caller's entry over the image's.
  const inRoot = resolveInRoot(paths.rootfs, '/etc/passwd');
  const passwd = readText(join(paths.etc, 'passwd')) ?? (inRoot?.stats.isFile() ? readText(inRoot.real) : undefined);
  return { processes: containerProcesses(pid), passwd };
}
