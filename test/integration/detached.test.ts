/**
 * Detached containers under the real conmon and runtime: run -d, logs
 * (followed across the container's output), stop of a container that ignores
 * SIGTERM, kill, wait, restart, --restart, --rm with no tpod running, and a
 * killed conmon. What conmon's exit command leaves behind is checked too.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, runAsync, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing') ?? (existsSync('/usr/bin/conmon') ? undefined : 'conmon is missing: apt-get install conmon');
const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

describe.skipIf(skip)(`detached containers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const containersDir = () => join(box.env.XDG_DATA_HOME!, 'tpod/containers');
  const mounts = () => box.run(['unshare', 'cat', '/proc/self/mountinfo']).stdout;
  const status = (name: string) => box.run(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}']).stdout.trim();

  /** Until CHECK holds (conmon's exit command runs on its own time), or 10 s. */
  async function eventually(check: () => boolean): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await sleep(50);
    expect(check()).toBe(true);
  }

  beforeAll(async () => {
    box = new Sandbox();
    const path = `tpod-test/detached-${process.pid}`;
    await buildImage([busyboxLayer()], { config: { Cmd: ['sh'], StopSignal: 'SIGUSR1' } }).push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
  });
  afterAll(() => box.destroy());

  it('runs a container in the background, prints its id, and finishes it with no tpod running', async () => {
    const r = box.run(['run', '-d', '--name', 'bg', '--network', 'none', image, 'sh', '-c', 'echo started; sleep 1; echo done >&2; exit 3']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const id = r.stdout.trim();
    expect(status('bg')).toMatch(/^Up /);
    // conmon's exit command (tpod container cleanup) records the end: no tpod of ours asks.
    await eventually(() => JSON.parse(readFileSync(join(containersDir(), id, 'container.json'), 'utf8')).state === 'exited');
    expect(status('bg')).toMatch(/^Exited \(3\) /);
    expect(mounts()).not.toContain(id);
    const logs = box.run(['logs', 'bg']);
    expect(logs.stdout).toBe('started\n');
    expect(logs.stderr).toBe('done\n');
    expect(box.run(['wait', 'bg']).stdout).toBe('3\n');
    // Started again: detached, its log goes on.
    expect(box.run(['start', 'bg']).stdout).toBe('bg\n');
    expect(box.run(['wait', 'bg']).stdout).toBe('3\n');
    expect(box.run(['logs', '--tail', '2', 'bg']).stdout).toBe('started\n');
    expect(box.run(['logs', 'bg']).stdout).toBe('started\nstarted\n');
    expect(box.run(['rm', 'bg']).code).toBe(0);
  });

  it('follows a log from before logs -f started until the container exits, with timestamps on asking', async () => {
    box.run(['run', '-d', '--name', 'talker', '--network', 'none', image, 'sh', '-c', 'echo one; sleep 1; echo two; sleep 0.5; echo three']);
    await sleep(300);
    const follow = runAsync(box.start(['logs', '-f', 'talker']));
    const r = await follow;
    expect(r.stdout).toBe('one\ntwo\nthree\n');
    expect(r.code).toBe(0);
    const stamped = box.run(['logs', '-t', 'talker']).stdout.split('\n').filter(Boolean);
    expect(stamped).toHaveLength(3);
    for (const line of stamped) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d (one|two|three)$/);
    expect(box.run(['logs', '--since', '1h', 'talker']).stdout).toBe('one\ntwo\nthree\n');
    expect(box.run(['logs', '--until', '1h', 'talker']).stdout).toBe('');
    box.run(['rm', 'talker']);
  });

  it('stops with the image\'s stop signal, then SIGKILL after -t; kill sends what -s says', async () => {
    // The image's StopSignal is SIGUSR1, which this container answers.
    box.run(['run', '-d', '--name', 'polite', '--network', 'none', image, 'sh', '-c', 'trap "echo usr1; exit 10" USR1; while :; do sleep 0.1; done']);
    expect(box.run(['stop', 'polite']).stdout).toBe('polite\n');
    expect(status('polite')).toMatch(/^Exited \(10\) /);
    expect(box.run(['logs', 'polite']).stdout).toBe('usr1\n');

    box.run(['run', '-d', '--name', 'stubborn', '--network', 'none', image, 'sh', '-c', 'trap "" USR1 TERM; while :; do sleep 0.1; done']);
    const started = Date.now();
    const stopped = box.run(['stop', '-t', '1', 'stubborn']);
    expect(stopped.stdout).toBe('stubborn\n');
    expect(stopped.stderr).toBe('Warning: StopSignal SIGUSR1 failed to stop container stubborn in 1 seconds, resorting to SIGKILL\n');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(status('stubborn')).toMatch(/^Exited \(137\) /);

    box.run(['run', '-d', '--name', 'hup', '--network', 'none', image, 'sh', '-c', 'trap "exit 4" HUP; while :; do sleep 0.1; done']);
    await sleep(200);
    expect(box.run(['kill', '-s', 'HUP', 'hup']).stdout).toBe('hup\n');
    expect(box.run(['wait', 'hup']).stdout).toBe('4\n');
    const notRunning = box.run(['kill', 'hup']);
    expect(notRunning.code).toBe(125);
    expect(notRunning.stderr).toMatch(/^Error: can only kill running containers\. [0-9a-f]{64} is in state exited: container state improper\n$/);
    expect(box.run(['rm', 'polite', 'stubborn', 'hup']).code).toBe(0);
  });

  it('stops with --stop-signal over the image\'s and after --stop-timeout, which inspect shows; rm -f -t stops before it removes', async () => {
    box.run(['run', '-d', '--name', 'own', '--network', 'none', '--stop-signal', 'usr2', '--stop-timeout', '1', image, 'sh', '-c', 'trap "echo usr2; exit 12" USR2; trap "" USR1 TERM; while :; do sleep 0.1; done']);
    expect(box.run(['inspect', '--format', '{{.Config.StopSignal}} {{.Config.StopTimeout}}', 'own']).stdout).toBe('12 1\n');
    await sleep(200);
    expect(box.run(['stop', 'own'])).toMatchObject({ code: 0, stderr: '' });
    expect(status('own')).toMatch(/^Exited \(12\) /);
    // Its own timeout when stop names none: SIGKILL after 1 s, not 10.
    box.run(['run', '-d', '--name', 'deaf', '--network', 'none', '--stop-timeout', '1', image, 'sh', '-c', 'trap "" USR1 TERM; while :; do sleep 0.1; done']);
    expect(box.run(['stop', 'deaf']).stderr).toBe('Warning: StopSignal SIGUSR1 failed to stop container deaf in 1 seconds, resorting to SIGKILL\n');
    expect(status('deaf')).toMatch(/^Exited \(137\) /);
    // rm -f -t: the stop signal first, which this container answers by writing where we can see it.
    const out = join(box.dir, 'out');
    mkdirSync(out);
    box.run(['run', '-d', '--name', 'tidy', '--network', 'none', '-v', `${out}:/out`, image, 'sh', '-c', 'trap "echo bye > /out/bye; exit 0" USR1; while :; do sleep 0.1; done']);
    await sleep(200);
    expect(box.run(['rm', '-f', '-t', '5', 'tidy'])).toMatchObject({ code: 0, stdout: 'tidy\n' });
    expect(readFileSync(join(out, 'bye'), 'utf8')).toBe('bye\n');
    expect(box.run(['ps', '-a', '-q', '--filter', 'name=tidy']).stdout).toBe('');
    expect(box.run(['create', '--stop-signal', 'BOGUS', image])).toMatchObject({ code: 125, stderr: 'Error: invalid signal: BOGUS\n' });
    box.run(['rm', 'own', 'deaf']);
  });

  it('restarts a container by hand and by its --restart policy, but not after the user stopped it', async () => {
    box.run(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', '--network', 'none', image, 'sh', '-c', 'echo try; exit 1']);
    await eventually(() => box.run(['logs', 'flaky']).stdout === 'try\ntry\ntry\n' && status('flaky').startsWith('Exited (1)'));
    await sleep(500);
    expect(box.run(['logs', 'flaky']).stdout).toBe('try\ntry\ntry\n');

    box.run(['run', '-d', '--name', 'always', '--restart', 'always', '--network', 'none', image, 'sh', '-c', 'echo up; sleep 0.3']);
    await eventually(() => box.run(['logs', 'always']).stdout.split('\n').length > 3);
    expect(box.run(['stop', 'always']).code).toBe(0);
    await sleep(800);
    expect(status('always')).toMatch(/^Exited /);

    const before = box.run(['logs', 'always']).stdout;
    expect(box.run(['restart', 'always']).stdout).toBe('always\n');
    expect(status('always')).toMatch(/^Up /);
    expect(box.run(['rm', '-f', 'flaky', 'always']).code).toBe(0);
    expect(before.length).toBeGreaterThan(0);
    const refused = box.run(['run', '--rm', '--restart', 'always', image, 'true']);
    expect(refused.code).toBe(125);
  });

  it('waits with --condition for a state or a health, printing -1 unless it is the exit', async () => {
    box.run(['create', '--name', 'cond', '--network', 'none', '--health-cmd', 'test -e /ok', '--health-interval', 'disable', image, 'sh', '-c', 'sleep 1000 & wait']);
    expect(box.run(['wait', '--condition', 'configured', 'cond'])).toMatchObject({ code: 0, stdout: '-1\n' });
    const running = box.runAsync(['wait', '--condition', 'running', '--interval', '50ms', 'cond']);
    await sleep(300);
    box.run(['start', 'cond']);
    expect(await running).toMatchObject({ code: 0, stdout: '-1\n' });
    const healthy = box.runAsync(['wait', '--condition=healthy', '-i', '50', 'cond']);
    await sleep(300);
    expect(box.run(['healthcheck', 'run', 'cond']).code).toBe(1);
    box.run(['exec', 'cond', 'touch', '/ok']);
    expect(box.run(['healthcheck', 'run', 'cond']).code).toBe(0);
    expect(await healthy).toMatchObject({ code: 0, stdout: '-1\n' });
    // Either condition: the exit comes first, and its code is printed.
    const ended = box.runAsync(['wait', '--condition', 'paused,stopped', 'cond']);
    await sleep(300);
    box.run(['kill', 'cond']);
    expect(await ended).toMatchObject({ code: 0, stdout: '137\n' });
    expect(box.run(['wait', '--condition', 'bogus', 'cond'])).toMatchObject({ code: 125, stderr: 'Error: unknown container state: bogus: invalid argument\n' });
    box.run(['rm', 'cond']);
  });

  it('removes a --rm container when it exits, with no tpod running', async () => {
    const id = box.run(['run', '-d', '--rm', '--network', 'none', image, 'sh', '-c', 'sleep 0.5']).stdout.trim();
    expect(existsSync(join(containersDir(), id))).toBe(true);
    await eventually(() => !existsSync(join(containersDir(), id)));
    expect(mounts()).not.toContain(id);
  });

  it('lists a container whose conmon was killed as exited, cleaned up, and starts it again', async () => {
    const id = box.run(['run', '-d', '--name', 'orphan', image, 'sh', '-c', 'sleep 60']).stdout.trim();
    const conmon = Number(readFileSync(join(containersDir(), id, 'bundle', 'conmon.pid'), 'utf8'));
    process.kill(conmon, 'SIGKILL');
    await sleep(200);
    expect(status('orphan')).toMatch(/^Exited \(-1\) /);
    expect(mounts()).not.toContain(id);
    // Neither its sleep nor its pasta is left.
    const left = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && (() => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(id);
      } catch {
        return false;
      }
    })());
    expect(left).toEqual([]);
    expect(box.run(['start', 'orphan']).code).toBe(0);
    expect(status('orphan')).toMatch(/^Up /);
    expect(box.run(['rm', '-f', 'orphan']).code).toBe(0);
  });

  it('keeps running containers in reach after the pause process is killed: their mounts, stop and start', async () => {
    const id = box.run(['run', '-d', '--name', 'survivor', '-u', '1000', image, 'sleep', '300']).stdout.trim();
    expect(box.run(['create', '--name', 'waiting', image, 'true']).code).toBe(0);
    process.kill(box.pausePid()!, 'SIGKILL');
    await sleep(100);
    // The next tpod joins the namespaces through the container's conmon: its root is still mounted.
    expect(status('survivor')).toMatch(/^Up /);
    expect(status('waiting')).toBe('Created');
    expect(mounts()).toContain(id);
    // A process of a subordinate uid is signalled only from its own user namespace.
    expect(box.run(['stop', '-t', '1', 'survivor']).code).toBe(0);
    expect(status('survivor')).toMatch(/^Exited \(137\) /);
    expect(box.run(['start', 'survivor', 'waiting']).code).toBe(0);
    expect(status('survivor')).toMatch(/^Up /);
    expect(box.run(['rm', '-f', 'survivor', 'waiting']).code).toBe(0);
  });

  it('leaves a true status after tpod run -d is killed at any point of its start', async () => {
    for (const delay of [30, 80, 130, 180, 260, 400]) {
      const child = box.start(['run', '-d', '--name', `cut${delay}`, image, 'sleep', '300']);
      const exited = new Promise((ok) => child.once('exit', ok));
      await sleep(delay);
      // The later ones may have finished by then: the kill is then a no-op, as it should be.
      child.kill('SIGKILL');
      await exited;
    }
    await sleep(200);
    const rows = box.run(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.State}}']).stdout.split('\n').filter(Boolean);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const [id, state] = row.split(' ') as [string, string];
      // Running only while its process runs; anything else is finished: no mount left.
      if (state === 'running') {
        const { pid } = JSON.parse(readFileSync(join(containersDir(), id, 'container.json'), 'utf8')) as { pid?: number };
        expect(pid && existsSync(`/proc/${pid}`), row).toBeTruthy();
      } else {
        expect(mounts(), row).not.toContain(id);
      }
    }
    expect(box.run(['rm', '-af']).code).toBe(0);
    expect(mounts()).not.toContain('/containers/');
  });

  it('stops running containers, their conmon and their network helper on system reset', async () => {
    const other = new Sandbox();
    try {
      expect(other.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
      const id = other.run(['run', '-d', image, 'sleep', '300']).stdout.trim();
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      const reset = other.run(['system', 'reset', '--force']);
      expect(reset.code, reset.stderr).toBe(0);
      const left = () =>
        readdirSync('/proc').filter((p) => {
          try {
            return /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(id);
          } catch {
            return false;
          }
        });
      // pasta ends on its own time after SIGTERM.
      await eventually(() => left().length === 0);
    } finally {
      other.destroy();
    }
  });

  it('publishes ports for a detached container, and stops its pasta with it', async () => {
    const id = box.run(['run', '-d', '--name', 'web', '-p', '127.0.0.1::8080', image, 'sh', '-c', 'echo hi | busybox nc -l -p 8080']).stdout.trim();
    const ports = box.run(['ps', '--format', '{{.Ports}}']).stdout.trim();
    expect(ports).toMatch(/^127\.0\.0\.1:\d+->8080\/tcp$/);
    expect(box.run(['stop', '-t', '1', 'web']).code).toBe(0);
    expect(readdirSync(join(box.runtimeDir, 'netns')).filter((f) => f.startsWith(id))).toEqual([]);
    box.run(['rm', 'web']);
  });
});
