/**
 * Healthchecks on their timers, in the Debian guest of ../shared/vm (systemd
 * as PID 1, the user's own manager), in one boot: as root the boot installs
 * tpod's user generator, then vm/health.sh runs the checks as the user. A
 * detached container's check runs by itself on a transient ID-SUFFIX.timer,
 * as podman's does, passing and failing; --health-on-failure=restart
 * restarts a container by itself, under a new timer; the timer goes with
 * tpod rm -f and with the container's own end; a .container unit with
 * HealthCmd= gets it.
 * The checks by hand are healthcheck.test.ts's, on this host.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyboxLayer } from '../registry/images.js';
import { tar } from '../registry/tar-writer.js';
import { bootGuest, noGuest } from './guest.js';

const skip = noGuest;
const project = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const S = 1e9;

// As root: the generator where systemd looks for user generators; then the checks as dev, in the user manager's places.
const asRoot = `set -u
mkdir -p /etc/systemd/user-generators
printf '#!/bin/sh\\nexec %s %s "$@"\\n' "$(command -v node)" '${project}/dist/quadlet.cjs' > /etc/systemd/user-generators/tpod-user-generator
chmod 0755 /etc/systemd/user-generators/tpod-user-generator
su -l dev -c "cd '${project}' && XDG_RUNTIME_DIR=/run/user/1000 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus sh test/integration/vm/health.sh test/.vm-tmp/busybox.tar"
`;

describe.skipIf(skip)(`healthchecks on systemd timers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let results = new Map<string, string>();
  beforeAll(async () => {
    // The guest sees the project; the image goes in a directory of it that git ignores.
    const dir = join(project, 'test', '.vm-tmp');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'busybox.tar'), tar(busyboxLayer()));
    results = (await bootGuest(['--root', '--share', project, '--', 'sh', '-c', asRoot])).results;
  }, 1_100_000);

  it('makes podman\'s timer at a detached start, with no warning, and the check runs by itself until healthy', () => {
    expect(results.get('fine-stderr')).toBe('');
    expect(results.get('fine-timer')).toBe('active');
    expect(results.get('fine-timer-exec')).toMatch(/native\/tpod healthcheck run --ignore-result [0-9a-f]{64}/);
    expect(results.get('fine-status')).toMatch(/^Up .* \(healthy\)$/);
    const health = JSON.parse(results.get('fine-health')!);
    expect(health.Status).toBe('healthy');
    // Every 2 s after the last ended: more than one check in 5 s.
    expect(health.Log.length).toBeGreaterThan(1);
    expect(health.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: 'ok\n' });
  });

  it('turns a failing container unhealthy by itself', () => {
    expect(results.get('sick-status')).toMatch(/^Up .* \(unhealthy\)$/);
  });

  it('restarts a container that turned unhealthy with --health-on-failure=restart, by itself, under a new timer', () => {
    expect(results.get('again-state')).toBe('running 1 healthy');
    // One timer, not the one the first start made.
    expect(results.get('again-timers')).toBe('1 0');
    expect(results.get('again-units')).toMatch(/^1 [12]$/);
    expect(results.get('again-after-rm')).toBe('0 0');
  });

  it('leaves no timer or service behind rm -f, nor behind a container that ended by itself', () => {
    for (const name of ['fine-after-rm', 'sick-after-rm', 'brief-after-exit']) expect(results.get(name), name).toBe('0 0');
  });

  it('gives a .container unit\'s container its HealthCmd=, on a timer', () => {
    expect(results.get('hq-exec')).toContain('--health-cmd test -d /proc --health-interval 2s --health-retries 1');
    expect(results.get('hq-start')).toBe('');
    expect(results.get('hq-status')).toMatch(/^Up .* \(healthy\)$/);
    expect(JSON.parse(results.get('hq-healthcheck')!)).toEqual({ Test: ['CMD-SHELL', 'test -d /proc'], Interval: 2 * S, Timeout: 30 * S, Retries: 1 });
    expect(results.get('hq-timer')).toBe('active');
    expect(results.get('hq-after-stop')).toBe('0 0');
  });
});
