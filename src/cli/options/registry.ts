/** Options of every command that talks to a registry, as podman spells them. */
import type { Args, OptionSpec } from '../spec.js';

export const registryOptions: readonly OptionSpec[] = [
  {
    name: 'tls-verify',
    type: 'boolean',
    default: true,
    describe: 'require HTTPS with a valid certificate; --tls-verify=false also allows plain HTTP',
  },
  {
    name: 'authfile',
    type: 'string',
    valueName: 'PATH',
    describe: 'credentials file (default: podman\'s auth.json; also REGISTRY_AUTH_FILE)',
    complete: 'files',
  },
];

export function registryAccess(args: Args): { tlsVerify: boolean; authfile: string | undefined } {
  return { tlsVerify: args['tls-verify'] !== false, authfile: args.authfile as string | undefined };
}
