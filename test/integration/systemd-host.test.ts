/**
 * What this machine cannot show (systemd as PID 1, cgroup v2 delegated to a
 * lingering user, a login session's XDG_RUNTIME_DIR), checked in the Debian
 * guest of ../shared/vm, in one boot: the guest is slow under emulation.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { bootGuest, noGuest } from './guest.js';

const skip = noGuest;
const project = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

// Each check prints one line "name<TAB>output", so one boot answers many.
const check = `check() { name=$1; shift; printf '%s\\t%s\\n' "$name" "$("$@" 2>&1 | tr '\\n' ' ')"; }`;

// As the lingering user "dev", in the login session run.sh gives it.
const asUser = `${check}
check info native/tpod info --format json
check uidmap native/tpod unshare cat /proc/self/uid_map
check runtime-dir sh -c 'echo $XDG_RUNTIME_DIR'
`;

// As root, to turn user namespaces off before dev's first tpod call.
const asRoot = `${check}
sysctl -qw user.max_user_namespaces=0
check no-userns su dev -c "cd '$PWD' && native/tpod unshare true; echo exit=\\$?"
`;

async function boot(script: string, ...options: string[]): Promise<Map<string, string>> {
  return (await bootGuest([...options, '--share', project, '--', 'sh', '-c', script], 300)).results;
}

describe.skipIf(skip)(`on a systemd host with delegated cgroup v2${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let results = new Map<string, string>();
  beforeAll(async () => {
    results = new Map([...(await boot(asUser)), ...(await boot(asRoot, '--root'))]);
  }, 1_300_000);

  it('reports systemd delegation of the v2 controllers, and crun as the runtime', () => {
    const info = JSON.parse(results.get('info') ?? '{}');
    expect(info.host.cgroupVersion).toBe('v2');
    expect(info.host.cgroupDelegation.available).toBe(true);
    expect(info.host.cgroupDelegation.controllers).toEqual(expect.arrayContaining(['cpu', 'memory', 'pids']));
    expect(info.host.ociRuntime.name).toBe('crun');
    expect(info.problems.join('\n')).not.toMatch(/resource limits/);
  });

  it('keeps its state under the login session\'s XDG_RUNTIME_DIR', () => {
    const info = JSON.parse(results.get('info') ?? '{}');
    expect(results.get('runtime-dir')?.trim()).toBe('/run/user/1000');
    expect(info.store.runRoot).toBe('/run/user/1000/tpod');
  });

  it('names the fix when the kernel allows no user namespaces', () => {
    expect(results.get('no-userns')).toBe(
      'Error: cannot create a user namespace: No space left on device; user namespaces are disabled: sudo sysctl -w user.max_user_namespaces=15000 exit=125',
    );
  });

  it('maps the guest user from its /etc/subuid', () => {
    expect(results.get('uidmap')?.trim().split(/\s+/)).toEqual(['0', '1000', '1', '1', '100000', '65536']);
  });
});
