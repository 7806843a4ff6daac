/**
 * tpod attach to a container running detached under conmon: its output and
 * our input through conmon's attach socket, its exit code; with a terminal,
 * driven through tmux, the detach keys leave it running.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, runAsync, whyNotRunnable } from './helpers.js';
import { TmuxSession, noTmux } from './tmux-session.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing') ?? (existsSync('/usr/bin/conmon') ? undefined : 'conmon is missing: apt-get install conmon');

describe.skipIf(skip)(`tpod attach${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const sessions: TmuxSession[] = [];
  const status = (name: string) => box.run(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}']).stdout.trim();

  beforeAll(async () => {
    box = new Sandbox();
    const path = `tpod-test/attach-${process.pid}`;
    await buildImage([busyboxLayer()], { config: { Cmd: ['/bin/sh'], Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] } }).push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
  });
  afterAll(() => {
    for (const s of sessions) s.killServer();
    box.destroy();
  });

  it('passes our input to a container created with -i, its output to us, and exits with its exit code', async () => {
    box.run(['run', '-d', '-i', '--name', 'echoer', '--network', 'none', image, 'sh', '-c', 'while read l; do echo got $l; [ $l = quit ] && exit 6; echo err >&2; done']);
    const child = box.start(['attach', 'echoer'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const done = runAsync(child);
    child.stdin!.write('hello\n');
    await new Promise((ok) => setTimeout(ok, 300));
    child.stdin!.end('quit\n');
    const r = await done;
    expect(r.stdout).toBe('got hello\ngot quit\n');
    expect(r.stderr).toBe('err\n');
    expect(r.code).toBe(6);
    expect(status('echoer')).toMatch(/^Exited \(6\) /);
  });

  it('passes the signals it gets to a container without a terminal, unless --sig-proxy=false', async () => {
    box.run(['run', '-d', '--name', 'trapper', '--network', 'none', image, 'sh', '-c', 'trap "echo got USR1" USR1; trap "echo got TERM; exit 7" TERM; while :; do sleep 0.1; done']);
    const child = box.start(['attach', 'trapper'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = runAsync(child);
    await new Promise((ok) => setTimeout(ok, 500));
    child.kill('SIGUSR1');
    await new Promise((ok) => setTimeout(ok, 500));
    child.kill('SIGTERM');
    const r = await done;
    expect(r.stdout).toBe('got USR1\ngot TERM\n');
    expect(r.code).toBe(7);
    box.run(['run', '-d', '--name', 'unproxied', '--network', 'none', image, 'sh', '-c', 'trap "echo got TERM; exit 7" TERM; while :; do sleep 0.1; done']);
    const plain = box.start(['attach', '--sig-proxy=false', 'unproxied'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ended = runAsync(plain);
    await new Promise((ok) => setTimeout(ok, 500));
    plain.kill('SIGTERM');
    expect((await ended).stdout).toBe('');
    expect(status('unproxied')).toMatch(/^Up /);
    box.run(['rm', '-f', 'trapper', 'unproxied']);
  });

  it('refuses a container that is not running, or runs attached to its tpod, in one line', async () => {
    box.run(['create', '--name', 'idle', image]);
    const stopped = box.run(['attach', 'idle']);
    expect(stopped.code).toBe(125);
    expect(stopped.stderr).toBe('Error: you can only attach to running containers: container state improper\n');
    const attachedRun = box.start(['run', '--name', 'foreground', '--network', 'none', image, 'sleep', '30']);
    for (let i = 0; i < 50 && !status('foreground').startsWith('Up'); i++) await new Promise((ok) => setTimeout(ok, 100));
    const refused = box.run(['attach', 'foreground']);
    expect(refused.code).toBe(125);
    expect(refused.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    attachedRun.kill('SIGKILL');
    box.run(['rm', '-f', 'foreground', 'idle']);
  });

  it.skipIf(noTmux)(`gives a terminal container our terminal, and detaches on ctrl-p ctrl-q, leaving it running${noTmux ? ` (skipped: ${noTmux})` : ''}`, async () => {
    box.run(['run', '-d', '-it', '--name', 'shell', '--network', 'none', image]);
    const tmux = new TmuxSession(box, 'attach');
    sessions.push(tmux);
    tmux.start(['attach', 'shell'], 90, 25);
    tmux.keys('stty size', 'Enter');
    await tmux.waitFor(/^25 90$/m);
    tmux.keys('C-p', 'C-q');
    expect(await tmux.exitCode()).toBe(0);
    expect(status('shell')).toMatch(/^Up /);
    // Attached again, the same shell: exit ends it, and attach with its code.
    const again = new TmuxSession(box, 'again');
    sessions.push(again);
    again.start(['attach', 'shell'], 90, 25);
    again.keys('exit 9', 'Enter');
    expect(await again.exitCode()).toBe(9);
    expect(status('shell')).toMatch(/^Exited \(9\) /);
  });
});
