/** The commands a user meets first, run for real through the launcher. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, pauseProcesses, runAsync, whyNotRunnable } from './helpers.js';

const skip = whyNotRunnable();

describe.skipIf(skip)(`the tpod command${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  beforeAll(() => {
    box = new Sandbox();
  });
  afterAll(() => box.destroy());

  it('prints its version, plainly and through --format', () => {
    const plain = box.run(['version']);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^Version: +\d+\.\d+\.\d+\nNode Version: +v\d+\.\d+\.\d+\nOS\/Arch: +linux\/\w+\n$/);
    expect(box.run(['version', '--format', '{{.Client.Version}}']).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(JSON.parse(box.run(['version', '--format', 'json']).stdout).Client.NodeVersion).toBe(process.version);
  });

  it('tells in info what it found here and what it will use', () => {
    const r = box.run(['info', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.host.rootless).toBe(true);
    expect(info.host.idMappings.uidmap[0]).toEqual({ container_id: 0, host_id: process.getuid!(), size: 1 });
    expect(info.host.pauseProcess).toBe(box.pausePid());
    expect(['overlay', 'fuse-overlayfs', 'vfs']).toContain(info.store.graphDriverName);
    expect(info.store.graphDriverReason).not.toBe('');
    expect(info.store.graphRoot).toBe(join(box.env.XDG_DATA_HOME!, 'tpod'));
    expect(info.store.runRoot).toBe(box.runtimeDir);
    expect(['crun', 'runc']).toContain(info.host.ociRuntime.name);
    expect(info.host.ociRuntime.works).toBe(true);
    for (const program of [info.host.conmon, info.host.network.pasta, info.host.network.slirp4netns]) expect(program.path).toMatch(/^\//);
    // Whatever cannot work here is listed with its fix, and matches the facts above.
    if (info.host.cgroupVersion !== 'v2') expect(info.problems.join('\n')).toMatch(/resource limits .* cannot work: cgroups are v1/);
    if (info.host.runtimes.some((rt: { works: boolean; path?: string }) => rt.path && !rt.works)) {
      expect(info.problems.join('\n')).toMatch(new RegExp(`is used instead`));
    }
  });

  it('prints info as YAML-like text by default and takes a Go template', () => {
    const text = box.run(['info']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^host:\n  arch: \w+\n/);
    expect(text.stdout).toMatch(/\nstore:\n  graphDriverName: /);
    expect(box.run(['info', '--format', '{{.Host.Rootless}} {{.Store.GraphRoot}}']).stdout).toBe(`true ${join(box.env.XDG_DATA_HOME!, 'tpod')}\n`);
  });

  it('shows help for tpod and for a command, the same both ways', () => {
    const top = box.run(['--help']);
    expect(top.code).toBe(0);
    for (const cmd of ['info', 'system', 'unshare', 'version']) expect(top.stdout).toMatch(new RegExp(`^  tpod ${cmd}`, 'm'));
    expect(top.stdout).not.toContain('__complete');
    const viaHelp = box.run(['help', 'system', 'migrate']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toContain('End the pause process');
    expect(viaHelp.stdout).toBe(box.run(['system', 'migrate', '--help']).stdout);
  });

  it('ends quietly, as SIGPIPE ends podman, when the reader of its output has gone', async () => {
    // ps -a is answered by the quick path; with --log-level, by the main one.
    for (const args of [['images', '--format', 'json'], ['ps', '-a'], ['--log-level', 'warn', 'ps', '-a'], ['version', '--format', 'json']]) {
      const child = box.start(args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.destroy();
      const r = await runAsync(child);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(141);
    }
  });

  it('answers bad input with one line on stderr and exit code 125', () => {
    const cases = [
      [['bogus'], /^Error: unknown argument: bogus: see 'tpod --help'\n$/],
      [['info', '--nope'], /^Error: unknown argument: nope: see 'tpod --help'\n$/],
      [['info', '--format', '{{.Host.Nope}}'], /^Error: template: can't evaluate field Nope in \.Host\.Nope\n$/],
      [['--log-level', 'loud', 'version'], /^Error: invalid values:.*loud.*\n$/],
      [['help', 'nosuch'], /^Error: unknown command "nosuch": see 'tpod --help'\n$/],
      [['system'], /^Error: system needs a subcommand: see 'tpod --help'\n$/],
      [['unshare', 'no-such-command-here'], /^Error: no-such-command-here: command not found\n$/],
    ] as const;
    for (const [args, message] of cases) {
      const r = box.run(args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(args[0] === 'unshare' ? 127 : 125);
      expect(r.stdout).toBe('');
    }
  });

  it('system reset asks first, keeps everything on no, and removes storage, state and the pause process on yes', () => {
    // A file owned by a subordinate id, as image layers have.
    const seed = box.run(['unshare', 'sh', '-c', 'mkdir -p "$CONTAINERS_GRAPHROOT/layers" && touch "$CONTAINERS_GRAPHROOT/layers/f" && chown 1000:1000 "$CONTAINERS_GRAPHROOT/layers/f"']);
    expect(seed.code, seed.stderr).toBe(0);
    const storage = join(box.env.XDG_DATA_HOME!, 'tpod');

    const no = box.run(['system', 'reset'], { input: 'n\n' });
    expect(no.code).toBe(0);
    expect(no.stdout).toContain(`the storage directory: "${storage}"`);
    expect(no.stdout).toMatch(/Are you sure you want to continue\? \[y\/N\] $/);
    expect(existsSync(join(storage, 'layers/f'))).toBe(true);

    const pause = box.pausePid();
    const yes = box.run(['system', 'reset'], { input: 'y\n' });
    expect(yes.code, yes.stderr).toBe(0);
    expect(existsSync(storage)).toBe(false);
    expect(pauseProcesses().map((p) => p.pid)).not.toContain(pause);
    expect(box.run(['unshare', 'true']).code).toBe(0);

    box.run(['unshare', 'mkdir', '-p', join(storage, 'again')]);
    const forced = box.run(['system', 'reset', '--force']);
    expect(forced.stdout).toBe('');
    expect(existsSync(storage)).toBe(false);
  });
});
