/**
 * What run and create share: their options (the list lives with run, whose
 * page podman's users read first) turned into the engine's CreateRequest.
 */
import { readFileSync } from 'node:fs';
import { parseCgroupsMode, parseManager } from '../../cgroups/plan.js';
import { parseSize, resourcesFrom } from '../../cgroups/resources.js';
import type { CreateRequest, LogDriver, NetworkMode, PullPolicy } from '../../engine/create.js';
import { type RestartPolicy, parseRestartPolicy } from '../../engine/restart-policy.js';
import { defaultNetwork } from '../../network/default.js';
import { usesUserMode } from '../../network/user-mode.js';
import type { TransferListener } from '../../engine/transfer.js';
import { TpodError } from '../../errors.js';
import { parseStopSignal, parseStopTimeout } from '../../spec/stop.js';
import { log } from '../../log.js';
import { parseExpose, parsePublish } from '../../network/ports.js';
import { parseEntrypoint } from '../../spec/command.js';
import { type MountRequest, parseMountSpec, parseTmpfsSpec, parseVolumeSpec } from '../../spec/mounts.js';
import type { SeccompProfile } from '../../spec/seccomp.js';
import { parseSysctls } from '../../spec/sysctl.js';
import { parseUlimit } from '../../spec/ulimits.js';
import { parseUserns } from '../../spec/userns.js';
import { parseSdNotifyMode } from '../../systemd/notify.js';
import { plainProgress, terminalProgress } from '../output/progress.js';
import { type Args, passedThrough } from '../spec.js';
import { healthFlags } from './health.js';
import { keyValues } from './key-values.js';
import { registryAccess } from './registry.js';
import { resourceFlags } from './resources.js';

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
const list = (value: unknown): string[] => (value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String));

function mountRequests(args: Args): MountRequest[] {
  const cwd = process.cwd();
  return [
    ...list(args.volume).map((v) => parseVolumeSpec(v, cwd)),
    ...list(args.mount).map((m) => parseMountSpec(m, cwd)),
    ...list(args.tmpfs).map((t) => parseTmpfsSpec(t)),
  ];
}

function securityOptions(args: Args): { noNewPrivileges: boolean; seccomp?: 'unconfined' | SeccompProfile } {
  let noNewPrivileges = false;
  let seccomp: 'unconfined' | SeccompProfile | undefined;
  for (const opt of list(args['security-opt'])) {
    if (opt === 'no-new-privileges' || opt === 'no-new-privileges=true') noNewPrivileges = true;
    else if (opt === 'seccomp=unconfined') seccomp = 'unconfined';
    else if (opt.startsWith('seccomp=')) seccomp = JSON.parse(readFileSync(opt.slice(8), 'utf8')) as SeccompProfile;
    else throw new TpodError(`--security-opt ${opt}: tpod knows no-new-privileges and seccomp=unconfined|PROFILE.json`);
  }
  return { noNewPrivileges, ...(seccomp ? { seccomp } : {}) };
}

/** --restart; podman refuses it with --rm, which would remove what it restarts. */
function restartPolicy(text: string, remove: boolean): RestartPolicy {
  const policy = parseRestartPolicy(text);
  if (remove && policy.name !== 'no') throw new TpodError('the --rm option conflicts with --restart, when the restartPolicy is not "" and "no"');
  return policy;
}

/** The pull's progress on stderr, redrawn on a terminal. */
export function pullListener(): TransferListener {
  return process.stderr.isTTY ? terminalProgress(process.stderr) : plainProgress(process.stderr);
}

/** IMAGE [COMMAND...] and the options of run and create, as the engine takes them. */
export function containerRequest(args: Args): CreateRequest {
  const [image, ...command] = passedThrough(args);
  if (!image) throw new TpodError('name an image');
  const resources = resourcesFrom(resourceFlags(args));
  const network = (args.network as NetworkMode | undefined) ?? defaultNetwork();
  const publish = list(args.publish).map(parsePublish);
  if ((publish.length || args['publish-all']) && !usesUserMode(network)) log.warn(`port mappings are discarded with --network ${network}`);
  return {
    image,
    name: args.name as string | undefined,
    labels: keyValues('label', list(args.label)),
    remove: Boolean(args.rm),
    pull: args.pull as PullPolicy,
    network,
    publish: usesUserMode(network) ? publish : [],
    publishAll: Boolean(args['publish-all']),
    ...(list(args.expose).length ? { expose: parseExpose(list(args.expose)) } : {}),
    interactive: Boolean(args.interactive),
    ...(args.restart ? { restart: restartPolicy(String(args.restart), Boolean(args.rm)) } : {}),
    ...(args['log-driver'] ? { logDriver: args['log-driver'] as LogDriver } : {}),
    ...(args['stop-signal'] !== undefined ? { stopSignal: parseStopSignal(String(args['stop-signal'])) } : {}),
    ...(args['stop-timeout'] !== undefined ? { stopTimeout: parseStopTimeout(args['stop-timeout'], '--stop-timeout') } : {}),
    replace: Boolean(args.replace),
    cidfile: args.cidfile === undefined ? undefined : String(args.cidfile),
    createCommand: process.argv.slice(2),
    dns: list(args.dns),
    dnsSearch: list(args['dns-search']),
    dnsOptions: list(args['dns-option']),
    ...(args.tz ? { timezone: String(args.tz) } : {}),
    addHosts: list(args['add-host']),
    mounts: mountRequests(args),
    runtime: args.runtime as string | undefined,
    ...(args['cgroup-manager'] ? { cgroupManager: parseManager(String(args['cgroup-manager'])) } : {}),
    ...(args.cgroups ? { cgroupsMode: parseCgroupsMode(String(args.cgroups)) } : {}),
    ...(args.sdnotify ? { sdnotifyMode: parseSdNotifyMode(String(args.sdnotify)) } : {}),
    ...registryAccess(args),
    ...optional('health', healthFlags(args)),
    options: {
      ...(command.length ? { command } : {}),
      ...(args.entrypoint !== undefined ? { entrypoint: parseEntrypoint(String(args.entrypoint)) } : {}),
      env: list(args.env),
      envFiles: list(args['env-file']).map((path) => ({ path, text: readFileSync(path, 'utf8') })),
      envHost: Boolean(args['env-host']),
      ...(args.workdir ? { workdir: String(args.workdir) } : {}),
      ...(args.user ? { user: String(args.user) } : {}),
      ...(args.hostname ? { hostname: String(args.hostname) } : {}),
      tty: Boolean(args.tty),
      readOnly: Boolean(args['read-only']),
      ...(args['read-only-tmpfs'] === false ? { readOnlyTmpfs: false } : {}),
      ...(list(args.annotation).length ? { annotations: keyValues('annotation', list(args.annotation)) } : {}),
      capAdd: list(args['cap-add']),
      capDrop: list(args['cap-drop']),
      privileged: Boolean(args.privileged),
      ...(args.init ? { init: '/usr/bin/catatonit' } : {}),
      ...(args.userns !== undefined ? { userns: parseUserns(String(args.userns)) } : {}),
      ...securityOptions(args),
      ...(resources ? { resources } : {}),
      ...(list(args.ulimit).length ? { ulimits: list(args.ulimit).map(parseUlimit) } : {}),
      ...(list(args.sysctl).length ? { sysctls: parseSysctls(list(args.sysctl)) } : {}),
      ...(args['shm-size'] !== undefined ? { shmSize: shmSize(String(args['shm-size'])) } : {}),
      ...(list(args['group-add']).length ? { groupAdd: groupAdd(list(args['group-add'])) } : {}),
    },
  };
}

/** --group-add's groups; podman's keep-groups (crun's annotation, keeping the caller's own groups) is not there yet. */
function groupAdd(groups: readonly string[]): readonly string[] {
  if (groups.includes('keep-groups')) throw new TpodError('--group-add keep-groups is not supported by tpod: name the groups, or gids');
  return groups;
}

/** --shm-size: a size such as 64m, more than nothing. */
function shmSize(text: string): number {
  const bytes = parseSize('shm-size', text);
  if (bytes <= 0) throw new TpodError(`invalid --shm-size "${text}": the size must be greater than 0`);
  return bytes;
}
