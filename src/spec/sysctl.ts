/**
 * --sysctl as podman allows it (pkg/util ValidateSysctls): only what a
 * container's own namespaces hold, net.* in its network namespace, the IPC
 * ones in its IPC namespace, kernel.domainname in its UTS namespace. Pure.
 */
import { TpodError } from '../errors.js';

const IPC = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** NAME=VALUE words, each a namespaced sysctl; by name. */
export function parseSysctls(words: readonly string[]): Record<string, string> {
  const sysctls: Record<string, string> = {};
  for (const word of words) {
    const at = word.indexOf('=');
    if (at <= 0) throw new TpodError(`'${word}' is invalid, extra spaces found`);
    const name = word.slice(0, at).trim();
    if (!IPC.has(name) && !name.startsWith('fs.mqueue.') && !name.startsWith('net.') && name !== 'kernel.domainname') throw new TpodError(`sysctl '${name}' is not allowed`);
    sysctls[name] = word.slice(at + 1);
  }
  return sysctls;
}

/**
 * Refuses net.* where the container's root does not own its network
 * namespace (OWNNETWORK false: the host's, or pasta's under --userns=keep-id),
 * where the runtime could not set them.
 */
export function checkNetSysctls(sysctls: Readonly<Record<string, string>>, ownNetwork: boolean, hostNetwork: boolean): void {
  const net = Object.keys(sysctls).find((name) => name.startsWith('net.'));
  if (!net || ownNetwork) return;
  if (hostNetwork) throw new TpodError(`sysctl '${net}' is not allowed in the hosts network namespace`);
  throw new TpodError(`sysctl '${net}' cannot be set with --userns=keep-id on a pasta or slirp4netns network, whose namespace the container's root does not own`);
}
