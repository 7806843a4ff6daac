/** Which user-mode network helper tpod uses: pasta, else slirp4netns. Pure. */
import type { ProgramInfo } from '../sys/programs.js';

export interface NetworkVerdict {
  readonly helper: 'pasta' | 'slirp4netns' | 'none';
  readonly reason: string;
}

export function chooseNetwork(pasta: ProgramInfo, slirp: ProgramInfo, tunUsable: boolean): NetworkVerdict {
  if (!tunUsable) {
    return { helper: 'none', reason: '/dev/net/tun cannot be opened for reading and writing, so only --network none and host work (sudo chmod 0666 /dev/net/tun)' };
  }
  if (pasta.path) return { helper: 'pasta', reason: 'pasta is installed' };
  if (slirp.path) return { helper: 'slirp4netns', reason: 'pasta is missing (sudo apt-get install passt); using slirp4netns' };
  return { helper: 'none', reason: 'neither pasta nor slirp4netns is installed: sudo apt-get install passt' };
}
