/**
 * Resource limits where nothing delegates cgroup v2 to the user (this host
 * when it is a v1/v2 hybrid without systemd): a run that asks for a limit is
 * refused in one line naming why, a run that asks for none works. Where
 * systemd delegates, systemd-limits.test.ts checks the limits in the guest.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { judgeDelegation, delegationFacts } from '../../src/cgroups/detect.js';
import { busyboxImage } from '../registry/images.js';
import { Sandbox, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const delegation = judgeDelegation(delegationFacts(process.getuid!(), process.env));
const skip =
  whyNotRunnable() ??
  inject('registriesMissing') ??
  (delegation.available ? 'systemd delegates cgroup v2 here, so limits work (systemd-limits.test.ts checks them)' : undefined);

describe.skipIf(skip)(`limits without cgroup delegation${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;

  beforeAll(async () => {
    box = new Sandbox();
    const path = `tpod-test/limits-${process.pid}`;
    await busyboxImage().push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
  });
  afterAll(() => box.destroy());

  it('refuses a limit in one line that says why, and leaves no container', () => {
    for (const limit of [['--memory', '64m'], ['--cpus', '0.5'], ['--pids-limit', '10']]) {
      const r = box.run(['run', '--rm', '--network', 'none', ...limit, image, 'true']);
      expect(r.stderr).toBe(`Error: cannot set resource limits: ${delegation.reason}\n`);
      expect(r.code).toBe(125);
    }
    expect(box.run(['create', '--memory', '64m', image]).code).toBe(125);
    expect(box.run(['ps', '-aq']).stdout).toBe('');
  });

  it('checks the flags themselves first, as podman does', () => {
    const r = box.run(['run', '--rm', '--memory', '2m', image, 'true']);
    expect(r.stderr).toBe('Error: invalid --memory "2m": the minimum memory limit is 6MB\n');
    expect(r.code).toBe(125);
    expect(box.run(['run', '--rm', '--cgroups', 'sometimes', image, 'true']).code).toBe(125);
  });

  it('runs a container that asks for no limit, also with --cgroups=disabled', () => {
    expect(box.run(['run', '--rm', '--network', 'none', image, 'echo', 'fine']).stdout).toBe('fine\n');
    expect(box.run(['run', '--rm', '--network', 'none', '--cgroups', 'disabled', image, 'echo', 'fine']).stdout).toBe('fine\n');
  });

  it('refuses to update a container\'s limits, naming why', () => {
    expect(box.run(['create', '--name', 'limited', image]).code).toBe(0);
    const r = box.run(['update', '--memory', '64m', 'limited']);
    expect(r.stderr).toBe(`Error: cannot set resource limits: ${delegation.reason}\n`);
    expect(r.code).toBe(125);
    expect(box.run(['update', 'limited']).stderr).toBe('Error: give at least one limit to change, such as --memory or --cpus\n');
    expect(box.run(['rm', 'limited']).code).toBe(0);
  });
});
