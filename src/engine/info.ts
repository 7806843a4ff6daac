/**
 * `tpod info`: what tpod found on this host and what it will use, with the
 * reason for each choice and the package to install for what is missing.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { arch, hostname, release } from 'node:os';
import { type Delegation, cgroupVersion, delegationFacts, judgeDelegation } from '../cgroups/detect.js';
import { chooseNetwork } from '../network/choose.js';
import { type IdMapEntry, parseIdMap } from '../rootless/proc.js';
import { RUNTIME_PREFERENCE, type RuntimeVerdict, chooseRuntime, judgeRuntime } from '../runtime/choose.js';
import { chooseDriver } from '../storage/driver.js';
import { type ProgramInfo, describeProgram } from '../sys/programs.js';
import { tpodVersion } from '../version.js';
import type { Context } from './context.js';

export interface InfoReport {
  host: {
    arch: string;
    os: string;
    kernel: string;
    hostname: string;
    distribution: { distribution: string; version: string; codename: string };
    rootless: boolean;
    idMappings: { uidmap: IdMapEntry[]; gidmap: IdMapEntry[] };
    pauseProcess: number | null;
    cgroupVersion: string;
    cgroupDelegation: Delegation;
    ociRuntime: RuntimeVerdict | null;
    runtimes: RuntimeVerdict[];
    conmon: ProgramInfo;
    init: ProgramInfo;
    network: { helper: string; reason: string; pasta: ProgramInfo; slirp4netns: ProgramInfo };
  };
  store: { graphDriverName: string; graphDriverReason: string; graphRoot: string; runRoot: string; configFile: string };
  version: { Version: string; NodeVersion: string };
  /** One line each: what does not work here and how to fix it. */
  problems: string[];
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' };

/** /etc/os-release as podman shows it. Pure. */
export function parseOsRelease(text: string): { distribution: string; version: string; codename: string } {
  const fields = new Map(
    text
      .split('\n')
      .map((line) => /^([A-Z_]+)=("?)(.*)\2$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[3]!] as const),
  );
  return { distribution: fields.get('ID') ?? 'unknown', version: fields.get('VERSION_ID') ?? '', codename: fields.get('VERSION_CODENAME') ?? '' };
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function usable(path: string): boolean {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export async function gatherInfo({ session, paths, env }: Context): Promise<InfoReport> {
  const cgroups = cgroupVersion();
  const [conmon, init, pasta, slirp4netns, ...runtimeInfos] = await Promise.all([
    describeProgram('conmon'),
    describeProgram('catatonit'),
    describeProgram('pasta'),
    describeProgram('slirp4netns'),
    ...RUNTIME_PREFERENCE.map((name) => describeProgram(name)),
  ]);
  const runtimes = runtimeInfos.map((r) => judgeRuntime(r, cgroups));
  const ociRuntime = chooseRuntime(runtimes) ?? null;
  const network = chooseNetwork(pasta, slirp4netns, usable('/dev/net/tun'));
  const delegation = judgeDelegation(delegationFacts(session.hostUid, env));
  const driver = chooseDriver(paths.storageDir);

  const problems: string[] = [];
  if (!ociRuntime) problems.push('no usable OCI runtime: sudo apt-get install crun runc');
  for (const r of runtimes) if (r.path && !r.works) problems.push(`${r.name} ${r.reason}; ${ociRuntime ? `${ociRuntime.name} is used instead` : 'install runc'}`);
  if (!conmon.path) problems.push('conmon is missing, so detached containers cannot run: sudo apt-get install conmon');
  if (!init.path) problems.push('catatonit is missing, so --init cannot work: sudo apt-get install catatonit');
  if (network.helper === 'none' || !pasta.path) problems.push(`network: ${network.reason}`);
  if (driver.driver !== 'overlay') problems.push(`storage: ${driver.reason}`);
  if (!delegation.available) problems.push(`resource limits (--memory, --cpus, --pids-limit) cannot work: ${delegation.reason}`);

  return {
    host: {
      arch: GO_ARCH[arch()] ?? arch(),
      os: process.platform,
      kernel: release(),
      hostname: hostname(),
      distribution: parseOsRelease(readOr('/etc/os-release', '')),
      rootless: session.hostUid !== 0,
      idMappings: { uidmap: parseIdMap(readOr('/proc/self/uid_map', '')), gidmap: parseIdMap(readOr('/proc/self/gid_map', '')) },
      pauseProcess: session.pausePid ?? null,
      cgroupVersion: cgroups,
      cgroupDelegation: delegation,
      ociRuntime,
      runtimes,
      conmon,
      init,
      network: { helper: network.helper, reason: network.reason, pasta, slirp4netns },
    },
    store: {
      graphDriverName: driver.driver,
      graphDriverReason: driver.reason,
      graphRoot: paths.storageDir,
      runRoot: paths.runtimeDir,
      configFile: paths.configFile,
    },
    version: { Version: tpodVersion(), NodeVersion: process.version },
    problems,
  };
}
