/**
 * stats and pause where systemd delegates no cgroup v2 to the user (this
 * development host: a v1/v2 hybrid, no systemd): each refuses in one line
 * naming what is missing, as podman does on cgroup v1 ("stats is not
 * supported in rootless mode without cgroups v2"), and the container runs
 * on untouched. systemd-stats.test.ts shows both working in the guest.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { delegationFacts, judgeDelegation } from '../../src/cgroups/detect.js';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const delegation = judgeDelegation(delegationFacts(process.getuid!(), process.env));
const skip =
  whyNotRunnable() ??
  inject('registriesMissing') ??
  (existsSync('/usr/bin/conmon') ? undefined : 'conmon is missing: apt-get install conmon') ??
  (delegation.available ? 'systemd delegates cgroup v2 here, so stats works: systemd-stats.test.ts checks that' : undefined);

describe.skipIf(skip)(`stats and pause without cgroup v2 delegation${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;

  beforeAll(async () => {
    box = new Sandbox();
    const path = `tpod-test/stats-${process.pid}`;
    await buildImage([busyboxLayer()]).push(registries!.open, path, 'latest');
    const image = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
    expect(box.run(['run', '-d', '--name', 'idle', '--network', 'none', image, 'sleep', '1000']).code).toBe(0);
  });
  afterAll(() => {
    box.run(['rm', '-f', '-t', '0', 'idle']);
    box.destroy();
  });

  it('refuses stats in one line that says what is missing, with or without containers named', () => {
    for (const args of [['stats', '--no-stream'], ['stats', '--no-stream', 'idle'], ['container', 'stats', '-a'], ['stats', '--format', 'json', '--no-stream']]) {
      const r = box.run(args);
      expect(r.stderr, args.join(' ')).toBe(`Error: stats is not supported in rootless mode without cgroup v2 delegation: ${delegation.reason}\n`);
      expect(r.code).toBe(125);
      expect(r.stdout).toBe('');
    }
  });

  it('refuses pause the same way, and leaves the container running', () => {
    for (const args of [['pause', 'idle'], ['container', 'pause', '--all']]) {
      const r = box.run(args);
      expect(r.stderr, args.join(' ')).toBe(`Error: pause is not supported in rootless mode without cgroup v2 delegation: ${delegation.reason}\n`);
      expect(r.code).toBe(125);
    }
    expect(box.run(['ps', '--format', '{{.Names}} {{.State}}']).stdout).toBe('idle running\n');
    expect(box.run(['inspect', '--format', '{{.State.Status}} {{.State.Paused}}', 'idle']).stdout).toBe('running false\n');
    expect(box.run(['exec', 'idle', 'echo', 'still here']).stdout).toBe('still here\n');
  });

  it("says as podman does what cannot be unpaused or asked for together", () => {
    const id = box.run(['inspect', '--format', '{{.Id}}', 'idle']).stdout.trim();
    const unpause = box.run(['unpause', 'idle']);
    expect(unpause.stderr).toBe(`Error: "${id}" is not paused, can't unpause: container state improper\n`);
    expect(unpause.code).toBe(125);
    // Nothing paused: nothing to do.
    expect(box.run(['unpause', '--all'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(box.run(['pause', 'nosuch'])).toMatchObject({ code: 1, stderr: 'Error: no container with name or ID "nosuch" found: no such container\n' });
    expect(box.run(['stats', '-a', 'idle'])).toMatchObject({ code: 125, stderr: 'Error: --all, --latest and containers cannot be used together\n' });
    expect(box.run(['stats', '-i', '0'])).toMatchObject({ code: 125, stderr: 'Error: invalid interval, must be a positive number greater zero\n' });
  });
});
