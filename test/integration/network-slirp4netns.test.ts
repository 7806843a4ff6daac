/**
 * tpod run --network slirp4netns with the real slirp4netns: the container
 * reaching servers this test runs on the host's loopback, published ports
 * reached from the host, DNS through slirp's forwarder, and a failed set-up
 * that leaves no slirp4netns and no namespace behind.
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

const skip = whyNotRunnable() ?? inject('registriesMissing') ?? whyNoNetwork('slirp4netns');

describe.skipIf(skip)(`tpod run --network slirp4netns${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;
  const netnsDir = () => join(box.runtimeDir, 'netns');
  const run = (args: readonly string[]) => box.runAsync(['run', '--rm', '--network', 'slirp4netns', ...args]);

  /** slirp4netns processes of this sandbox, which name its namespace files. */
  const ourSlirps = () => processesNaming('slirp4netns', `${netnsDir()}/`);

  /** After each run: slirp4netns ends on its own time after SIGTERM, so give it a moment. */
  async function expectNothingLeft() {
    for (let i = 0; i < 50 && ourSlirps().length; i++) await sleep(20);
    expect(ourSlirps()).toEqual([]);
    expect(readdirSync(netnsDir())).toEqual([]);
  }

  beforeAll(async () => {
    box = new Sandbox();
    const built = buildImage([busyboxLayer()], { config: { Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] } });
    const path = `tpod-test/network-slirp4netns-${process.pid}`;
    await built.push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    const pulled = box.run(['pull', '-q', '--tls-verify=false', image]);
    expect(pulled.code, pulled.stderr).toBe(0);
  });
  afterAll(() => box?.destroy());

  it('gives the container tap0 at 10.0.2.100, with slirp\'s gateway as its default route', async () => {
    const r = await run([image, 'sh', '-c', 'busybox ip -4 -o addr show tap0; busybox ip route show default']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^\d+: tap0 +inet 10\.0\.2\.100\/24 /);
    expect(r.stdout).toMatch(/\ndefault via 10\.0\.2\.2 dev tap0/);
    expect(r.code).toBe(0);
    await expectNothingLeft();
  });

  it('reaches a TCP server on the host\'s loopback as host.containers.internal', async () => {
    const server = createServer((socket) => socket.end('hello from the host\n'));
    const port = await listening(server);
    try {
      const r = await run([image, 'sh', '-c', `grep host.containers.internal /etc/hosts; busybox timeout 10 busybox nc host.containers.internal ${port} </dev/null`]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('10.0.2.2\thost.containers.internal\nhello from the host\n');
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
      const r = await run([image, 'busybox', 'tftp', '-g', '-r', 'greeting', '-l', '-', 'host.containers.internal', String(port)]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('udp says hi\n');
      expect(r.code).toBe(0);
    } finally {
      server.close();
    }
  });

  it('publishes a container port on the host', async () => {
    const port = await freePort();
    const child = box.start(['run', '--rm', '--network', 'slirp4netns', '-p', `${port}:8080`, image, 'sh', '-c', 'echo reply | busybox timeout 20 busybox nc -l -p 8080 && echo served']);
    const done = runAsync(child);
    expect(await readWhenServed('127.0.0.1', port)).toBe('reply\n');
    const r = await done;
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('served\n');
    expect(r.code).toBe(0);
    await expectNothingLeft();
  });

  it('points resolv.conf at slirp\'s DNS forwarder, or at --dns', async () => {
    const r = await run([image, 'cat', '/etc/resolv.conf']);
    expect(r.stdout.match(/^nameserver .*$/gm)).toEqual(['nameserver 10.0.2.3']);
    const given = await run(['--dns', '192.0.2.53', image, 'cat', '/etc/resolv.conf']);
    expect(given.stdout.match(/^nameserver .*$/gm)).toEqual(['nameserver 192.0.2.53']);
  });

  it('resolves a name the host resolves, through slirp to the host\'s resolver', async (ctx) => {
    // There may be no DNS at all where the suite runs.
    const name = 'deb.debian.org';
    if (!(await dns.resolve4(name).catch(() => [])).length) ctx.skip();
    const looked = await run([image, 'busybox', 'nslookup', '-type=a', name]);
    expect(looked.code, looked.stderr).toBe(0);
    expect(looked.stdout).toMatch(/^Address:\s+\d+\.\d+\.\d+\.\d+$/m);
  });

  it('fails in one line, exit 125, on a published port already in use, and leaves no slirp4netns or namespace', async () => {
    // Bound on both families, as a server with no address is: slirp4netns's 0.0.0.0 collides.
    const taken = createServer();
    const port = await new Promise<number>((ok) => taken.listen(0, () => ok((taken.address() as AddressInfo).port)));
    try {
      const before = readdirSync(join(box.env.XDG_DATA_HOME!, 'tpod/containers')).length;
      const r = await run(['-p', `${port}:80`, image, 'true']);
      expect(r.stderr).toBe(`Error: cannot publish port ${port}/tcp: it is already in use\n`);
      expect(r.code).toBe(125);
      expect(readdirSync(join(box.env.XDG_DATA_HOME!, 'tpod/containers')).length).toBe(before);
    } finally {
      taken.close();
    }
    await expectNothingLeft();
  });

  it('says so when the address to publish on is not this host\'s', async () => {
    // TEST-NET-2: documentation's addresses, no host's own.
    const r = await run(['-p', '198.51.100.1:8080:80', image, 'true']);
    expect(r.stderr).toBe('Error: cannot publish port 198.51.100.1:8080/tcp: 198.51.100.1 is not an address of this host\n');
    expect(r.code).toBe(125);
    await expectNothingLeft();
  });
});
