import { contextFromEnv } from '../../engine/context.js';
import { TpodError } from '../../errors.js';
import { registryAccess, registryOptions } from '../options/registry.js';
import { ask, readAllStdin } from '../prompt.js';
import type { CommandSpec } from '../spec.js';

export const login: CommandSpec = {
  name: 'login',
  summary: 'Log in to a registry',
  description: [
    'Checks the username and password with REGISTRY and stores them in podman\'s auth.json (${XDG_RUNTIME_DIR}/containers/auth.json, or the file --authfile or REGISTRY_AUTH_FILE names), where podman finds them too. pull and push use them for that registry; REGISTRY may also be registry/namespace, for credentials that apply to that part of it only.',
    'Without --username or --password, tpod asks on the terminal, without echoing the password.',
  ].join('\n\n'),
  positionals: [{ name: 'registry', describe: 'host[:port] of the registry, or host/namespace' }],
  options: [
    { name: 'username', alias: 'u', type: 'string', valueName: 'NAME', describe: 'the user name' },
    { name: 'password', alias: 'p', type: 'string', valueName: 'PASSWORD', describe: 'the password (visible to other users in ps: prefer --password-stdin)' },
    { name: 'password-stdin', type: 'boolean', describe: 'read the password from standard input' },
    ...registryOptions,
  ],
  examples: [{ command: 'echo "$TOKEN" | tpod login -u me --password-stdin quay.io', describe: 'log in from a script' }],
  differences: 'docker.io needs its name given: tpod has no default registry to log in to. Credential helpers (credHelpers) are not used yet.',
  run: async (args) => {
    const { login: loginTo } = await import('../../engine/login.js');
    const ctx = contextFromEnv(process.env);
    if (args.password !== undefined && args['password-stdin']) throw new TpodError('--password and --password-stdin cannot be given together');
    const username = (args.username as string | undefined) ?? ask('Username: ');
    const password = args['password-stdin'] ? readAllStdin() : ((args.password as string | undefined) ?? ask('Password: ', true));
    if (!username || !password) throw new TpodError('a user name and a password are needed');
    await loginTo(String(args.registry), { username, password }, ctx.env, registryAccess(args));
    process.stdout.write('Login Succeeded!\n');
  },
};
