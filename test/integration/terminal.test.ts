/**
 * tpod run -t: a real terminal session driven through tmux (prompt, window
 * size, resizes, ^C, exit code, our terminal given back as it was), and -t
 * and -i without one.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, whyNotRunnable } from './helpers.js';
import { TmuxSession, noTmux } from './tmux-session.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');

const WARNING = 'Warning: The input device is not a TTY. The --tty and --interactive flags might not work properly\n';

describe.skipIf(skip)(`tpod run -t${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const tmux: TmuxSession[] = [];

  /** What the runtime keeps of containers (and console sockets): nothing once a run is over. */
  const runtimeLeftovers = () =>
    ['runc', 'crun'].flatMap((name) => {
      const dir = join(box.runtimeDir, name);
      return existsSync(dir) ? readdirSync(dir) : [];
    });

  beforeAll(async () => {
    box = new Sandbox();
    const built = buildImage([busyboxLayer()], { config: { Cmd: ['/bin/sh'], Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], WorkingDir: '/' } });
    const path = `tpod-test/terminal-${process.pid}`;
    await built.push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    const pulled = box.run(['pull', '-q', '--tls-verify=false', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
  });
  afterAll(() => {
    for (const session of tmux) session.killServer();
    box.destroy();
  });

  const session = (name: string) => {
    const s = new TmuxSession(box, name);
    tmux.push(s);
    return s;
  };

  it.skipIf(noTmux)(`-it: a shell with a prompt, the window's size and its changes, ^C for the container, its exit code${noTmux ? ` (skipped: ${noTmux})` : ''}`, async () => {
    const t = session('it');
    t.start(['run', '--rm', '-it', image, 'sh'], 100, 30);
    await t.waitFor(/^\/ #$/m);

    await t.expectSizeFollowed(100, 30);

    // In raw mode ^C is a byte for the container's terminal: it interrupts sleep, not tpod.
    t.keys('sleep 100', 'Enter');
    await t.waitFor(/sleep 100$/m);
    const before = Date.now();
    t.keys('C-c');
    await t.waitFor(/^\^C$/m);
    t.keys('echo alive-$((20+22))', 'Enter');
    await t.waitFor(/^alive-42$/m);
    expect(Date.now() - before).toBeLessThan(10_000);

    t.keys('exit 3', 'Enter');
    expect(await t.exitCode()).toBe(3);
    const { before: saved, after } = t.settings();
    expect(after).toBe(saved);
    expect(runtimeLeftovers()).toEqual([]);
  });

  it.skipIf(noTmux)(`-t without -i: a terminal, but what we type stays ours and ^C is a signal passed on${noTmux ? ` (skipped: ${noTmux})` : ''}`, async () => {
    const t = session('t');
    t.start(['run', '--rm', '-t', image, 'sh', '-c', 'trap "echo got-INT; exit 7" INT; stty size; read line; echo read:$line'], 90, 25);
    await t.waitFor(/^25 90/m);
    t.keys('typed', 'Enter');
    t.keys('C-c');
    await t.waitFor(/got-INT/);
    expect(await t.exitCode()).toBe(7);
    expect(t.screen()).not.toContain('read:typed');
    const { before, after } = t.settings();
    expect(after).toBe(before);
  });

  it('-it without a terminal: podman\'s warning, then a terminal all the same; our input ends as ^D would', () => {
    const r = box.run(['run', '--rm', '-it', image, 'sh', '-c', 'tty; cat; exit 4'], { input: 'hello\n' });
    expect(r.stderr).toBe(WARNING);
    expect(r.stdout).toContain('/dev/pts/0\r\n');
    expect(r.stdout).toContain('hello\r\n');
    expect(r.code).toBe(4);
    expect(runtimeLeftovers()).toEqual([]);
  });

  it('-t without -i and without a terminal: no warning (as podman), a terminal for the container', () => {
    const r = box.run(['run', '--rm', '-t', image, 'sh', '-c', 'tty; echo done'], { input: 'not for the container\n' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('/dev/pts/0\r\ndone\r\n');
    expect(r.code).toBe(0);
  });

  it('without -i the container reads an empty input, whatever ours holds', () => {
    const started = Date.now();
    const r = box.run(['run', '--rm', image, 'cat'], { input: 'data for nobody\n' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
