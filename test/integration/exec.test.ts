/**
 * tpod exec with the real runtime: exit codes (the command's, 126, 127, 125),
 * environment, user, working directory, input, -d, signals, terminals (a
 * real one through tmux), into detached, attached and keep-id containers,
 * and a stopped container refused.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, runAsync, whyNoFuse, whyNotRunnable } from './helpers.js';
import { TmuxSession, noTmux } from './tmux-session.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');

const noFuse = whyNoFuse();

const NOT_RUNNING = 'Error: can only create exec sessions on running containers: container state improper\n';

describe.skipIf(skip)(`tpod exec${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const tmux: TmuxSession[] = [];

  beforeAll(async () => {
    box = new Sandbox();
    const built = buildImage([busyboxLayer()], { config: { Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'FROMIMAGE=1'], WorkingDir: '/' } });
    const path = `tpod-test/exec-${process.pid}`;
    await built.push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    const pulled = box.run(['pull', '-q', '--tls-verify=false', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const started = box.run(['run', '-d', '--name', 'box', '--network', 'none', '-e', 'FROMRUN=yes', image, 'sleep', '600']);
    expect(started.code, started.stderr).toBe(0);
  });
  afterAll(() => {
    for (const session of tmux) session.killServer();
    box.destroy();
  });

  /** What exec leaves behind: nothing of its own in tpod's run directory, no console socket. */
  const leftovers = () => {
    const execDir = join(box.runtimeDir, 'exec');
    const sockets = readdirSync(join(box.runtimeDir, 'runc')).filter((f) => f.endsWith('.tty'));
    return [...(existsSync(execDir) ? readdirSync(execDir) : []), ...sockets];
  };

  it('exits with the command\'s code, 126 when it cannot run, 127 when it is not found, each error in one line', () => {
    expect(box.run(['exec', 'box', 'true'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(box.run(['exec', 'box', 'sh', '-c', 'echo out; echo err >&2; exit 3'])).toMatchObject({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(box.run(['exec', 'box', 'sh', '-c', 'kill -9 $$']).code).toBe(137);
    expect(box.run(['exec', 'box', '/etc/passwd'])).toMatchObject({ code: 126, stdout: '', stderr: 'Error: /etc/passwd: permission denied\n' });
    const missing = box.run(['exec', 'box', 'nosuch']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toBe('Error: nosuch: executable file not found in $PATH: no such file or directory\n');
    expect(box.run(['exec', 'box'])).toMatchObject({ code: 125, stderr: 'Error: must provide a non-empty command to start an exec session\n' });
    expect(box.run(['exec', 'nothere', 'true'])).toMatchObject({ code: 125, stderr: 'Error: no container with name or ID "nothere" found: no such container\n' });
    expect(leftovers()).toEqual([]);
  });

  it('has the container\'s environment, then --env-file and -e, VAR alone from the caller\'s', () => {
    const file = join(box.dir, 'exec.env');
    writeFileSync(file, '# a comment\nFROMFILE=1\nA=file\n');
    const r = box.run(['exec', '-e', 'A=flag', '-e', 'MINE', '-e', 'ABSENT', '--env-file', file, 'box', 'env'], { env: { MINE: 'caller', OTHER: 'not passed' } });
    expect(r.stderr).toBe('');
    const env = r.stdout.split('\n').filter(Boolean).sort();
    expect(env).toEqual(expect.arrayContaining(['A=flag', 'FROMFILE=1', 'FROMIMAGE=1', 'FROMRUN=yes', 'HOME=/root', 'MINE=caller', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'container=tpod']));
    expect(env.some((e) => /^(ABSENT|OTHER|TERM)=/.test(e))).toBe(false);
  });

  it('runs as -u\'s user, by uid or name, with its groups and home; -w is its working directory', () => {
    const script = 'id; echo $HOME; pwd';
    expect(box.run(['exec', '-u', '1000', 'box', 'sh', '-c', script])).toMatchObject({ code: 0, stdout: 'uid=1000(app) gid=1000(app) groups=1000(app)\n/home/app\n/\n', stderr: '' });
    expect(box.run(['exec', '-u', 'nobody', '-w', '/tmp', 'box', 'sh', '-c', script]).stdout).toBe('uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n/nonexistent\n/tmp\n');
    expect(box.run(['exec', '-u', '1000:0', 'box', 'id']).stdout).toBe('uid=1000(app) gid=0(root) groups=0(root)\n');
    // What the container's root can do, another user cannot: its capabilities are not the exec's.
    expect(box.run(['exec', '-u', '1000', 'box', 'sh', '-c', 'grep CapEff /proc/self/status']).stdout).toBe('CapEff:\t0000000000000000\n');
    expect(box.run(['exec', '-u', 'nosuch', 'box', 'id'])).toMatchObject({ code: 125, stderr: 'Error: unable to find user nosuch: no matching entries in passwd file\n' });
    expect(box.run(['exec', '-w', '/nonexistent', 'box', 'true'])).toMatchObject({ code: 127, stderr: 'Error: working directory "/nonexistent" does not exist in the container\n' });
  });

  it('gives the command our input only with -i', () => {
    expect(box.run(['exec', '-i', 'box', 'cat'], { input: 'hello\n' })).toMatchObject({ code: 0, stdout: 'hello\n' });
    expect(box.run(['exec', 'box', 'cat'], { input: 'for nobody\n' })).toMatchObject({ code: 0, stdout: '' });
  });

  it('-d returns at once, printing nothing, and leaves the command running', () => {
    const started = Date.now();
    expect(box.run(['exec', '-d', 'box', 'sleep', '321'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(box.run(['exec', 'box', 'ps']).stdout).toMatch(/ sleep 321\n/);
    expect(box.run(['exec', '-d', 'box', 'nosuch']).code).toBe(127);
    expect(box.run(['exec', '-dt', 'box', 'true']).code).toBe(125);
    expect(leftovers()).toEqual([]);
  });

  it('passes the signals tpod gets on to the command', async () => {
    const child = box.start(['exec', 'box', 'sh', '-c', 'trap "exit 9" TERM; echo ready; while :; do sleep 0.1; done']);
    const done = runAsync(child);
    await new Promise((ok) => child.stdout!.once('data', ok));
    child.kill('SIGTERM');
    expect((await done).code).toBe(9);
  });

  it('joins a container run attached by another tpod', async () => {
    const child = box.start(['run', '--name', 'att', '--network', 'none', image, 'sh', '-c', 'echo up; exec sleep 61']);
    const done = runAsync(child);
    await new Promise((ok) => child.stdout!.once('data', ok));
    expect(box.run(['exec', 'att', 'sh', '-c', 'cat /proc/1/cmdline; echo; exit 5'])).toMatchObject({ code: 5, stdout: 'sleep\x0061\x00\n' });
    expect(box.run(['rm', '-f', 'att']).code).toBe(0);
    expect((await done).code).toBe(137);
  });

  it('-t gives a terminal without one of ours, as run -t does; -it warns as podman does and passes our input', () => {
    const t = box.run(['exec', '-t', 'box', 'sh', '-c', 'tty; echo $TERM']);
    expect(t).toMatchObject({ code: 0, stderr: '' });
    expect(t.stdout).toMatch(/^\/dev\/pts\/\d+\r\nxterm\r\n$/);
    const r = box.run(['exec', '-it', 'box', 'sh', '-c', 'cat; exit 4'], { input: 'hello\n' });
    expect(r.stderr).toBe('Warning: The input device is not a TTY. The --tty and --interactive flags might not work properly\n');
    expect(r.stdout).toContain('hello\r\n');
    expect(r.code).toBe(4);
    expect(leftovers()).toEqual([]);
  });

  it.skipIf(noTmux)(`-it: a shell in a real terminal, sized as ours from the start and resized with it, ^C for it, its exit code${noTmux ? ` (skipped: ${noTmux})` : ''}`, async () => {
    const t = new TmuxSession(box, 'it');
    tmux.push(t);
    t.start(['exec', '-it', 'box', 'sh'], 100, 30);
    await t.waitFor(/^\/ #/m);
    await t.expectSizeFollowed(100, 30);
    t.keys('sleep 100', 'Enter');
    await t.waitFor(/sleep 100$/m);
    t.keys('C-c');
    t.keys('echo alive-$((40+2))', 'Enter');
    await t.waitFor(/^alive-42$/m);
    t.keys('exit 6', 'Enter');
    expect(await t.exitCode()).toBe(6);
    const { before, after } = t.settings();
    expect(after).toBe(before);
    expect(leftovers()).toEqual([]);
  });

  it.skipIf(noFuse)(`into a keep-id container: its user, the caller, by name from its /etc/passwd${noFuse ? ` (skipped: ${noFuse})` : ''}`, () => {
    const me = userInfo();
    expect(box.run(['run', '-d', '--name', 'kid', '--userns=keep-id', '--network', 'none', image, 'sleep', '600']).code).toBe(0);
    expect(box.run(['exec', 'kid', 'id', '-u']).stdout).toBe(`${me.uid}\n`);
    expect(box.run(['exec', '-u', me.username, 'kid', 'id', '-un']).stdout).toBe(`${me.username}\n`);
    expect(box.run(['exec', '-u', '0', 'kid', 'id', '-u']).stdout).toBe('0\n');
    expect(box.run(['rm', '-f', 'kid']).code).toBe(0);
    // runc joins the container's user namespace first, and then may not join tpod's network namespace.
    expect(box.run(['run', '-d', '--name', 'kidnet', '--userns=keep-id', image, 'sleep', '600']).code).toBe(0);
    const refused = box.run(['exec', 'kidnet', 'true']);
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/^Error: runc cannot exec in a --userns=keep-id container on a (pasta|slirp4netns) network: .*: give such a container --network none to exec in it\n$/);
    expect(box.run(['rm', '-f', 'kidnet']).code).toBe(0);
  });

  it('refuses a container that is not running, in one line', async () => {
    expect(box.run(['create', '--name', 'idle', image, 'true']).code).toBe(0);
    expect(box.run(['exec', 'idle', 'true'])).toMatchObject({ code: 125, stdout: '', stderr: NOT_RUNNING });
    expect(box.run(['stop', '-t', '0', 'box']).code).toBe(0);
    expect(box.run(['exec', 'box', 'true'])).toMatchObject({ code: 125, stdout: '', stderr: NOT_RUNNING });
  });
});
