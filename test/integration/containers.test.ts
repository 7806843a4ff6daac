/**
 * A container's life with the real runtime: create, start -a, ps, rm; stdin
 * only with -i; and what a tpod killed with SIGKILL leaves is cleaned up by
 * the next tpod that looks (runtime state, root mount, pasta, namespace).
 */
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, runAsync, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');

/** Without the helper, the test still shows the rest of the clean-up, with --network none. */
function userModeUsable(helper: string): boolean {
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    accessSync(`/usr/bin/${helper}`, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Our processes whose command line names this text. */
function processesNaming(text: string): string[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const cmd = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').join(' ');
        return cmd.includes(text) ? [cmd] : [];
      } catch {
        return [];
      }
    });
}

describe.skipIf(skip)(`containers${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const mounts = () => box.run(['unshare', 'cat', '/proc/self/mountinfo']).stdout;

  beforeAll(async () => {
    box = new Sandbox();
    const path = `tpod-test/containers-${process.pid}`;
    await buildImage([busyboxLayer()], { config: { Cmd: ['/bin/sh', '-c', 'echo started; exit 4'] } }).push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
  });
  afterAll(() => box.destroy());

  it('creates a container that starts later, attached, as often as asked, and lists it as podman does', () => {
    const created = box.run(['create', '--name', 'later', '-e', 'GREETING=hi', image, 'sh', '-c', 'echo $GREETING; exit 4']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const id = created.stdout.trim();

    const listed = box.run(['ps', '-a', '--format', '{{.ID}} {{.Names}} {{.Status}} {{.Command}}']);
    expect(listed.stdout).toBe(`${id.slice(0, 12)} later Created sh -c echo $GREETING; exit 4\n`);
    // Without -a only running containers.
    expect(box.run(['ps', '-q']).stdout).toBe('');

    for (let i = 0; i < 2; i++) {
      const started = box.run(['start', '-a', 'later']);
      expect(started.stdout).toBe('hi\n');
      expect(started.code).toBe(4);
    }
    expect(box.run(['ps', '-a', '--format', '{{.Names}} {{.Status}}']).stdout).toMatch(/^later Exited \(4\) (Less than a second|\d+ seconds?) ago\n$/);
    const table = box.run(['ps', '-a']).stdout.split('\n');
    expect(table[0]).toMatch(/^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    // A plain ps line is answered without yargs (src/quick.ts), any other through it: the same list, the same errors.
    const fields = ['--format', '{{.ID}} {{.Names}} {{.State}} {{.ExitCode}} {{.Command}}'];
    const plain = box.run(['ps', '-a', ...fields]);
    expect(box.run(['--log-level', 'warn', 'ps', '-a', ...fields])).toEqual(plain);
    expect(box.run(['container', 'ls', '--all', ...fields])).toEqual(plain);
    expect(box.run(['ps', '--filter', 'colour=red'])).toEqual({ code: 125, signal: null, stdout: '', stderr: 'Error: invalid filter "colour=red": tpod knows name=, id=, status=, label=, ancestor=\n' });

    // A container is named by its id prefix too; without -a it starts in the background.
    const detached = box.run(['start', id.slice(0, 8)]);
    expect(detached.stdout).toBe(`${id.slice(0, 8)}\n`);
    expect(detached.code).toBe(0);
    expect(box.run(['wait', 'later']).stdout).toBe('4\n');

    const removed = box.run(['rm', 'later']);
    expect(removed.stdout).toBe('later\n');
    expect(removed.code).toBe(0);
    expect(box.run(['ps', '-aq']).stdout).toBe('');
    const again = box.run(['rm', 'later']);
    expect(again.stderr).toBe('Error: no container with name or ID "later" found: no such container\n');
    expect(again.code).toBe(1);
  });

  it('logs what a container run attached wrote, as conmon logs a detached one', () => {
    const r = box.run(['run', '--name', 'chatty', '--network', 'none', image, 'sh', '-c', 'echo out; echo err >&2; printf partial']);
    expect(r.stdout).toBe('out\npartial');
    expect(r.stderr).toBe('err\n');
    const logs = box.run(['logs', 'chatty']);
    expect(logs.stdout).toBe('out\npartial');
    expect(logs.stderr).toBe('err\n');
    // Through the runtime's create and start (the default network), and with a terminal.
    expect(box.run(['run', '--name', 'viapasta', image, 'sh', '-c', 'echo through pasta']).stdout).toBe('through pasta\n');
    expect(box.run(['logs', 'viapasta']).stdout).toBe('through pasta\n');
    expect(box.run(['run', '-t', '--name', 'withtty', '--network', 'none', image, 'sh', '-c', 'echo on a terminal']).stdout).toBe('on a terminal\r\n');
    expect(box.run(['logs', 'withtty']).stdout).toBe('on a terminal\r\n');
    expect(box.run(['rm', 'chatty', 'viapasta', 'withtty']).code).toBe(0);
  });

  it('gives the container our standard input only with -i', () => {
    expect(box.run(['run', '--rm', '-i', image, 'cat'], { input: 'typed\n' }).stdout).toBe('typed\n');
    const without = box.run(['run', '--rm', image, 'cat'], { input: 'typed\n' });
    expect(without.stdout).toBe('');
    expect(without.code).toBe(0);
  });

  it('refuses to remove a running container without --force, and kills it with --force', async () => {
    const child = box.start(['run', '--name', 'busy', image, 'sh', '-c', 'echo up; sleep 60']);
    const done = runAsync(child);
    await new Promise((ok) => child.stdout!.once('data', ok));
    expect(box.run(['ps', '--format', '{{.Names}} {{.Status}}']).stdout).toMatch(/^busy Up (Less than a second|\d+ seconds?) ago\n$/);
    const refused = box.run(['rm', 'busy']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Error: cannot remove container [0-9a-f]{64} as it is running/);
    const forced = box.run(['rm', '-f', 'busy']);
    expect(forced.stderr).toBe('');
    expect(forced.stdout).toBe('busy\n');
    const r = await done;
    expect(r.code).toBe(137);
    expect(box.run(['ps', '-aq']).stdout).toBe('');
    expect(mounts()).not.toContain('/containers/');
  });

  it.each(['pasta', 'slirp4netns'])('cleans up after a tpod killed with SIGKILL: the container, its mount and its network helper (%s)', async (helper) => {
    const network = userModeUsable(helper) ? ['--network', helper] : ['--network', 'none'];
    const child = box.start(['run', '--name', `killed-${helper}`, ...network, image, 'sh', '-c', 'echo up; sleep 60']);
    const done = runAsync(child);
    await new Promise((ok) => child.stdout!.once('data', ok));
    const id = box.run(['ps', '-q', '--no-trunc']).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    child.kill('SIGKILL');
    // Not its output's end: the runtime and the container still hold the pipe.
    await new Promise((ok) => child.once('exit', ok));
    // The container's sleep outlived its tpod, under the runtime.
    const status = box.run(['ps', '-a', '--format', '{{.Names}} {{.Status}}']);
    expect(status.stdout).toBe(`killed-${helper} Exited (-1) Less than a second ago\n`);
    expect(mounts()).not.toContain(id);
    expect(processesNaming(id)).toEqual([]);
    expect(existsSync(join(box.runtimeDir, 'netns', id))).toBe(false);
    // The container was killed with it, which ends the output pipe.
    await done;
    expect(box.run(['rm', `killed-${helper}`]).code).toBe(0);
  });
});
