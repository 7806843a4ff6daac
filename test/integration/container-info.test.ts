/**
 * What tpod tells about real containers: inspect (container, image, both),
 * port, top, rename and container prune, checked against the containers'
 * own processes and ports.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, whyNotRunnable } from './helpers.js';
import { freePort, readWhenServed, whyNoNetwork } from './net-helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing') ?? (existsSync('/usr/bin/conmon') ? undefined : 'conmon is missing: apt-get install conmon');
const noPasta = whyNoNetwork('pasta');

describe.skipIf(skip)(`container information${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const hostDir = mkdtempSync(join(tmpdir(), 'tpod-info-'));
  const inspect = (...args: string[]) => box.run(['inspect', ...args]);
  const names = () => box.run(['ps', '-a', '--format', '{{.Names}}']).stdout.split('\n').filter(Boolean).sort();

  beforeAll(async () => {
    box = new Sandbox();
    const path = `tpod-test/info-${process.pid}`;
    await buildImage([busyboxLayer()], { config: { Cmd: ['sh'], Labels: { from: 'image' }, StopSignal: 'SIGUSR1' } }).push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
  });
  afterAll(() => {
    box.destroy();
    rmSync(hostDir, { recursive: true, force: true });
  });

  it("inspects a running container with podman's field names, by name or id prefix", () => {
    const id = box.run(['run', '-d', '--name', 'busy', '--network', 'none', '-l', 'role=test', '-v', `${hostDir}:/host:ro`, '-v', 'infovol:/data', image, 'sleep', '1000']).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const r = inspect('busy');
    expect(r.stderr).toBe('');
    const [c] = JSON.parse(r.stdout);
    expect(c.Id).toBe(id);
    expect(c.Name).toBe('busy');
    expect([c.Path, c.Args]).toEqual(['sleep', ['1000']]);
    expect(c.State).toMatchObject({ Status: 'running', Running: true, ExitCode: 0 });
    // The container's process, as /proc has it.
    expect(readFileSync(`/proc/${c.State.Pid}/cmdline`, 'utf8')).toBe('sleep\x001000\x00');
    expect(c.ImageName).toBe(image);
    expect(c.Config).toMatchObject({ Cmd: ['sleep', '1000'], Image: image, Labels: { from: 'image', role: 'test' }, StopSignal: 10, Hostname: id.slice(0, 12) });
    expect(c.Config.Env).toContain(`HOSTNAME=${id.slice(0, 12)}`);
    expect(c.Mounts).toEqual([
      { Type: 'bind', Source: hostDir, Destination: '/host', Driver: '', Mode: '', Options: ['rbind'], RW: false, Propagation: 'rprivate' },
      expect.objectContaining({ Type: 'volume', Name: 'infovol', Destination: '/data', Driver: 'local', RW: true }),
    ]);
    expect(existsSync(c.Mounts[1].Source)).toBe(true);
    expect(c.HostConfig).toMatchObject({ NetworkMode: 'none', AutoRemove: false });

    expect(box.run(['container', 'inspect', '--format', '{{.State.Status}} {{.Name}} {{json .Config.Cmd}}', id.slice(0, 8)]).stdout).toBe('running busy ["sleep","1000"]\n');
    expect(inspect('--format', '{{.State.Pid}}', 'busy').stdout).toBe(`${c.State.Pid}\n`);
  });

  it('inspects containers first, then images; prints what it found before an error for what it did not', () => {
    const both = inspect('--format', '{{.Id}}', 'busy', image, 'nosuch');
    expect(both.code).toBe(125);
    const [container, img] = both.stdout.split('\n');
    expect(container).toMatch(/^[0-9a-f]{64}$/);
    expect(img).toBe(box.run(['image', 'inspect', '--format', '{{.Id}}', image]).stdout.trim());
    expect(both.stderr).toBe('Error: no such object: "nosuch"\n');
    // --type narrows the search: a container is no image.
    const asImage = inspect('--type', 'image', 'busy');
    expect(asImage.code).toBe(125);
    expect(asImage.stdout).toBe('[]\n');
    expect(box.run(['container', 'inspect', image]).code).toBe(125);
    expect(JSON.parse(inspect('--type', 'volume', 'infovol').stdout)[0].Name).toBe('infovol');
  });

  it("lists a running container's processes with podman's columns, pids as the container sees them", () => {
    box.run(['run', '-d', '--name', 'procs', '--network', 'none', '--user', 'app', image, 'sh', '-c', 'sleep 1000 & wait']);
    const lines = box.run(['top', 'procs']).stdout.split('\n').filter(Boolean);
    expect(lines[0]!.split(/\s+/)).toEqual(['USER', 'PID', 'PPID', '%CPU', 'ELAPSED', 'TTY', 'TIME', 'COMMAND']);
    const rows = lines.slice(1).map((l) => l.split(/\s+/));
    expect(rows).toHaveLength(2);
    expect(rows[0]!.slice(0, 3)).toEqual(['app', '1', '0']);
    expect(rows[0]!.slice(5)).toEqual(['?', '0s', 'sh', '-c', 'sleep', '1000', '&', 'wait']);
    expect(rows[1]!.slice(0, 3)).toEqual(['app', rows[1]![1], '1']);
    expect(rows[1]!.slice(-2)).toEqual(['sleep', '1000']);
    expect(rows[0]![4]).toMatch(/^\d+(\.\d+)?(ms|s)$/);
    expect(box.run(['top', 'procs', 'pid,comm']).stdout).toMatch(/^PID +COMMAND\n1 +sh\n\d+ +sleep\n$/);
    const bad = box.run(['top', 'procs', 'bogus']);
    expect([bad.code, bad.stderr]).toEqual([125, expect.stringMatching(/^Error: unknown descriptor: bogus/)]);
  });

  it.skipIf(noPasta)(`lists published ports as podman does${noPasta ? ` (skipped: ${noPasta})` : ''}`, async () => {
    const [web, dns] = [await freePort(), await freePort()];
    const id = box.run(['run', '-d', '--name', 'web', '-p', `${web}:80`, '-p', `127.0.0.1:${dns}:53/udp`, image, 'sh', '-c', 'while :; do echo hi | busybox nc -l -p 80; done']).stdout.trim();
    expect(await readWhenServed('127.0.0.1', web)).toBe('hi\n');
    expect(box.run(['port', 'web']).stdout).toBe(`80/tcp -> 0.0.0.0:${web}\n53/udp -> 127.0.0.1:${dns}\n`);
    expect(box.run(['port', 'web', '80']).stdout).toBe(`0.0.0.0:${web}\n`);
    expect(box.run(['port', 'web', '53/udp']).stdout).toBe(`127.0.0.1:${dns}\n`);
    const missing = box.run(['port', 'web', '53']);
    expect([missing.code, missing.stderr]).toEqual([125, 'Error: failed to find published port "53"\n']);
    expect(box.run(['port', '--all']).stdout).toContain(`${id.slice(0, 12)}\t80/tcp -> 0.0.0.0:${web}\n`);
    const [c] = JSON.parse(inspect('web').stdout);
    expect(c.NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '', HostPort: String(web) }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: String(dns) }] });
    box.run(['rm', '-f', 'web']);
  });

  it('renames a container, running or not, to a free and valid name', () => {
    expect(box.run(['create', '--name', 'old', image, 'true']).code).toBe(0);
    expect(box.run(['rename', 'old', 'new']).code).toBe(0);
    expect(box.run(['rename', 'busy', 'busier']).code).toBe(0);
    expect(names()).toEqual(['busier', 'new', 'procs']);
    const taken = box.run(['rename', 'new', 'busier']);
    expect([taken.code, taken.stderr]).toEqual([125, expect.stringContaining('"busier" is already in use')]);
    const invalid = box.run(['rename', 'new', 'bad/name']);
    expect([invalid.code, invalid.stderr]).toEqual([125, expect.stringContaining('names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*')]);
    expect(box.run(['rename', 'nosuch', 'x']).code).toBe(125);
    expect(box.run(['container', 'inspect', '--format', '{{.Name}}', 'busier']).stdout).toBe('busier\n');
  });

  it('shows how an exited container ended; top and port refuse or say nothing for it', () => {
    expect(box.run(['run', '--name', 'ended', '--network', 'none', image, 'sh', '-c', 'exit 3']).code).toBe(3);
    const [c] = JSON.parse(inspect('ended').stdout);
    expect(c.State).toMatchObject({ Status: 'exited', Running: false, Pid: 0, ExitCode: 3 });
    expect(Date.parse(c.State.FinishedAt)).toBeGreaterThanOrEqual(Date.parse(c.State.StartedAt));
    const top = box.run(['top', 'ended']);
    expect([top.code, top.stderr]).toEqual([125, 'Error: top can only be used on running containers\n']);
    expect(box.run(['port', 'ended'])).toMatchObject({ code: 0, stdout: '' });
  });

  it('prunes every container that is not running, after asking', () => {
    const idOf = (name: string) => box.run(['container', 'inspect', '--format', '{{.Id}}', name]).stdout.trim();
    const doomed = [idOf('new'), idOf('ended')].sort();
    const declined = box.run(['container', 'prune'], { input: 'n\n' });
    expect(declined.stdout).toBe('WARNING! This will remove all non running containers.\nAre you sure you want to continue? [y/N] ');
    expect(names()).toEqual(['busier', 'ended', 'new', 'procs']);
    const pruned = box.run(['container', 'prune'], { input: 'y\n' });
    expect(pruned.code).toBe(0);
    // The ids follow the question on its line, as podman's do when the answer comes from a pipe.
    const ids = pruned.stdout.replace(/^WARNING!.*\nAre you sure you want to continue\? \[y\/N\] /, '');
    expect(ids.split('\n').filter(Boolean).sort()).toEqual(doomed);
    expect(names()).toEqual(['busier', 'procs']);
    expect(box.run(['container', 'prune', '-f'])).toMatchObject({ code: 0, stdout: '' });
    box.run(['rm', '-f', 'busier', 'procs']);
  });
});
