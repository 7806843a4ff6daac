/**
 * tpod run's user-mode network with the real pasta: the container reaching
 * servers this test runs on the host's loopback, published ports reached
 * from the host, DNS through pasta's forwarder, and a failed set-up that
 * leaves no pasta and no namespace behind.
 */
import { readdirSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, runAsync, whyNotRunnable } from './helpers.js';
import { freePort, listening, processesNaming, readWhenServed, sleep, whyNoNetwork } from './net-helpers.js';

const registries = inject('registries');

const skip = whyNotRunnable() ?? inject('registriesMissing') ?? whyNoNetwork('pasta');

describe.skipIf(skip)(`tpod run --network pasta${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const netnsDir = () => join(box.runtimeDir, 'netns');

  /** pasta processes of this sandbox, which name its namespace files. */
  const ourPastas = () => processesNaming(`${netnsDir()}/`);

  /** After each run: pasta ends on its own time after SIGTERM, so give it a moment. */
  async function expectNothingLeft() {
    for (let i = 0; i < 50 && ourPastas().length; i++) await sleep(20);
    expect(ourPastas()).toEqual([]);
    expect(readdirSync(netnsDir())).toEqual([]);
  }

  beforeAll(async () => {
    box = new Sandbox();
    const built = buildImage([busyboxLayer()], { config: { Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] } });
    const path = `tpod-test/network-${process.pid}`;
    await built.push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    const pulled = box.run(['pull', '-q', '--tls-verify=false', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
  });
  afterAll(() => box?.destroy());

  it('reaches a TCP server on the host\'s loopback as host.containers.internal', async () => {
    const server = createServer((socket) => socket.end('hello from the host\n'));
    const port = await listening(server);
    try {
      // nc's input stays open a while: pasta 2023-03 garbles a connection the container
      // half-closes before the host's side has answered (the answer repeats, no end).
      const nc = `sleep 1 | busybox timeout 10 busybox nc host.containers.internal ${port}`;
      const r = await box.runAsync(['run', '--rm', image, 'sh', '-c', `grep host.containers.internal /etc/hosts; ${nc}`]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\.\d+\thost\.containers\.internal\n/);
      expect(r.stdout).toMatch(/\nhello from the host\n$/);
      expect(r.code).toBe(0);
    } finally {
      server.close();
    }
    await expectNothingLeft();
  });

  it('sends and receives UDP to and from the host\'s loopback', async () => {
    // A TFTP server that knows one answer: busybox's tftp is the UDP client at hand.
    const server = createSocket('udp4');
    server.on('message', (msg, peer) => {
      if (msg.readUInt16BE(0) === 1) server.send(Buffer.concat([Buffer.from([0, 3, 0, 1]), Buffer.from('udp says hi\n')]), peer.port, peer.address);
    });
    const port = await new Promise<number>((ok) => server.bind(0, '127.0.0.1', () => ok(server.address().port)));
    try {
      const r = await box.runAsync(['run', '--rm', image, 'busybox', 'tftp', '-g', '-r', 'greeting', '-l', '-', 'host.containers.internal', String(port)]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('udp says hi\n');
      expect(r.code).toBe(0);
    } finally {
      server.close();
    }
  });

  it('publishes a container port on the host', async () => {
    // Reached at 127.0.0.1: pasta 2023-03 drops what the host sends from its own external
    // address (the container has the same one); other machines reach that address.
    const port = await freePort();
    const child = box.start(['run', '--rm', '-p', `${port}:8080`, image, 'sh', '-c', 'echo reply | busybox timeout 20 busybox nc -l -p 8080 && echo served']);
    const done = runAsync(child);
    expect(await readWhenServed('127.0.0.1', port)).toBe('reply\n');
    const r = await done;
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('served\n');
    expect(r.code).toBe(0);
    await expectNothingLeft();
  });

  it('publishes every port the image exposes with -P, each on a free host port that ps shows', async () => {
    const exposing = buildImage([busyboxLayer()], { config: { Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], ExposedPorts: { '8080/tcp': {}, '9090/udp': {} } } });
    const path = `tpod-test/exposing-${process.pid}`;
    await exposing.push(registries!.open, path, 'latest');
    const child = box.start(['run', '--rm', '--name', 'exposing', '-P', '--tls-verify=false', `${registries!.open}/${path}:latest`, 'sh', '-c', 'echo reply | busybox timeout 20 busybox nc -l -p 8080']);
    const done = runAsync(child);
    // Until the container has started, ps can only say which ports will be published.
    const published = /^0\.0\.0\.0:(\d+)->8080\/tcp, 0\.0\.0\.0:(\d+)->9090\/udp$/;
    let ports = '';
    for (let i = 0; i < 100 && !published.test(ports); i++, await sleep(50)) ports = box.run(['ps', '--format', '{{.Ports}}']).stdout.trim();
    const tcp = published.exec(ports);
    expect(tcp, ports).not.toBeNull();
    expect(await readWhenServed('127.0.0.1', Number(tcp![1]))).toBe('reply\n');
    expect((await done).code).toBe(0);
    await expectNothingLeft();
  });

  it('adds the ports --expose names to those -P publishes, and refuses a port that cannot be', () => {
    expect(box.run(['create', '--name', 'exposed', '-P', '--expose', '7070', '--expose', '7100-7101/udp', image, 'true']).code).toBe(0);
    const bindings = JSON.parse(box.run(['inspect', '--format', '{{json .HostConfig.PortBindings}}', 'exposed']).stdout) as Record<string, unknown>;
    expect(Object.keys(bindings).sort()).toEqual(['7070/tcp', '7100/udp', '7101/udp']);
    expect(box.run(['create', '--expose', '70000', image])).toMatchObject({ code: 125, stderr: 'Error: invalid --expose "70000": a port or a range, such as 8080 or 8000-8010/udp\n' });
    box.run(['rm', 'exposed']);
  });

  it('points resolv.conf at pasta\'s DNS forwarder, or at --dns, with --dns-search and --dns-option in place of the host\'s', () => {
    const r = box.run(['run', '--rm', image, 'cat', '/etc/resolv.conf']);
    expect(r.stdout.match(/^nameserver .*$/gm)).toEqual(['nameserver 169.254.1.1']);
    const given = box.run(['run', '--rm', '--dns', '192.0.2.53', image, 'cat', '/etc/resolv.conf']);
    expect(given.stdout.match(/^nameserver .*$/gm)).toEqual(['nameserver 192.0.2.53']);
    const chosen = box.run(['run', '--rm', '--dns-search', 'a.test', '--dns-search', 'b.test', '--dns-option', 'ndots:2', image, 'cat', '/etc/resolv.conf']);
    expect(chosen.stdout.match(/^(search|domain|options) .*$/gm)).toEqual(['search a.test b.test', 'options ndots:2']);
    const none = box.run(['run', '--rm', '--dns-search', '.', image, 'cat', '/etc/resolv.conf']);
    expect(none.stdout).not.toMatch(/^(search|domain) /m);
  });

  it('resolves a name the host resolves, through pasta to the host\'s resolver', async (ctx) => {
    // There may be no DNS at all where the suite runs.
    const name = 'deb.debian.org';
    if (!(await dns.resolve4(name).catch(() => [])).length) ctx.skip();
    const looked = box.run(['run', '--rm', image, 'busybox', 'nslookup', '-type=a', name]);
    expect(looked.code, looked.stderr).toBe(0);
    expect(looked.stdout).toMatch(/^Address:\s+\d+\.\d+\.\d+\.\d+$/m);
  });

  it('leaves --network none with loopback only, and gives pasta\'s containers an interface more', () => {
    const none = box.run(['run', '--rm', '--network', 'none', image, 'ls', '/sys/class/net']);
    expect(none.stdout.trim().split(/\s+/)).toEqual(['lo']);
    const pasta = box.run(['run', '--rm', image, 'ls', '/sys/class/net']);
    expect(pasta.stdout.trim().split(/\s+/)).toContain('lo');
    expect(pasta.stdout.trim().split(/\s+/).length).toBeGreaterThan(1);
  });

  it('leaves no pasta behind when the command is not found while pasta is still starting', async () => {
    const r = box.run(['run', '--rm', '-p', `${await freePort()}:80`, image, 'nosuch']);
    expect(r.code).toBe(127);
    await expectNothingLeft();
  });

  it('fails in one line, exit 125, on a published port already in use, and leaves no pasta or namespace', async () => {
    // No address given: on both families, as pasta binds it.
    const taken = createServer();
    const port = await new Promise<number>((ok) => taken.listen(0, () => ok((taken.address() as AddressInfo).port)));
    try {
      const before = readdirSync(join(box.env.XDG_DATA_HOME!, 'tpod/containers')).length;
      const r = await box.runAsync(['run', '--rm', '-p', `${port}:80`, image, 'true']);
      expect(r.stderr).toBe(`Error: cannot publish port ${port}/tcp: it is already in use\n`);
      expect(r.code).toBe(125);
      expect(readdirSync(join(box.env.XDG_DATA_HOME!, 'tpod/containers')).length).toBe(before);
    } finally {
      taken.close();
    }
    await expectNothingLeft();
  });
});
