/**
 * Healthchecks on this host, where no systemd user session runs timers:
 * detached containers with a passing and a failing --health-cmd, checked by
 * hand with `tpod healthcheck run`; ps and inspect show the results; the
 * image's own Healthcheck; the one warning that nothing schedules the check.
 * The timer itself is checked in the systemd guest (systemd-health.test.ts).
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing') ?? (existsSync('/usr/bin/conmon') ? undefined : 'conmon is missing: apt-get install conmon');
const S = 1e9;

describe.skipIf(skip)(`healthchecks${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  let checked: string;
  const status = (name: string) => box.run(['ps', '--filter', `name=^${name}$`, '--format', '{{.Status}}']).stdout.trim();
  const inspect = (name: string) => JSON.parse(box.run(['inspect', name]).stdout)[0];

  beforeAll(async () => {
    box = new Sandbox();
    const path = `tpod-test/health-${process.pid}`;
    await buildImage([busyboxLayer()], { config: { Cmd: ['sh'] } }).push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    // An image with a check of its own, which fails until /tmp/ok exists.
    await buildImage([busyboxLayer()], { config: { Cmd: ['sh'], Healthcheck: { Test: ['CMD-SHELL', 'test -f /tmp/ok'], Interval: 5 * S, Retries: 1 } } }).push(registries!.open, `${path}-checked`, 'latest');
    checked = `${registries!.open}/${path}-checked:latest`;
    for (const i of [image, checked]) expect(box.run(['pull', '-q', '--tls-verify=false', i]).code).toBe(0);
  });
  afterAll(() => box.destroy());

  it('runs a passing and a failing check by hand: exit 0 and 1, ps and inspect show healthy and unhealthy after the retries', () => {
    const good = box.run(['run', '-d', '--name', 'good', '--network', 'none', '--health-cmd', 'echo fine', image, 'sleep', '1000']);
    expect(good.code).toBe(0);
    // Nothing runs timers here: one line says so, and how to check by hand.
    expect(good.stderr).toBe('Warning: the healthcheck of good is not scheduled: there is no systemd user session here; run it with "tpod healthcheck run good"\n');
    const bad = box.run(['run', '-d', '--name', 'bad', '--network', 'none', '--health-cmd', '["CMD","/bin/sh","-c","echo broken; exit 3"]', '--health-retries', '2', image, 'sleep', '1000']);
    expect(bad.code).toBe(0);
    expect(status('good')).toMatch(/^Up .* \(starting\)$/);
    expect(inspect('good').State.Health).toEqual({ Status: 'starting', FailingStreak: 0, Log: [] });

    const passed = box.run(['healthcheck', 'run', 'good']);
    expect(passed).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(status('good')).toMatch(/^Up .* \(healthy\)$/);

    const failed = box.run(['healthcheck', 'run', 'bad']);
    expect(failed).toMatchObject({ code: 1, stdout: 'unhealthy\n' });
    // One failure of two allowed: still starting.
    expect(status('bad')).toMatch(/\(starting\)$/);
    expect(box.run(['healthcheck', 'run', 'bad']).code).toBe(1);
    expect(status('bad')).toMatch(/^Up .* \(unhealthy\)$/);

    const health = inspect('bad').State.Health;
    expect(health.Status).toBe('unhealthy');
    expect(health.FailingStreak).toBe(2);
    expect(health.Log).toHaveLength(2);
    expect(health.Log[1]).toMatchObject({ ExitCode: 1, Output: 'broken\n' });
    expect(Date.parse(health.Log[1].End)).toBeGreaterThanOrEqual(Date.parse(health.Log[1].Start));
    expect(inspect('good').State.Health.Log[0]).toMatchObject({ ExitCode: 0, Output: 'fine\n' });
    expect(inspect('good').Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'echo fine'], Interval: 30 * S, Timeout: 30 * S, Retries: 3 });
    box.run(['rm', '-f', 'good', 'bad']);
  });

  it('kills a check at its timeout and counts it as failed', () => {
    box.run(['run', '-d', '--name', 'slow', '--network', 'none', '--health-cmd', 'sleep 30', '--health-timeout', '1s', '--health-retries', '1', image, 'sleep', '1000']);
    const began = Date.now();
    expect(box.run(['healthcheck', 'run', 'slow']).code).toBe(1);
    expect(Date.now() - began).toBeLessThan(10_000);
    const health = inspect('slow').State.Health;
    expect(health.Status).toBe('unhealthy');
    expect(health.Log[0]).toMatchObject({ ExitCode: -1, Output: 'healthcheck command exceeded timeout of 1s' });
    // The check's sleep is gone, not left in the container.
    const sleeping = 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " < $f; echo; done | grep -c "^sleep 3[0]"';
    expect(box.run(['exec', 'slow', 'sh', '-c', sleeping]).stdout).toBe('0\n');
    box.run(['rm', '-f', 'slow']);
  });

  it('runs the image\'s check unless --no-healthcheck', () => {
    box.run(['run', '-d', '--name', 'img', '--network', 'none', '--health-interval', 'disable', checked, 'sleep', '1000']);
    expect(inspect('img').Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'test -f /tmp/ok'], Timeout: 30 * S, Retries: 1 });
    expect(box.run(['healthcheck', 'run', 'img']).code).toBe(1);
    expect(status('img')).toMatch(/\(unhealthy\)$/);
    box.run(['exec', 'img', 'touch', '/tmp/ok']);
    expect(box.run(['healthcheck', 'run', 'img']).code).toBe(0);
    expect(status('img')).toMatch(/\(healthy\)$/);

    const none = box.run(['run', '-d', '--name', 'none', '--network', 'none', '--no-healthcheck', checked, 'sleep', '1000']);
    expect(none.stderr).toBe('');
    expect(status('none')).toMatch(/^Up [^(]*$/);
    expect(inspect('none').State.Health).toBeUndefined();
    expect(box.run(['healthcheck', 'run', 'none'])).toMatchObject({ code: 125, stderr: `Error: container ${inspect('none').Id} has no defined healthcheck\n` });
    box.run(['rm', '-f', 'img', 'none']);
  });

  it('refuses a container that is not running, and bad flags, in one line with 125', () => {
    const id = box.run(['create', '--name', 'idle', '--network', 'none', '--health-cmd', 'true', image, 'sleep', '1000']).stdout.trim();
    expect(box.run(['healthcheck', 'run', 'idle'])).toMatchObject({ code: 125, stderr: `Error: container ${id} is not running\n` });
    box.run(['rm', 'idle']);
    const both = box.run(['run', '--rm', '--network', 'none', '--health-cmd', 'true', '--no-healthcheck', image, 'true']);
    expect(both).toMatchObject({ code: 125, stderr: 'Error: cannot specify both --no-healthcheck and --health-cmd\n' });
    const interval = box.run(['run', '--rm', '--network', 'none', '--health-cmd', 'true', '--health-interval', '3x', image, 'true']);
    expect(interval.code).toBe(125);
    expect(interval.stderr.split('\n')).toHaveLength(2);
    const noCheck = box.run(['create', '--network', 'none', '--health-on-failure', 'kill', image, 'true']);
    expect(noCheck).toMatchObject({ code: 125, stderr: 'Error: cannot set on-failure action to kill without a health check\n' });
    const bogus = box.run(['create', '--network', 'none', '--health-cmd', 'true', '--health-on-failure', 'bogus', image, 'true']);
    expect(bogus).toMatchObject({ code: 125, stderr: 'Error: invalid on-failure action "bogus" for health check: supported actions are none,kill,restart,stop\n' });
  });

  it('acts on --health-on-failure once a check leaves the container unhealthy: none, kill, stop, or restart', async () => {
    // A container that ends at once on SIGTERM, whose check fails once /tmp/bad exists.
    const start = (action: string) =>
      box.run(['run', '-d', '--name', `on-${action}`, '--network', 'none', '--health-cmd', 'test ! -e /tmp/bad', '--health-retries', '1', '--health-interval', 'disable', '--health-on-failure', action, image, 'sh', '-c', 'trap "exit 0" TERM; sleep 1000 & wait']);
    const actions = ['none', 'kill', 'stop', 'restart'];
    for (const action of actions) {
      expect(start(action).code).toBe(0);
      expect(box.run(['healthcheck', 'run', `on-${action}`]).code).toBe(0);
      box.run(['exec', `on-${action}`, 'sh', '-c', '>/tmp/bad']);
      expect(box.run(['healthcheck', 'run', `on-${action}`]), action).toMatchObject({ code: 1, stdout: 'unhealthy\n' });
    }
    const state = (name: string) => box.run(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}} {{.Config.HealthcheckOnFailureAction}}', name]).stdout.trim();
    expect(state('on-none')).toBe('running 0 0 none');
    expect(status('on-none')).toMatch(/\(unhealthy\)$/);
    expect(state('on-kill')).toBe('exited 137 0 kill');
    expect(state('on-stop')).toBe('exited 0 0 stop');
    // Stopped, then started again by conmon's exit command, with its health to be found out anew.
    let restarted = '';
    for (let i = 0; i < 100 && restarted !== 'running 0 1 restart'; i++) {
      await new Promise((done) => setTimeout(done, 100));
      restarted = state('on-restart');
    }
    expect(restarted).toBe('running 0 1 restart');
    expect(status('on-restart')).toMatch(/\(starting\)$/);
    box.run(['rm', '-f', ...actions.map((a) => `on-${a}`)]);
  });
});
