/** slirp4netns, the user-mode network when pasta is missing: being written. */
import { TpodError } from '../errors.js';
import type { PortMapping } from './ports.js';
import type { UserModeNetwork } from './user-mode.js';

export async function setupSlirp4netns(_runtimeDir: string, _id: string, _options: { ports: readonly PortMapping[]; dns?: readonly string[] }): Promise<UserModeNetwork> {
  throw new TpodError('--network slirp4netns is not supported yet');
}
