/**
 * `tpod container inspect`: what a container is, under the field names
 * podman 4 prints (State.Status, Config.Cmd, NetworkSettings.Ports, ...),
 * for what tpod knows. Pure: the record, the image's config and the spec of
 * the last start come in as data (container-info.ts reads them).
 */
import { constants } from 'node:os';
import { join } from 'node:path';
import type { OciResources } from '../cgroups/resources.js';
import type { PortMapping } from '../network/ports.js';
import type { ImageRunConfig } from '../spec/build.js';
import { containerCapabilities, normalizeCapabilities } from '../spec/capabilities.js';
import { makeCommand } from '../spec/command.js';
import type { SpecMount, VolumeRequest } from '../spec/mounts.js';
import { hasHealthcheck, healthcheckReport } from '../spec/healthcheck.js';
import type { OciSpec } from '../spec/oci-types.js';
import { stopTimeoutOf } from '../spec/stop.js';
import { statusOf } from '../storage/container-status.js';
import type { ContainerPaths, ContainerRecord } from '../storage/containers.js';
import type { ContainerConfig } from './create.js';

export interface InspectInput {
  readonly record: ContainerRecord;
  readonly paths: ContainerPaths;
  /** The image's config; undefined once the image is gone. */
  readonly image: ImageRunConfig | undefined;
  /** The image's manifest digest and layer directories (lowest first), while the image is there. */
  readonly imageDigest: string | undefined;
  readonly lowerDirs: readonly string[];
  /** The OCI spec its last start wrote; undefined before its first. */
  readonly spec: OciSpec | undefined;
  /** Its process while it runs, else 0. */
  readonly pid: number;
  /** The host's name, which a --network host container takes. */
  readonly hostName: string;
  readonly driver: string;
  readonly runtime: string;
  /** Where volume NAME's content is. */
  readonly volumeData: (name: string) => string;
}

/** Go's zero time, which podman prints for a time that has not come yet. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** One published host port for one container port and protocol. */
export interface PublishedPort {
  /** "80/tcp", podman's key. */
  readonly key: string;
  readonly hostIP: string;
  /** 0 until a start picks a free one. */
  readonly hostPort: number;
}

/** Each port of each range and protocol on its own, as podman lists them. */
export function publishedPorts(ports: readonly PortMapping[]): PublishedPort[] {
  return ports.flatMap((p) =>
    p.protocols.flatMap((proto) =>
      Array.from({ length: p.range }, (_, i) => ({ key: `${p.containerPort + i}/${proto}`, hostIP: p.hostIP, hostPort: p.hostPort ? p.hostPort + i : 0 })),
    ),
  );
}

/** NetworkSettings.Ports and HostConfig.PortBindings: {"80/tcp": [{HostIp, HostPort}]}. */
function portMap(ports: readonly PortMapping[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const map: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of publishedPorts(ports)) (map[p.key] ??= []).push({ HostIp: p.hostIP, HostPort: p.hostPort ? String(p.hostPort) : '' });
  return map;
}

/** The image's StopSignal as the number podman 4 prints (SIGTERM when it names none we know). */
export function signalNumber(name: string | undefined): number {
  if (name && /^\d+$/.test(name)) return Number(name);
  const upper = (name ?? '').toUpperCase();
  const known = constants.signals[(upper.startsWith('SIG') ? upper : `SIG${upper}`) as keyof typeof constants.signals];
  return known ?? constants.signals.SIGTERM;
}

const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);
/** Options that say how to mount rather than what: shown as RW, Propagation, or not at all (U, z, Z). */
const NOT_OPTIONS = new Set(['ro', 'rw', 'U', 'z', 'Z']);

interface MountReport {
  readonly Type: 'bind' | 'volume';
  readonly Name?: string;
  readonly Source: string;
  readonly Destination: string;
  readonly Driver: string;
  readonly Mode: string;
  readonly Options: string[];
  readonly RW: boolean;
  readonly Propagation: string;
}

/**
 * An anonymous volume gets its random name at the first start, where the
 * record's volume list takes it, in the order of the requests: matched to
 * them here in that order.
 */
function anonymousNames(mounts: readonly (SpecMount | VolumeRequest)[], claimed: readonly string[]): string[] {
  const named = new Set(mounts.flatMap((m) => (m.type === 'volume' && m.name ? [m.name] : [])));
  return claimed.filter((n) => !named.has(n));
}

/** HostConfig's limits by podman's names; 0 (or "") for what is not limited, as podman shows it. */
function resourceFields(r: OciResources | undefined) {
  const quota = r?.cpu?.quota ?? 0;
  const period = r?.cpu?.period ?? 0;
  return {
    Memory: r?.memory?.limit ?? 0,
    MemorySwap: r?.memory?.swap ?? 0,
    MemoryReservation: r?.memory?.reservation ?? 0,
    NanoCpus: quota && period ? Math.round((quota / period) * 1e9) : 0,
    CpuPeriod: period,
    CpuQuota: quota,
    CpuShares: r?.cpu?.shares ?? 0,
    CpuWeight: Number(r?.unified?.['cpu.weight'] ?? 0),
    CpusetCpus: r?.cpu?.cpus ?? '',
    CpusetMems: r?.cpu?.mems ?? '',
    PidsLimit: r?.pids?.limit ?? 0,
    BlkioWeight: r?.blockIO?.weight ?? 0,
  };
}

/** podman's Mounts: binds and volumes (tmpfs mounts are HostConfig.Tmpfs). */
function mountReports(config: ContainerConfig, claimed: readonly string[], volumeData: (name: string) => string): MountReport[] {
  const anonymous = anonymousNames(config.mounts, claimed);
  return config.mounts.flatMap((m): MountReport[] => {
    if (m.type === 'tmpfs') return [];
    const rest = m.options.filter((o) => !NOT_OPTIONS.has(o) && !PROPAGATIONS.has(o));
    const bind = rest.some((o) => o === 'bind' || o === 'rbind') ? [] : ['rbind'];
    const volume = m.type === 'volume' ? (m.name || anonymous.shift() || '') : undefined;
    // In podman's order of fields; a bind has no Name.
    return [
      {
        Type: m.type,
        ...(volume === undefined ? {} : { Name: volume }),
        Source: m.type === 'bind' ? m.source : volume ? volumeData(volume) : '',
        Destination: m.destination,
        Driver: m.type === 'volume' ? 'local' : '',
        Mode: '',
        Options: m.type === 'volume' ? [...new Set(['nosuid', 'nodev', ...rest, ...bind])] : [...rest, ...bind],
        RW: !m.options.includes('ro'),
        Propagation: m.options.find((o) => PROPAGATIONS.has(o)) ?? 'rprivate',
      },
    ];
  });
}

/** HostConfig.Binds: "SOURCE-OR-NAME:DEST:rw,rprivate,OPTIONS". */
function binds(mounts: readonly MountReport[]): string[] {
  return mounts.map((m) => `${m.Name ?? m.Source}:${m.Destination}:${[m.RW ? 'rw' : 'ro', m.Propagation, ...m.Options].join(',')}`);
}

/** What runs: the spec's args once started, else what the start will make of the image and options. */
function processArgs(input: InspectInput, config: ContainerConfig): string[] {
  if (input.spec) return input.spec.process.args;
  try {
    return makeCommand({
      imageEntrypoint: input.image?.Entrypoint,
      imageCmd: input.image?.Cmd,
      entrypoint: config.options.entrypoint,
      command: config.options.command,
      init: config.options.init !== undefined,
    });
  } catch {
    // No command at all: its start will say so.
    return [];
  }
}

function securityOptions(config: ContainerConfig): string[] {
  return [...(config.options.seccomp === 'unconfined' ? ['seccomp=unconfined'] : []), ...(config.options.noNewPrivileges ? ['no-new-privileges'] : [])];
}

export function containerReport(input: InspectInput): Record<string, unknown> {
  const { record: c, paths, image, spec } = input;
  const config = c.config as ContainerConfig;
  const options = config.options;
  // A paused container's process and conmon live on; podman says Running false of it.
  const running = c.state === 'running';
  const status = statusOf(c);
  const args = processArgs(input, config);
  const ports = portMap(c.ports ?? config.publish);
  const mounts = mountReports(config, c.volumes ?? [], input.volumeData);
  const capabilities = containerCapabilities({ add: options.capAdd, drop: options.capDrop, privileged: options.privileged });
  // A given --entrypoint, even '', drops the image's Cmd (as makeCommand does).
  const cmd = options.command?.length ? options.command : options.entrypoint ? [] : (image?.Cmd ?? []);
  return {
    Id: c.id,
    Created: c.created,
    Path: args[0] ?? '',
    // podman repeats a lone program as its own argument list.
    Args: args.length > 1 ? args.slice(1) : args,
    State: {
      Status: status,
      Running: status === 'running',
      Paused: status === 'paused',
      Restarting: false,
      OOMKilled: c.oomKilled ?? false,
      Dead: false,
      Pid: running ? input.pid : 0,
      ConmonPid: running ? (c.monitor?.pid ?? 0) : 0,
      ExitCode: c.exitCode ?? 0,
      Error: '',
      StartedAt: c.startedAt ?? ZERO_TIME,
      FinishedAt: c.finishedAt ?? ZERO_TIME,
      // podman's status when the container has a check, and an empty one before its first start.
      ...(hasHealthcheck(config.healthcheck) ? { Health: c.health ?? { Status: '', FailingStreak: 0, Log: null } } : {}),
    },
    Image: c.imageId,
    ImageDigest: input.imageDigest ?? '',
    ImageName: c.imageName,
    Rootfs: '',
    Pod: '',
    ResolvConfPath: join(paths.etc, 'resolv.conf'),
    HostnamePath: join(paths.etc, 'hostname'),
    HostsPath: join(paths.etc, 'hosts'),
    StaticDir: paths.dir,
    OCIConfigPath: join(paths.bundle, 'config.json'),
    OCIRuntime: input.runtime,
    ConmonPidFile: join(paths.bundle, 'conmon.pid'),
    PidFile: join(paths.bundle, 'pid'),
    Name: c.name,
    RestartCount: c.restartCount ?? 0,
    Driver: input.driver,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    EffectiveCaps: spec?.process.capabilities.effective ?? capabilities,
    BoundingCaps: spec?.process.capabilities.bounding ?? capabilities,
    ExecIDs: [],
    GraphDriver: {
      Name: input.driver,
      Data: { LowerDir: [...input.lowerDirs].reverse().join(':'), MergedDir: paths.rootfs, UpperDir: paths.upper, WorkDir: paths.work },
    },
    Mounts: mounts,
    Dependencies: [],
    NetworkSettings: {
      EndpointID: '',
      Gateway: '',
      IPAddress: '',
      IPPrefixLen: 0,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      MacAddress: '',
      Bridge: '',
      SandboxID: '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: ports,
      SandboxKey: '',
    },
    Namespace: '',
    IsInfra: false,
    IsService: false,
    Config: {
      Hostname: spec?.hostname ?? options.hostname ?? (config.network === 'host' ? input.hostName : c.id.slice(0, 12)),
      Domainname: '',
      User: options.user ?? image?.User ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Tty: Boolean(options.tty),
      OpenStdin: config.interactive,
      StdinOnce: false,
      Env: spec?.process.env ?? options.env ?? [],
      Cmd: cmd,
      Image: c.imageName,
      Volumes: null,
      WorkingDir: spec?.process.cwd ?? options.workdir ?? (image?.WorkingDir || '/'),
      // podman 4 prints the entrypoint as one string.
      Entrypoint: (options.entrypoint ?? image?.Entrypoint ?? []).join(' '),
      OnBuild: null,
      // The container's labels over the image's, as podman merges them.
      Labels: { ...(image?.Labels ?? {}), ...(c.labels ?? {}) },
      Annotations: options.annotations ?? {},
      StopSignal: signalNumber(config.stopSignal ?? image?.StopSignal),
      ...(config.healthcheck ? { Healthcheck: healthcheckReport(config.healthcheck) } : {}),
      HealthcheckOnFailureAction: config.healthOnFailure ?? 'none',
      Timezone: config.timezone ?? '',
      Umask: '0022',
      Timeout: 0,
      StopTimeout: stopTimeoutOf(config),
    },
    HostConfig: {
      Binds: binds(mounts),
      ContainerIDFile: '',
      LogConfig: { Type: config.logDriver ?? 'k8s-file', Config: null, Path: paths.log, Tag: '', Size: '0B' },
      NetworkMode: config.network,
      PortBindings: ports,
      RestartPolicy: { Name: config.restart?.name ?? '', MaximumRetryCount: config.restart?.max ?? 0 },
      AutoRemove: c.autoRemove,
      CapAdd: normalizeCapabilities(options.capAdd ?? []),
      CapDrop: normalizeCapabilities(options.capDrop ?? []),
      Dns: config.dns,
      GroupAdd: options.groupAdd ?? [],
      DnsOptions: config.dnsOptions ?? [],
      DnsSearch: config.dnsSearch ?? [],
      ExtraHosts: config.addHosts,
      // podman leaves it out unless --init.
      ...(options.init !== undefined ? { Init: true } : {}),
      Privileged: Boolean(options.privileged),
      ReadonlyRootfs: Boolean(options.readOnly),
      SecurityOpt: securityOptions(config),
      Tmpfs: Object.fromEntries(config.mounts.flatMap((m) => (m.type === 'tmpfs' ? [[m.destination, m.options.join(',')]] : []))),
      UsernsMode: options.userns === 'keep-id' ? 'keep-id' : '',
      Runtime: 'oci',
      ...resourceFields(options.resources),
      ShmSize: options.shmSize ?? 65536 * 1024,
      Ulimits: (options.ulimits ?? []).map((l) => ({ Name: l.type, Soft: l.soft, Hard: l.hard })),
      Sysctls: options.sysctls ?? {},
      CgroupManager: config.cgroups?.manager === 'systemd' ? 'systemd' : 'cgroupfs',
    },
  };
}
