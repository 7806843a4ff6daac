/** The network a container gets without --network: pasta, else slirp4netns, as chooseNetwork judges this machine. */
import { accessSync, constants } from 'node:fs';
import { TpodError } from '../errors.js';
import { findProgram } from '../sys/programs.js';
import { chooseNetwork } from './choose.js';

function tunUsable(): boolean {
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

export function defaultNetwork(): 'pasta' | 'slirp4netns' {
  const program = (name: string) => ({ name, path: findProgram(name), version: undefined });
  const { helper, reason } = chooseNetwork(program('pasta'), program('slirp4netns'), tunUsable());
  // Silently giving the container no network would only fail later, and less clearly.
  if (helper === 'none') throw new TpodError(`the container cannot have a network of its own: ${reason}`);
  return helper;
}
