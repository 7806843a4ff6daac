/**
 * The launcher and the user namespace, as a user meets them: the maps, one
 * pause process however many calls race to create it, recovery when it dies
 * or its pid file lies, and following /etc/subuid.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, TPOD, expectedMap, mapLines, pauseProcesses, runAsync, whyNotRunnable } from './helpers.js';

const skip = whyNotRunnable();
const uid = process.getuid?.() ?? -1;
const gid = process.getgid?.() ?? -1;

describe.skipIf(skip)(`user namespace${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  beforeAll(() => {
    box = new Sandbox();
  });
  afterAll(() => box.destroy());

  it('maps our uid and gid to 0 and the subordinate ranges from 1', () => {
    const uids = box.run(['unshare', 'cat', '/proc/self/uid_map']);
    expect(uids.stderr).toBe('');
    expect(uids.code).toBe(0);
    expect(mapLines(uids.stdout)).toEqual(expectedMap('/etc/subuid', uid));
    expect(mapLines(uids.stdout).length).toBeGreaterThan(1);
    const gids = box.run(['unshare', 'cat', '/proc/self/gid_map']);
    expect(mapLines(gids.stdout)).toEqual(expectedMap('/etc/subgid', gid));
    expect(box.run(['unshare', 'id', '-u']).stdout.trim()).toBe('0');
  });

  it('shares one user and mount namespace between calls', () => {
    const a = box.run(['unshare', 'readlink', '/proc/self/ns/user', '/proc/self/ns/mnt']);
    const b = box.run(['unshare', 'readlink', '/proc/self/ns/user', '/proc/self/ns/mnt']);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).not.toContain(readlinkSync('/proc/self/ns/user'));
    // A mount made by one call is seen by the next: the mount namespace lives on.
    const mnt = box.run(['unshare', 'sh', '-c', 'mkdir -p "$CONTAINERS_RUNROOT/m" && mount -t tmpfs none "$CONTAINERS_RUNROOT/m"']);
    expect(mnt.code).toBe(0);
    expect(box.run(['unshare', 'sh', '-c', 'grep -c " $CONTAINERS_RUNROOT/m " /proc/self/mountinfo']).stdout.trim()).toBe('1');
    box.run(['unshare', 'sh', '-c', 'umount "$CONTAINERS_RUNROOT/m"']);
  });

  it('passes arguments, environment, stdin, the working directory and the exit status through', () => {
    const args = ['with space', "it's", '$HOME', '*', '', '--help', '1e3', '0x10', '007', '-5'];
    const r = box.run(['unshare', 'sh', '-c', 'printf "[%s]" "$@"; printf "%s|%s" "$FOO" "$(pwd)"; cat; exit 7', 'sh', ...args], {
      input: 'from stdin',
      env: { FOO: 'bar baz' },
    });
    expect(r.code).toBe(7);
    expect(r.stdout).toBe(`${args.map((a) => `[${a}]`).join('')}bar baz|${process.cwd()}from stdin`);
  });

  it('gives the command default signal dispositions, so pipelines end as they should', () => {
    // Node ignores SIGPIPE for itself; the command must not inherit that.
    const r = box.run(['unshare', 'sh', '-c', 'grep SigIgn /proc/self/status; yes | head -1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('SigIgn:\t0000000000000000\ny\n');
  });

  it('lets signals reach the command, which becomes the process tpod started', async () => {
    const child = box.start(['unshare', 'sh', '-c', 'echo ready; exec sleep 30']);
    const done = runAsync(child);
    await new Promise((ok) => child.stdout!.once('data', ok));
    // "ready" comes just before sh execs sleep: give the exec a moment.
    const comm = () => readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim();
    for (let i = 0; i < 100 && comm() !== 'sleep'; i++) await new Promise((ok) => setTimeout(ok, 20));
    expect(comm()).toBe('sleep');
    child.kill('SIGTERM');
    expect((await done).signal).toBe('SIGTERM');
  });

  it('starts exactly one pause process when ten first calls race', async () => {
    box.run(['system', 'migrate']);
    const before = pauseProcesses().length;
    const results = await Promise.all(Array.from({ length: 10 }, () => runAsync(box.start(['unshare', 'readlink', '/proc/self/ns/user']))));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(1);
    const mine = pauseProcesses().filter((p) => `${p.userns}\n` === results[0]!.stdout);
    expect(mine.map((p) => p.pid)).toEqual([box.pausePid()]);
    expect(pauseProcesses().length).toBe(before + 1);
  });

  it('rebuilds the namespace when the pause process is killed', () => {
    const old = box.pausePid()!;
    const oldNs = box.run(['unshare', 'readlink', '/proc/self/ns/user']).stdout;
    process.kill(old, 'SIGKILL');
    const r = box.run(['unshare', 'readlink', '/proc/self/ns/user']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toBe(oldNs);
    expect(box.pausePid()).not.toBe(old);
  });

  it('does not trust a pid file whose pid now names another process', () => {
    const sleeper = spawnSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const pid = Number(sleeper.stdout.trim());
    try {
      writeFileSync(join(box.runtimeDir, 'pause.pid'), `${pid} 12345\n`);
      const r = box.run(['unshare', 'cat', '/proc/self/uid_map']);
      expect(r.code, r.stderr).toBe(0);
      expect(mapLines(r.stdout)).toEqual(expectedMap('/etc/subuid', uid));
      expect(box.pausePid()).not.toBe(pid);
      expect(readFileSync(`/proc/${pid}/comm`, 'utf8').trim()).toBe('sleep');
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('ignores a pid file that others could have written', () => {
    const real = box.pausePid()!;
    const decoy = spawnSync('sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const pid = Number(decoy.stdout.trim());
    try {
      const start = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
      const file = join(box.runtimeDir, 'pause.pid');
      writeFileSync(file, `${pid} ${start}\n`);
      chmodSync(file, 0o666);
      const r = box.run(['unshare', 'readlink', '/proc/self/ns/user']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toBe(`${readlinkSync(`/proc/${pid}/ns/user`)}\n`);
      expect([real, pid]).not.toContain(box.pausePid());
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });

  it('system migrate ends the pause process and the next call starts a new one', () => {
    const old = box.pausePid()!;
    expect(box.run(['system', 'migrate']).code).toBe(0);
    expect(pauseProcesses().map((p) => p.pid)).not.toContain(old);
    expect(box.run(['unshare', 'true']).code).toBe(0);
    expect(box.pausePid()).not.toBe(old);
  });

  it('falls back to a private directory when XDG_RUNTIME_DIR is not ours, or not set', () => {
    for (const xdg of ['/tmp', '/', undefined]) {
      const r = box.run(['info', '--format', '{{.Store.RunRoot}}'], { env: { XDG_RUNTIME_DIR: xdg } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`/tmp/tpod-${uid}`);
    }
    box.run(['system', 'migrate'], { env: { XDG_RUNTIME_DIR: '/tmp' } });
  });

  it('names the fix when newuidmap is not setuid', () => {
    const fake = mkdtempSync(join(tmpdir(), 'tpod-path-'));
    for (const tool of ['newuidmap', 'newgidmap']) copyFileSync(`/usr/bin/${tool}`, join(fake, tool));
    for (const tool of ['newuidmap', 'newgidmap']) chmodSync(join(fake, tool), 0o755);
    box.run(['system', 'migrate']);
    const r = box.run(['unshare', 'true'], { env: { PATH: `${fake}:${process.env.PATH}` } });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`Error: ${fake}/newuidmap is neither setuid root nor has file capabilities: reinstall the uidmap package (sudo apt-get install --reinstall uidmap)\n`);
  });
});

const nosub = process.env.TPOD_TEST_NOSUB_USER;
const sudoWorks = nosub !== undefined && spawnSync('sudo', ['-n', '-u', nosub, 'true']).status === 0;
const noSubSkip = skip ?? (sudoWorks ? undefined : 'needs TPOD_TEST_NOSUB_USER and sudo to run as that user: run `npm test` as root to set both up');

describe.skipIf(noSubSkip)(`a user without subordinate ids${noSubSkip ? ` (skipped: ${noSubSkip})` : ''}`, () => {
  it('runs with only their own id mapped, and a warning that names the fix', () => {
    const asNosub = (...args: string[]) =>
      spawnSync('sudo', ['-n', '-H', '-u', nosub!, '--', TPOD, ...args], { encoding: 'utf8', cwd: '/' });
    const r = asNosub('unshare', 'cat', '/proc/self/uid_map', '/proc/self/setgroups');
    const id = spawnSync('id', ['-u', nosub!], { encoding: 'utf8' }).stdout.trim();
    expect(r.status, r.stderr).toBe(0);
    expect(mapLines(r.stdout)).toEqual([`0 ${id} 1`, 'deny']);
    expect(r.stderr).toBe(
      `Warning: no subordinate ids for ${nosub} in /etc/subuid and /etc/subgid: only your own id is mapped, and images with files of other owners will fail; fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${nosub}\n`,
    );
    asNosub('system', 'reset', '--force');
  });
});

const canEditSubids = !skip && spawnSync('sudo', ['-n', '/usr/local/libexec/tpod-test/subid-extra-range', 'remove']).status === 0;
const editSkip = skip ?? (canEditSubids ? undefined : 'needs sudo rights to /usr/local/libexec/tpod-test/subid-extra-range: run `npm test` as root to set them up');

describe.skipIf(editSkip)(`following /etc/subuid${editSkip ? ` (skipped: ${editSkip})` : ''}`, () => {
  const subid = (op: string) => spawnSync('sudo', ['-n', '/usr/local/libexec/tpod-test/subid-extra-range', op]);
  let box: Sandbox;
  beforeAll(() => {
    box = new Sandbox();
  });
  afterAll(() => {
    subid('remove');
    box.destroy();
  });

  it('rebuilds the namespace by itself when the ranges change', () => {
    expect(box.run(['unshare', 'true']).code).toBe(0);
    const old = box.pausePid();
    subid('add');
    const r = box.run(['unshare', 'cat', '/proc/self/uid_map']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(mapLines(r.stdout)).toEqual(expectedMap('/etc/subuid', uid));
    expect(mapLines(r.stdout).at(-1)).toMatch(/ 500000 1000$/);
    expect(box.pausePid()).not.toBe(old);
  });

  it('keeps the old namespace, and says so in one line, while something still runs in it', async () => {
    const shell = box.start(['unshare', 'sh', '-c', 'echo ready; exec sleep 30']);
    const done = runAsync(shell);
    await new Promise((ok) => shell.stdout!.once('data', ok));
    const old = box.pausePid();
    subid('remove');
    const r = box.run(['unshare', 'cat', '/proc/self/uid_map']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      'Warning: /etc/subuid or /etc/subgid changed, but 1 process (containers or `tpod unshare` shells) still uses the old mapping; stop it, then run `tpod system migrate`\n',
    );
    expect(box.pausePid()).toBe(old);
    shell.kill('SIGKILL');
    await done;
    const after = box.run(['unshare', 'cat', '/proc/self/uid_map']);
    expect(after.stderr).toBe('');
    expect(mapLines(after.stdout)).toEqual(expectedMap('/etc/subuid', uid));
  });
});
