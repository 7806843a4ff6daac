import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import type { CommandSpec } from '../spec.js';

export const logout: CommandSpec = {
  name: 'logout',
  summary: 'Forget the credentials for a registry',
  description: 'Removes the credentials that tpod login (or podman login) stored for REGISTRY, or all of them with --all, from the first auth.json file (or the one --authfile names).',
  positionals: [{ name: 'registry', describe: 'host[:port] of the registry, or host/namespace', optional: true }],
  options: [
    { name: 'all', alias: 'a', type: 'boolean', describe: 'remove the credentials for every registry' },
    { name: 'authfile', type: 'string', valueName: 'PATH', describe: 'credentials file (default: podman\'s auth.json; also REGISTRY_AUTH_FILE)', complete: 'files' },
  ],
  run: async (args) => {
    const { logout: logoutOf } = await import('../../engine/login.js');
    const ctx = contextFromEnv(process.env);
    const registry = args.registry as string | undefined;
    if (!registry && !args.all) throw new TpodError('name a registry, or use --all');
    logoutOf(args.all ? undefined : registry, ctx.env, args.authfile as string | undefined);
    process.stdout.write(args.all ? 'Removed login credentials for all registries\n' : `Removed login credentials for ${registry}\n`);
  },
};
