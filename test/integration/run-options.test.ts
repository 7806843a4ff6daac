/**
 * The rest of tpod run's options, each checked from inside a real container
 * as a user would check it: host name, /etc/hosts, entrypoint, environment,
 * capabilities, no-new-privileges, seccomp, --privileged, --init, labels,
 * pull policies and the runtime; and failures that leave nothing behind.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing');

/** The capability bits set in a /proc/PID/status mask line such as CapEff. */
function capabilityBits(status: string, field: string): bigint {
  const hex = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(status)?.[1];
  if (!hex) throw new Error(`no ${field} in ${status}`);
  return BigInt(`0x${hex}`);
}

const CAP_CHOWN = 1n << 0n;
const CAP_NET_RAW = 1n << 13n;
const CAP_SYS_ADMIN = 1n << 21n;

describe.skipIf(skip)(`tpod run options${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const field = (status: string, name: string) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(status)?.[1];

  beforeAll(async () => {
    box = new Sandbox();
    const path = `tpod-test/options-${process.pid}`;
    await buildImage([busyboxLayer()], { config: { Entrypoint: ['/bin/echo', 'entry'], Cmd: ['default'] } }).push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
  });
  afterAll(() => box.destroy());

  it('runs the image\'s entrypoint with its command or ours, and --entrypoint replaces it', () => {
    expect(box.run(['run', '--rm', image]).stdout).toBe('entry default\n');
    expect(box.run(['run', '--rm', image, 'mine']).stdout).toBe('entry mine\n');
    expect(box.run(['run', '--rm', '--entrypoint', '/bin/sh', image, '-c', 'echo replaced']).stdout).toBe('replaced\n');
    // As with podman, a new entrypoint drops the image's command too.
    expect(box.run(['run', '--rm', '--entrypoint', '["/bin/echo","json"]', image]).stdout).toBe('json\n');
  });

  it('names the host and adds hosts as asked, and gives our whole environment with --env-host', () => {
    const r = box.run(
      ['run', '--rm', '--network', 'none', '--hostname', 'box1', '--add-host', 'db.local:10.1.2.3', '--env-host', '--entrypoint', '/bin/sh', image, '-c', 'hostname; cat /etc/hostname; grep db.local /etc/hosts; echo $FROM_CALLER'],
      { env: { FROM_CALLER: 'caller-value' } },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^box1\nbox1\n10\.1\.2\.3\s+db\.local\ncaller-value\n$/);
  });

  it('gives podman\'s default capabilities, with --cap-add and --cap-drop on top, and all with --privileged', () => {
    const status = (...flags: string[]) => box.run(['run', '--rm', '--network', 'none', ...flags, '--entrypoint', '/bin/cat', image, '/proc/self/status']).stdout;
    const plain = capabilityBits(status(), 'CapEff');
    expect(plain & CAP_CHOWN).toBe(CAP_CHOWN);
    expect(plain & CAP_NET_RAW).toBe(0n);
    expect(plain & CAP_SYS_ADMIN).toBe(0n);
    const changed = capabilityBits(status('--cap-add', 'NET_RAW', '--cap-drop', 'CHOWN'), 'CapEff');
    expect(changed & CAP_NET_RAW).toBe(CAP_NET_RAW);
    expect(changed & CAP_CHOWN).toBe(0n);
    const privileged = status('--privileged');
    expect(capabilityBits(privileged, 'CapEff') & CAP_SYS_ADMIN).toBe(CAP_SYS_ADMIN);
    expect(field(privileged, 'Seccomp')).toBe('0');
  });

  it('filters system calls with seccomp by default, not with seccomp=unconfined, and honours no-new-privileges', () => {
    const status = (...flags: string[]) => box.run(['run', '--rm', '--network', 'none', ...flags, '--entrypoint', '/bin/cat', image, '/proc/self/status']).stdout;
    const plain = status();
    expect(field(plain, 'Seccomp')).toBe('2');
    expect(field(plain, 'NoNewPrivs')).toBe('0');
    expect(field(status('--security-opt', 'seccomp=unconfined'), 'Seccomp')).toBe('0');
    expect(field(status('--security-opt', 'no-new-privileges'), 'NoNewPrivs')).toBe('1');
    const bad = box.run(['run', '--rm', '--security-opt', 'label=disable', image]);
    expect(bad.code).toBe(125);
    expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('runs catatonit as PID 1 with --init, which reaps and passes the exit code on', () => {
    const r = box.run(['run', '--rm', '--network', 'none', '--init', '--entrypoint', '/bin/sh', image, '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; exit 5']);
    expect(r.stdout).toBe('/run/tpod-init -- /bin/sh -c tr "\\0" " " < /proc/1/cmdline; echo; exit 5 \n');
    expect(r.code).toBe(5);
  });

  it('sets --ulimit, --sysctl and --shm-size inside the container, and refuses what cannot be set in one line', () => {
    const script = 'echo $(ulimit -Sn) $(ulimit -Hn) $(ulimit -c); cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni; grep " /dev/shm " /proc/mounts | grep -o "size=[0-9a-z]*"';
    const r = box.run(['run', '--rm', '--network', 'none', '--ulimit', 'nofile=100:200', '--ulimit', 'core=0', '--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'kernel.shmmni=1000', '--shm-size', '32m', '--entrypoint', '/bin/sh', image, '-c', script]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('100 200 0\n1\n1000\nsize=32768k\n');
    // Without them: podman's 64 MiB /dev/shm, and the host's forwarding setting is not the container's.
    expect(box.run(['run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', image, '-c', 'grep " /dev/shm " /proc/mounts | grep -o "size=[0-9a-z]*"']).stdout).toBe('size=65536k\n');
    for (const [args, message] of [
      [['--sysctl', 'kernel.panic=1'], "Error: sysctl 'kernel.panic' is not allowed\n"],
      [['--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1'], "Error: sysctl 'net.ipv4.ip_forward' is not allowed in the hosts network namespace\n"],
      [['--ulimit', 'nofile=2:1'], 'Error: ulimit soft limit must be less than or equal to hard limit: 2 > 1\n'],
      [['--shm-size', 'lots'], 'Error: invalid --shm-size "lots": expected a size such as 512m or 1g\n'],
    ] as const) {
      expect(box.run(['run', '--rm', ...args, image, 'true']), args.join(' ')).toMatchObject({ code: 125, stderr: message });
    }
    expect(box.run(['ps', '-a', '-q']).stdout).toBe('');
  });

  it('gives the process --group-add\'s groups, by name or gid, and refuses a group the image lacks', () => {
    const r = box.run(['run', '--rm', '--network', 'none', '--group-add', 'app', '--group-add', '4242', '--entrypoint', '/bin/sh', image, '-c', 'grep ^Groups: /proc/self/status']);
    expect(r).toMatchObject({ code: 0, stdout: 'Groups:\t1000 4242 \n' });
    const missing = box.run(['run', '--rm', '--network', 'none', '--group-add', 'nosuch', image, 'true']);
    expect(missing).toMatchObject({ code: 125, stderr: 'Error: unable to find group nosuch: no matching entries in group file\n' });
  });

  it('gives the container the time zone --tz names, or ours with local, and refuses a zone the host lacks', () => {
    const zone = (tz: string) => box.run(['run', '--rm', '--network', 'none', '--tz', tz, '--entrypoint', '/bin/sh', image, '-c', 'wc -c < /etc/localtime; date +%Z']);
    // The zone's abbreviation now (CET or CEST), as the host's own date gives it.
    const abbreviation = spawnSync('date', ['+%Z'], { env: { TZ: 'Europe/Paris' }, encoding: 'utf8' }).stdout;
    expect(zone('Europe/Paris')).toMatchObject({ code: 0, stdout: `${statSync('/usr/share/zoneinfo/Europe/Paris').size}\n${abbreviation}` });
    expect(zone('local').stdout.split('\n')[0]).toBe(String(statSync('/etc/localtime').size));
    for (const tz of ['Nowhere/City', '../../etc/passwd']) {
      expect(box.run(['create', '--tz', tz, image])).toMatchObject({ code: 125, stderr: `Error: finding timezone: unknown time zone ${tz}\n` });
    }
  });

  it('puts --annotation in the container\'s OCI spec, and leaves a --read-only root without its tmpfs with --read-only-tmpfs=false', () => {
    const id = box.run(['create', '--network', 'none', '--annotation', 'org.example.team=web', image]).stdout.trim();
    expect(box.run(['inspect', '--format', '{{json .Config.Annotations}}', id]).stdout).toBe('{"org.example.team":"web"}\n');
    box.run(['rm', id]);
    const writable = (extra: string[]) => box.run(['run', '--rm', '--network', 'none', '--read-only', ...extra, '--entrypoint', '/bin/sh', image, '-c', 'touch /tmp/x && echo yes || echo no']).stdout;
    expect(writable([])).toBe('yes\n');
    expect(writable(['--read-only-tmpfs=false'])).toMatch(/no\n$/);
  });

  it('keeps labels with the container', () => {
    expect(box.run(['create', '--name', 'labelled', '--label', 'app=web', '-l', 'tier', image]).code).toBe(0);
    expect(box.run(['ps', '-a', '--format', '{{.Names}} {{.Labels}}']).stdout).toBe('labelled map[app:web tier:]\n');
    expect(box.run(['rm', 'labelled']).code).toBe(0);
  });

  it('pulls as --pull says: never fails on a missing image, always asks the registry', () => {
    const missing = `${registries!.open}/tpod-test/not-pushed-${process.pid}:latest`;
    const never = box.run(['run', '--rm', '--pull', 'never', missing]);
    expect(never.code).toBe(125);
    expect(never.stderr).toBe(`Error: ${missing}: image not known\n`);
    const always = box.run(['run', '--rm', '--pull', 'always', '--tls-verify=false', image, 'again']);
    expect(always.code, always.stderr).toBe(0);
    expect(always.stdout).toBe('entry again\n');
    // The registry was asked: the progress of a pull (its manifest at least) is on stderr.
    expect(always.stderr).not.toBe('');
  });

  it('refuses a runtime that cannot work here in one line, and leaves nothing behind', () => {
    for (const runtime of ['nosuch', 'crun']) {
      const r = box.run(['run', '--rm', '--runtime', runtime, image]);
      expect(r.code).toBe(125);
      expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1);
    }
    expect(box.run(['ps', '-aq']).stdout).toBe('');
    expect(box.run(['unshare', 'cat', '/proc/self/mountinfo']).stdout).not.toContain('/containers/');
  });
});
