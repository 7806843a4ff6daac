/**
 * Quadlet's conversion, for tpod: a .container file becomes a user service
 * that runs `tpod run ... -d` under systemd, a .volume file a oneshot
 * service that makes the volume, with the meanings podman's Quadlet gives
 * their keys (podman-systemd.unit(5)). [Unit], [Service], [Install] and
 * any other section pass through; [Container] and [Volume] are kept as
 * X-Container and X-Volume, which systemd ignores. Pure: the generator
 * (generator.ts) reads and writes the files.
 *
 * Where Quadlet refuses a unit with a key it does not know, tpod warns and
 * goes on, and the same for keys of Quadlet's that tpod has no flag for;
 * a value tpod cannot honour (a named network) fails the unit.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { UnitFile, commandLine, keyValueWords, splitWords } from './unit-file.js';
import { STOP_TIMEOUT_SECONDS } from '../spec/stop.js';

export interface QuadletSource {
  /** The file's name, e.g. web.container. */
  readonly fileName: string;
  /** Where it was read from: relative paths in it (EnvironmentFile, ./dir volumes) are relative to its directory. */
  readonly path: string;
  readonly unit: UnitFile;
}

export interface GeneratedService {
  /** e.g. web.service */
  readonly fileName: string;
  readonly unit: UnitFile;
  readonly warnings: readonly string[];
}

export interface ConvertContext {
  /** The tpod launcher the service runs. */
  readonly tpod: string;
  /** Every source by file name, for Volume=NAME.volume references. */
  readonly sources: ReadonlyMap<string, QuadletSource>;
}

/** A unit that cannot be converted: it gets no service. */
export class QuadletError extends Error {}

export interface KeyDoc {
  readonly key: string;
  readonly describe: string;
}

/** The [Container] keys tpod acts on, for tpod-systemd.unit(5). */
export const CONTAINER_KEYS: readonly KeyDoc[] = [
  { key: 'Image', describe: 'the image to run (required); a fully qualified name avoids short-name resolution' },
  { key: 'Exec', describe: 'the command and its arguments, after the image (split as systemd splits command lines)' },
  { key: 'Entrypoint', describe: '--entrypoint; an empty value clears the image\'s' },
  { key: 'ContainerName', describe: '--name; default systemd-%N (systemd-%p_%i for a template)' },
  { key: 'Environment', describe: '--env for each KEY=VALUE word (repeatable, quoted as in systemd\'s Environment=)' },
  { key: 'EnvironmentFile', describe: '--env-file; a relative path is relative to the unit file\'s directory' },
  { key: 'EnvironmentHost', describe: '--env-host' },
  { key: 'Volume', describe: '-v SOURCE:DEST[:OPTIONS]; SOURCE may be NAME.volume (the volume that unit makes, which this service then requires), a ./relative path, an absolute path (RequiresMountsFor=) or a volume name' },
  { key: 'Mount', describe: '--mount' },
  { key: 'Tmpfs', describe: '--tmpfs' },
  { key: 'PublishPort', describe: '--publish' },
  { key: 'Network', describe: '--network: none, host, pasta or slirp4netns' },
  { key: 'DNS', describe: '--dns' },
  { key: 'DNSSearch', describe: '--dns-search (repeatable)' },
  { key: 'DNSOption', describe: '--dns-option (repeatable)' },
  { key: 'AddHost', describe: '--add-host' },
  { key: 'HostName', describe: '--hostname' },
  { key: 'User', describe: '--user, with Group= as USER:GROUP' },
  { key: 'Group', describe: 'the group of --user (needs User=)' },
  { key: 'UserNS', describe: '--userns: host or keep-id' },
  { key: 'Label', describe: '--label for each KEY=VALUE word' },
  { key: 'WorkingDir', describe: '--workdir' },
  { key: 'ReadOnly', describe: '--read-only' },
  { key: 'RunInit', describe: '--init' },
  { key: 'NoNewPrivileges', describe: '--security-opt=no-new-privileges' },
  { key: 'SeccompProfile', describe: '--security-opt seccomp=PROFILE' },
  { key: 'AddCapability', describe: '--cap-add for each word' },
  { key: 'DropCapability', describe: '--cap-drop for each word' },
  { key: 'Pull', describe: '--pull: missing, always, never or newer' },
  { key: 'LogDriver', describe: '--log-driver: k8s-file, journald or none' },
  { key: 'HealthCmd', describe: '--health-cmd: a command run with /bin/sh -c, a JSON array, or none' },
  { key: 'HealthInterval', describe: '--health-interval (disable: no timer)' },
  { key: 'HealthOnFailure', describe: '--health-on-failure: none, kill, restart or stop (kill or stop let the unit\'s Restart= act)' },
  { key: 'HealthRetries', describe: '--health-retries' },
  { key: 'HealthTimeout', describe: '--health-timeout' },
  { key: 'HealthStartPeriod', describe: '--health-start-period' },
  { key: 'Memory', describe: '--memory' },
  { key: 'PidsLimit', describe: '--pids-limit' },
  { key: 'ShmSize', describe: '--shm-size' },
  { key: 'Timezone', describe: '--tz' },
  { key: 'Sysctl', describe: '--sysctl for each NAME=VALUE word' },
  { key: 'Ulimit', describe: '--ulimit (repeatable)' },
  { key: 'GroupAdd', describe: '--group-add (repeatable)' },
  { key: 'Annotation', describe: '--annotation for each KEY=VALUE word' },
  { key: 'ExposeHostPort', describe: '--expose (repeatable)' },
  { key: 'ReadOnlyTmpfs', describe: '--read-only-tmpfs=true|false' },
  { key: 'StopSignal', describe: '--stop-signal' },
  { key: 'StopTimeout', describe: '--stop-timeout, and the -t of the service\'s tpod rm -f (default 10)' },
  { key: 'Notify', describe: 'yes: the container itself sends READY=1 (--sdnotify=container); default: conmon does once the container runs (--sdnotify=conmon)' },
  { key: 'PodmanArgs', describe: 'more options for tpod run, before the image (the name is Quadlet\'s, so its files work as they are)' },
  { key: 'GlobalArgs', describe: 'global options for tpod, before run (--log-level)' },
  { key: 'ServiceName', describe: 'the service\'s name instead of the file\'s' },
];

/** The [Volume] keys tpod acts on. */
export const VOLUME_KEYS: readonly KeyDoc[] = [
  { key: 'VolumeName', describe: 'the volume\'s name; default systemd-NAME for NAME.volume' },
  { key: 'Label', describe: '--label for each KEY=VALUE word' },
  { key: 'User', describe: 'the volume\'s owner (-o uid=)' },
  { key: 'Group', describe: 'the volume\'s group (-o gid=)' },
  { key: 'Copy', describe: 'whether the first container copies the image\'s files in (-o copy / -o nocopy)' },
  { key: 'Options', describe: '-o o=OPTIONS (stored, not acted on: see tpod-volume-create(1))' },
  { key: 'Device', describe: '-o device= (stored, not acted on)' },
  { key: 'Type', describe: '-o type= (stored, not acted on; needs Device=)' },
  { key: 'Driver', describe: '--driver: only local' },
  { key: 'PodmanArgs', describe: 'more options for tpod volume create' },
  { key: 'GlobalArgs', describe: 'global options for tpod, before volume' },
  { key: 'ServiceName', describe: 'the service\'s name instead of NAME-volume' },
];

/** Quadlet's [Container] keys that tpod has no flag for: warned about and left out. */
const CONTAINER_UNSUPPORTED = [
  'AddDevice', 'AppArmor', 'AutoUpdate', 'CgroupsMode', 'ContainersConfModule',
  'GIDMap', 'HealthLogDestination', 'HealthMaxLogCount', 'HealthMaxLogSize', 'HealthStartupCmd', 'HealthStartupInterval', 'HealthStartupRetries', 'HealthStartupSuccess',
  'HealthStartupTimeout', 'HttpProxy', 'IP', 'IP6', 'LogOpt', 'Mask', 'NetworkAlias', 'Pod',
  'ReloadCmd', 'ReloadSignal', 'RemapGid', 'RemapUid', 'RemapUidSize', 'RemapUsers', 'Retry', 'RetryDelay', 'Rootfs',
  'Secret', 'SecurityLabelDisable', 'SecurityLabelFileType', 'SecurityLabelLevel', 'SecurityLabelNested', 'SecurityLabelType',
  'StartWithPod', 'SubGIDMap', 'SubUIDMap', 'UIDMap', 'Unmask', 'VolatileTmp',
];
const VOLUME_UNSUPPORTED = ['ContainersConfModule', 'Image', 'UID', 'GID'];

/** Keys of [Service] that Quadlet warns about: the service runs as its user manager's user. */
const SERVICE_UNSUPPORTED = ['User', 'Group', 'DynamicUser'];

const NETWORKS = ['none', 'host', 'pasta', 'slirp4netns'];

/** The warnings for GROUP's keys that tpod does not act on. */
function unsupportedKeys(source: QuadletSource, group: string, known: readonly KeyDoc[], quadletOnly: readonly string[]): string[] {
  const ours = new Set(known.map((k) => k.key));
  const warnings: string[] = [];
  for (const key of source.unit.keys(group)) {
    if (ours.has(key)) continue;
    warnings.push(
      quadletOnly.includes(key)
        ? `${source.fileName}: ${key}= is not supported by tpod: ignored`
        : `${source.fileName}: unknown key ${key}= in [${group}]: ignored`,
    );
  }
  for (const key of SERVICE_UNSUPPORTED) {
    if (source.unit.has('Service', key)) warnings.push(`${source.fileName}: ${key}= in [Service] is not supported (the service runs as your user): use at your own risk`);
  }
  return warnings;
}

/** NAME without its extension. */
const baseName = (fileName: string): string => fileName.slice(0, fileName.lastIndexOf('.') > 0 ? fileName.lastIndexOf('.') : fileName.length);

/** The service's file name: ServiceName=, else the source's name with SUFFIX (a template keeps its @). */
export function serviceFileName(source: QuadletSource, group: string, suffix: string): string {
  const named = source.unit.get(group, 'ServiceName');
  if (named) return `${named}.service`;
  const base = baseName(source.fileName);
  return base.endsWith('@') ? `${base.slice(0, -1)}${suffix}@.service` : `${base}${suffix}.service`;
}

/** What a .volume unit names its volume: VolumeName=, else systemd-NAME. */
export function volumeName(source: QuadletSource): string {
  const named = source.unit.get('Volume', 'VolumeName');
  if (named) return named;
  const base = baseName(source.fileName);
  return base.endsWith('@') ? `systemd-${base.slice(0, -1)}-%i` : `systemd-${base}`;
}

function containerName(source: QuadletSource): string {
  const named = source.unit.get('Container', 'ContainerName');
  if (named) return named;
  return source.fileName.includes('@') ? 'systemd-%p_%i' : 'systemd-%N';
}

/** A path relative to the unit file's directory, unless absolute or a systemd specifier (%h/...). */
function relativeToUnit(source: QuadletSource, path: string): string {
  if (isAbsolute(path) || (path.startsWith('%') && !path.startsWith('%%'))) return path;
  return join(dirname(source.path), path);
}

/** The service: the source's sections, its own group kept as X-GROUP, with the source recorded. */
function baseService(source: QuadletSource, group: string): UnitFile {
  const service = source.unit.clone();
  service.rename(group, `X-${group}`);
  service.add('Unit', 'SourcePath', source.path);
  // tpod's run directory: where its pause process, conmon's files and exit codes live.
  service.add('Unit', 'RequiresMountsFor', '%t/tpod');
  return service;
}

/** tpod and its global options (GlobalArgs=). */
function tpodCommand(source: QuadletSource, group: string, ctx: ConvertContext): string[] {
  return [ctx.tpod, ...source.unit.allWords(group, 'GlobalArgs')];
}

function addBoolFlag(source: QuadletSource, key: string, flag: string, args: string[]): void {
  if (source.unit.bool('Container', key)) args.push(flag);
}

/** Each Volume= as -v, with NAME.volume references resolved to the volume that unit makes. */
function volumeArgs(source: QuadletSource, service: UnitFile, ctx: ConvertContext): string[] {
  const args: string[] = [];
  for (const spec of source.unit.all('Container', 'Volume')) {
    const parts = spec.split(':');
    if (parts.length < 2) {
      args.push('-v', spec);
      continue;
    }
    let [src, ...rest] = parts as [string, ...string[]];
    if (src.startsWith('.')) src = relativeToUnit(source, src);
    if (src.startsWith('/')) {
      service.add('Unit', 'RequiresMountsFor', src);
    } else if (src.endsWith('.volume')) {
      const volume = ctx.sources.get(src);
      if (!volume) throw new QuadletError(`Volume=${spec}: there is no ${src}`);
      const unitName = serviceFileName(volume, 'Volume', '-volume');
      service.add('Unit', 'Requires', unitName);
      service.add('Unit', 'After', unitName);
      src = volumeName(volume);
    }
    args.push('-v', [src, ...rest].join(':'));
  }
  return args;
}

/** KEY=VALUE words of KEY as FLAG KEY=VALUE, sorted by key (as Quadlet orders them). */
function keyValueArgs(unit: UnitFile, group: string, key: string, flag: string): string[] {
  const pairs = keyValueWords(unit.all(group, key));
  return [...pairs.keys()].sort().flatMap((k) => {
    const v = pairs.get(k);
    return [flag, v === undefined ? k : `${k}=${v}`];
  });
}

function userArg(source: QuadletSource): string[] {
  const user = source.unit.get('Container', 'User');
  const group = source.unit.get('Container', 'Group');
  if (!user) {
    if (group) throw new QuadletError(`Group= needs User=`);
    return [];
  }
  return ['--user', group ? `${user}:${group}` : user];
}

function networkArgs(source: QuadletSource): string[] {
  return source.unit.all('Container', 'Network').flatMap((network) => {
    if (!NETWORKS.includes(network)) {
      throw new QuadletError(`Network=${network}: tpod has no named networks or .network units; it takes ${NETWORKS.join(', ')}`);
    }
    return ['--network', network];
  });
}

/** Type=notify (default) or oneshot, and KillMode mixed (default) or control-group, as Quadlet allows them. */
function serviceType(service: UnitFile): 'notify' | 'oneshot' {
  const killMode = service.get('Service', 'KillMode');
  if (killMode !== undefined && killMode !== 'mixed' && killMode !== 'control-group') throw new QuadletError(`KillMode=${killMode}: only mixed or control-group work`);
  // mixed: SIGTERM to conmon alone (which passes it on), SIGKILL to what is left after.
  if (killMode === undefined) service.set('Service', 'KillMode', 'mixed');
  const type = service.get('Service', 'Type') ?? 'notify';
  if (type !== 'notify' && type !== 'oneshot') throw new QuadletError(`Type=${type}: a container's service is notify or oneshot`);
  return type;
}

/**
 * [Container] keys that each give tpod run one option with their value (the
 * last one set), as one word of the command line, as Quadlet passes it; the
 * Health keys in Quadlet's order (handleHealth).
 */
const VALUE_FLAGS = [
  ['WorkingDir', '--workdir'], ['HostName', '--hostname'], ['Pull', '--pull'],
  ['HealthCmd', '--health-cmd'], ['HealthInterval', '--health-interval'], ['HealthOnFailure', '--health-on-failure'],
  ['HealthRetries', '--health-retries'], ['HealthStartPeriod', '--health-start-period'], ['HealthTimeout', '--health-timeout'],
  ['Memory', '--memory'], ['PidsLimit', '--pids-limit'], ['ShmSize', '--shm-size'], ['Timezone', '--tz'],
  ['StopSignal', '--stop-signal'], ['StopTimeout', '--stop-timeout'],
] as const;

/** [Container] keys that may repeat, each value giving its option once. */
const REPEATED_FLAGS = [
  ['DNS', '--dns'], ['DNSSearch', '--dns-search'], ['DNSOption', '--dns-option'], ['AddHost', '--add-host'], ['Tmpfs', '--tmpfs'],
  ['Ulimit', '--ulimit'], ['GroupAdd', '--group-add'], ['ExposeHostPort', '--expose'],
] as const;

/** A .container file as its service. */
export function convertContainer(source: QuadletSource, ctx: ConvertContext): GeneratedService {
  const unit = source.unit;
  const warnings = unsupportedKeys(source, 'Container', CONTAINER_KEYS, CONTAINER_UNSUPPORTED);
  const image = unit.get('Container', 'Image');
  if (!image) throw new QuadletError(`no Image= in [Container]`);
  const service = baseService(source, 'Container');
  const name = containerName(source);
  const type = serviceType(service);

  // conmon may die without removing the container: -i ignores one already gone. -t: a
  // stop that lets the container end cleanly first, as podman rm -f does by itself.
  const stopTimeout = unit.get('Container', 'StopTimeout') ?? String(STOP_TIMEOUT_SECONDS);
  const stop = [...tpodCommand(source, 'Container', ctx), 'rm', '-v', '-f', '-i', '-t', stopTimeout, name];
  service.add('Service', 'ExecStop', commandLine(stop));
  // When conmon (the main process) is killed, systemd runs only the Post commands.
  service.add('Service', 'ExecStopPost', `-${commandLine(stop)}`);

  const run = [...tpodCommand(source, 'Container', ctx), 'run', '--name', name, '--replace', '--rm'];
  const logDriver = unit.get('Container', 'LogDriver');
  if (logDriver) run.push('--log-driver', logDriver);
  // The service's cgroup is delegated: conmon stays in it, the container goes below it.
  service.add('Service', 'Delegate', 'yes');
  run.push('--cgroups=split');
  const entrypoint = unit.get('Container', 'Entrypoint');
  if (entrypoint !== undefined) run.push(`--entrypoint=${entrypoint}`);
  for (const [key, flag] of VALUE_FLAGS) {
    const v = unit.get('Container', key);
    if (v) run.push(flag, v);
  }
  for (const [key, flag] of REPEATED_FLAGS) {
    for (const v of unit.all('Container', key)) run.push(flag, v);
  }
  // Each a list of NAME=VALUE words.
  for (const v of unit.all('Container', 'Sysctl').flatMap(splitWords)) run.push('--sysctl', v);
  addBoolFlag(source, 'RunInit', '--init', run);
  addBoolFlag(source, 'EnvironmentHost', '--env-host', run);
  run.push(...networkArgs(source));
  if (type === 'notify') {
    run.push(unit.bool('Container', 'Notify') ? '--sdnotify=container' : '--sdnotify=conmon');
    service.set('Service', 'Type', 'notify');
    service.set('Service', 'NotifyAccess', 'all');
    run.push('-d');
  }
  if (!service.has('Service', 'SyslogIdentifier')) service.set('Service', 'SyslogIdentifier', '%N');
  if (unit.bool('Container', 'NoNewPrivileges')) run.push('--security-opt=no-new-privileges');
  const seccomp = unit.get('Container', 'SeccompProfile');
  if (seccomp) run.push('--security-opt', `seccomp=${seccomp}`);
  for (const cap of unit.allWords('Container', 'DropCapability')) run.push('--cap-drop', cap.toLowerCase());
  for (const cap of unit.allWords('Container', 'AddCapability')) run.push('--cap-add', cap.toLowerCase());
  addBoolFlag(source, 'ReadOnly', '--read-only', run);
  // Quadlet passes it only when set, either way.
  const readOnlyTmpfs = unit.bool('Container', 'ReadOnlyTmpfs');
  if (readOnlyTmpfs !== undefined) run.push(`--read-only-tmpfs=${readOnlyTmpfs}`);
  run.push(...userArg(source));
  const userns = unit.get('Container', 'UserNS');
  if (userns) run.push('--userns', userns);
  run.push(...volumeArgs(source, service, ctx));
  for (const port of unit.all('Container', 'PublishPort')) run.push('--publish', port.trim());
  run.push(...keyValueArgs(unit, 'Container', 'Environment', '--env'), ...keyValueArgs(unit, 'Container', 'Label', '--label'), ...keyValueArgs(unit, 'Container', 'Annotation', '--annotation'));
  for (const file of unit.allWords('Container', 'EnvironmentFile')) run.push('--env-file', relativeToUnit(source, file));
  for (const mount of unit.allWords('Container', 'Mount')) run.push('--mount', mount);
  run.push(...unit.allWords('Container', 'PodmanArgs'));
  run.push(image);
  const exec = unit.raw('Container', 'Exec');
  if (exec !== undefined) run.push(...splitWords(exec));
  service.add('Service', 'ExecStart', commandLine(run));
  return { fileName: serviceFileName(source, 'Container', ''), unit: service, warnings };
}

/** A .volume file as a oneshot service that makes the volume (and leaves one that exists). */
export function convertVolume(source: QuadletSource, ctx: ConvertContext): GeneratedService {
  const unit = source.unit;
  const warnings = unsupportedKeys(source, 'Volume', VOLUME_KEYS, VOLUME_UNSUPPORTED);
  const service = baseService(source, 'Volume');
  const args = [...tpodCommand(source, 'Volume', ctx), 'volume', 'create', '--ignore'];
  const driver = unit.get('Volume', 'Driver');
  if (driver) args.push('--driver', driver);
  const copy = unit.bool('Volume', 'Copy');
  if (copy !== undefined) args.push('--opt', copy ? 'copy' : 'nocopy');
  const device = unit.get('Volume', 'Device');
  if (device) args.push('--opt', `device=${device}`);
  const type = unit.get('Volume', 'Type');
  if (type) {
    if (!device) throw new QuadletError(`Type= needs Device=`);
    args.push('--opt', `type=${type}`);
  }
  const user = unit.get('Volume', 'User');
  const group = unit.get('Volume', 'Group');
  const options = unit.get('Volume', 'Options');
  for (const [what, id] of [['uid', user], ['gid', group]] as const) {
    if (id === undefined) continue;
    if (!/^\d+$/.test(id)) throw new QuadletError(`${what === 'uid' ? 'User' : 'Group'}=${id}: a number is needed`);
    args.push('--opt', `${what}=${id}`);
  }
  if (options) args.push('--opt', `o=${options}`);
  args.push(...keyValueArgs(unit, 'Volume', 'Label', '--label'), ...unit.allWords('Volume', 'PodmanArgs'), volumeName(source));
  service.add('Service', 'ExecStart', commandLine(args));
  if (!service.has('Service', 'SyslogIdentifier')) service.set('Service', 'SyslogIdentifier', '%N');
  if (!service.has('Service', 'Type')) service.set('Service', 'Type', 'oneshot');
  if (!service.has('Service', 'RemainAfterExit')) service.set('Service', 'RemainAfterExit', 'yes');
  return { fileName: serviceFileName(source, 'Volume', '-volume'), unit: service, warnings };
}

/** The service for SOURCE by its extension, or undefined for a kind tpod does not make. */
export function convert(source: QuadletSource, ctx: ConvertContext): GeneratedService | undefined {
  if (source.fileName.endsWith('.container')) return convertContainer(source, ctx);
  if (source.fileName.endsWith('.volume')) return convertVolume(source, ctx);
  return undefined;
}

/** The file extensions the generator reads, and Quadlet's others, which it names as unsupported. */
export const SUPPORTED_EXTENSIONS = ['.container', '.volume'];
export const QUADLET_ONLY_EXTENSIONS = ['.network', '.kube', '.image', '.build', '.pod', '.artifact'];
