/**
 * container inspect's report, compared field by field with what podman 4.3.1
 * prints for the same container (rootless, runc): run -d -p 8080:80
 * -p 127.0.0.1:9000-9001:90-91/udp -v /tmp:/host:ro -v vol1:/data -l a=b.
 */
import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../src/cli/output/template.js';
import type { ContainerConfig } from '../../src/engine/create.js';
import { type InspectInput, containerReport, publishedPorts, signalNumber } from '../../src/engine/inspect-container.js';
import type { OciSpec } from '../../src/spec/oci-types.js';
import type { ContainerPaths, ContainerRecord } from '../../src/storage/containers.js';

const ID = `10ee3f32a056${'d'.repeat(52)}`;
const DIR = `/data/tpod/containers/${ID}`;
const paths: ContainerPaths = {
  dir: DIR,
  bundle: `${DIR}/bundle`,
  rootfs: `${DIR}/bundle/rootfs`,
  upper: `${DIR}/upper`,
  work: `${DIR}/work`,
  etc: `${DIR}/etc`,
  log: `${DIR}/ctr.log`,
};

const config: ContainerConfig = {
  network: 'pasta',
  publish: [
    { hostIP: '', hostPort: 8080, containerPort: 80, range: 1, protocols: ['tcp'] },
    { hostIP: '127.0.0.1', hostPort: 9000, containerPort: 90, range: 2, protocols: ['udp'] },
  ],
  dns: [],
  addHosts: [],
  mounts: [
    { type: 'bind', source: '/tmp', destination: '/host', options: ['ro'] },
    { type: 'volume', name: 'vol1', destination: '/data', options: [], chown: false, copy: true, create: true },
    { type: 'volume', name: '', destination: '/anon', options: ['noexec'], chown: false, copy: true, create: true },
    { type: 'tmpfs', destination: '/scratch', options: ['size=1m', 'noexec'] },
  ],
  runtime: 'runc',
  interactive: false,
  options: { command: ['sleep', '1000'], env: ['PATH=/bin', 'FOO=bar'] },
};

const record: ContainerRecord = {
  id: ID,
  name: 'infoprobe',
  imageId: 'f'.repeat(64),
  imageName: 'localhost/bb:latest',
  command: ['sleep', '1000'],
  created: '2026-11-24T21:43:11.791Z',
  state: 'running',
  startedAt: '2026-11-24T21:43:11.885Z',
  labels: { a: 'b' },
  autoRemove: false,
  volumes: ['vol1', 'a'.repeat(64)],
  config,
  pid: 19932,
  monitor: { pid: 19922, startTime: 1 },
};

const spec = {
  hostname: '10ee3f32a056',
  process: { args: ['sleep', '1000'], env: ['PATH=/bin', 'FOO=bar', 'HOSTNAME=10ee3f32a056'], cwd: '/', capabilities: { bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'] } },
} as unknown as OciSpec;

const input: InspectInput = {
  record,
  paths,
  image: { Cmd: ['sh'], Labels: { from: 'image', a: 'image' }, StopSignal: 'SIGQUIT' },
  imageDigest: 'sha256:083b',
  lowerDirs: ['/layers/one/diff', '/layers/two/diff'],
  spec,
  pid: 19932,
  hostName: 'host',
  driver: 'overlay',
  runtime: 'runc',
  volumeData: (name) => `/data/tpod/volumes/${name}/_data`,
};

const report = (change: Partial<InspectInput> = {}) => containerReport({ ...input, ...change }) as Record<string, any>;

describe('containerReport', () => {
  it("gives a running container's state, process and image as podman does", () => {
    const r = report();
    expect(r.Id).toBe(ID);
    expect(r.Path).toBe('sleep');
    expect(r.Args).toEqual(['1000']);
    expect(r.State).toEqual({
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 19932,
      ConmonPid: 19922,
      ExitCode: 0,
      Error: '',
      StartedAt: '2026-11-24T21:43:11.885Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    });
    expect([r.Image, r.ImageDigest, r.ImageName, r.Name, r.RestartCount, r.Driver, r.OCIRuntime]).toEqual(['f'.repeat(64), 'sha256:083b', 'localhost/bb:latest', 'infoprobe', 0, 'overlay', 'runc']);
    expect(r.GraphDriver.Data.LowerDir).toBe('/layers/two/diff:/layers/one/diff');
    expect(r.HostsPath).toBe(`${DIR}/etc/hosts`);
    expect(r.EffectiveCaps).toEqual(['CAP_CHOWN']);
  });

  it('lists each published port on its own, ranges and protocols apart', () => {
    const ports = {
      '80/tcp': [{ HostIp: '', HostPort: '8080' }],
      '90/udp': [{ HostIp: '127.0.0.1', HostPort: '9000' }],
      '91/udp': [{ HostIp: '127.0.0.1', HostPort: '9001' }],
    };
    expect(report().NetworkSettings.Ports).toEqual(ports);
    expect(report().HostConfig.PortBindings).toEqual(ports);
    // The ports its start got, over those asked for (0: any free one).
    const got = { ...record, config: { ...config, publish: [{ hostIP: '', hostPort: 0, containerPort: 80, range: 1, protocols: ['tcp'] }] } } as ContainerRecord;
    expect(report({ record: got }).NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '', HostPort: '' }] });
    const started = { ...got, ports: [{ hostIP: '', hostPort: 41000, containerPort: 80, range: 1, protocols: ['tcp' as const] }] };
    expect(report({ record: started }).NetworkSettings.Ports).toEqual({ '80/tcp': [{ HostIp: '', HostPort: '41000' }] });
  });

  it('shows binds and volumes in Mounts and Binds as podman words them, an anonymous volume by the name its start gave it', () => {
    const r = report();
    expect(r.Mounts).toEqual([
      { Type: 'bind', Source: '/tmp', Destination: '/host', Driver: '', Mode: '', Options: ['rbind'], RW: false, Propagation: 'rprivate' },
      { Type: 'volume', Name: 'vol1', Source: '/data/tpod/volumes/vol1/_data', Destination: '/data', Driver: 'local', Mode: '', Options: ['nosuid', 'nodev', 'rbind'], RW: true, Propagation: 'rprivate' },
      {
        Type: 'volume',
        Name: 'a'.repeat(64),
        Source: `/data/tpod/volumes/${'a'.repeat(64)}/_data`,
        Destination: '/anon',
        Driver: 'local',
        Mode: '',
        Options: ['nosuid', 'nodev', 'noexec', 'rbind'],
        RW: true,
        Propagation: 'rprivate',
      },
    ]);
    // podman's field order, which its JSON keeps.
    expect(Object.keys(r.Mounts[1])).toEqual(['Type', 'Name', 'Source', 'Destination', 'Driver', 'Mode', 'Options', 'RW', 'Propagation']);
    expect(r.HostConfig.Binds).toEqual(['/tmp:/host:ro,rprivate,rbind', 'vol1:/data:rw,rprivate,nosuid,nodev,rbind', `${'a'.repeat(64)}:/anon:rw,rprivate,nosuid,nodev,noexec,rbind`]);
    expect(r.HostConfig.Tmpfs).toEqual({ '/scratch': 'size=1m,noexec' });
    // Before the first start, an anonymous volume has no name yet.
    expect(report({ record: { ...record, volumes: undefined } }).Mounts[2]).toMatchObject({ Name: '', Source: '' });
  });

  it("merges the container's labels over the image's and gives the stop signal as a number", () => {
    const r = report();
    expect(r.Config.Labels).toEqual({ from: 'image', a: 'b' });
    expect(r.Config.StopSignal).toBe(3);
    expect(r.Config.Cmd).toEqual(['sleep', '1000']);
    expect(r.Config.Entrypoint).toBe('');
    expect(r.Config.Env).toEqual(spec.process.env);
    expect(r.Config.Hostname).toBe('10ee3f32a056');
    expect(r.HostConfig.NetworkMode).toBe('pasta');
    expect(r.HostConfig.RestartPolicy).toEqual({ Name: '', MaximumRetryCount: 0 });
  });

  it('tells what a created container will run, before it has a spec', () => {
    const created: ContainerRecord = { ...record, state: 'created', startedAt: undefined, pid: undefined, monitor: undefined, config: { ...config, options: { entrypoint: ['/bin/true'] } } };
    const r = report({ record: created, spec: undefined, pid: 0 });
    expect(r.State).toMatchObject({ Status: 'created', Running: false, Pid: 0, ConmonPid: 0, StartedAt: '0001-01-01T00:00:00Z' });
    // podman repeats a lone program as its own arguments.
    expect([r.Path, r.Args]).toEqual(['/bin/true', ['/bin/true']]);
    // A given --entrypoint drops the image's Cmd.
    expect(r.Config.Cmd).toEqual([]);
    expect(r.Config.Entrypoint).toBe('/bin/true');
    expect(r.Config.Hostname).toBe('10ee3f32a056');
    expect(r.Config.Env).toEqual([]);
    const withImageCmd = report({ record: { ...created, config: { ...config, options: {} } }, spec: undefined });
    expect([withImageCmd.Path, withImageCmd.Args, withImageCmd.Config.Cmd]).toEqual(['sh', ['sh'], ['sh']]);
  });

  it('gives an exited container its exit code and end', () => {
    const exited: ContainerRecord = { ...record, state: 'exited', exitCode: 3, finishedAt: '2026-11-24T21:43:22Z', pid: undefined, monitor: undefined };
    expect(report({ record: exited, pid: 0 }).State).toMatchObject({ Status: 'exited', Running: false, Pid: 0, ExitCode: 3, FinishedAt: '2026-11-24T21:43:22Z' });
  });

  it('shows a healthcheck in Config.Healthcheck and State.Health, and neither without one', () => {
    expect(report().State.Health).toBeUndefined();
    expect(report().Config.Healthcheck).toBeUndefined();
    const healthcheck = { Test: ['CMD-SHELL', 'true'], Interval: 0, Timeout: 30e9, StartPeriod: 0, Retries: 3 };
    const health = { Status: 'healthy' as const, FailingStreak: 0, Log: [{ Start: 'a', End: 'b', ExitCode: 0, Output: '' }] };
    const checked = { ...record, config: { ...config, healthcheck }, health };
    expect(report({ record: checked }).State.Health).toEqual(health);
    expect(report({ record: checked }).Config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'true'], Timeout: 30e9, Retries: 3 });
    // Before its first start, podman's empty results.
    expect(report({ record: { ...checked, health: undefined } }).State.Health).toEqual({ Status: '', FailingStreak: 0, Log: null });
    // --no-healthcheck: the NONE test, and no health.
    const none = report({ record: { ...record, config: { ...config, healthcheck: { ...healthcheck, Test: ['NONE'] } } } });
    expect(none.Config.Healthcheck.Test).toEqual(['NONE']);
    expect(none.State.Health).toBeUndefined();
  });

  it('answers --format templates with podman field paths', () => {
    expect(renderTemplate('{{.State.Status}} {{.State.Pid}} {{.Config.Cmd}} {{json .HostConfig.Binds}}', report())).toBe(
      'running 19932 [sleep 1000] ["/tmp:/host:ro,rprivate,rbind","vol1:/data:rw,rprivate,nosuid,nodev,rbind","aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:/anon:rw,rprivate,nosuid,nodev,noexec,rbind"]',
    );
  });
});

describe('publishedPorts', () => {
  it('splits ranges and protocols, host port 0 while none is picked', () => {
    expect(publishedPorts([{ hostIP: '::1', hostPort: 0, containerPort: 53, range: 2, protocols: ['tcp', 'udp'] }])).toEqual([
      { key: '53/tcp', hostIP: '::1', hostPort: 0 },
      { key: '54/tcp', hostIP: '::1', hostPort: 0 },
      { key: '53/udp', hostIP: '::1', hostPort: 0 },
      { key: '54/udp', hostIP: '::1', hostPort: 0 },
    ]);
  });
});

describe('signalNumber', () => {
  it('reads names with or without SIG and numbers; SIGTERM otherwise', () => {
    expect([signalNumber('SIGQUIT'), signalNumber('usr1'), signalNumber('9'), signalNumber(undefined), signalNumber('NOSUCH')]).toEqual([3, 10, 9, 15, 15]);
  });
});
