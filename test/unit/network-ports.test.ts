/** -p as podman parses it. */
import { describe, expect, it } from 'vitest';
import { exposedPorts, parseExpose, parsePublish } from '../../src/network/ports.js';

describe('parsePublish', () => {
  it('reads [[IP:][HOSTPORT]:]PORT[/PROTO], with 0 for a host port to pick', () => {
    expect(parsePublish('80')).toEqual({ hostIP: '', hostPort: 0, containerPort: 80, range: 1, protocols: ['tcp'] });
    expect(parsePublish('8080:80')).toEqual({ hostIP: '', hostPort: 8080, containerPort: 80, range: 1, protocols: ['tcp'] });
    expect(parsePublish('127.0.0.1:8080:80/udp')).toEqual({ hostIP: '127.0.0.1', hostPort: 8080, containerPort: 80, range: 1, protocols: ['udp'] });
    expect(parsePublish('127.0.0.1::80')).toMatchObject({ hostIP: '127.0.0.1', hostPort: 0 });
    expect(parsePublish('0.0.0.0:8080:80')).toMatchObject({ hostIP: '' });
    expect(parsePublish('[::1]:8080:80/tcp,udp')).toEqual({ hostIP: '::1', hostPort: 8080, containerPort: 80, range: 1, protocols: ['tcp', 'udp'] });
  });

  it('takes ranges of equal length', () => {
    expect(parsePublish('8000-8002:9000-9002')).toEqual({ hostIP: '', hostPort: 8000, containerPort: 9000, range: 3, protocols: ['tcp'] });
    expect(parsePublish('9000-9001')).toMatchObject({ hostPort: 0, containerPort: 9000, range: 2 });
  });

  it('refuses what podman refuses, naming the spec', () => {
    for (const [spec, message] of [
      ['', /^-p : "" is not a port/],
      ['0', /0 is out of range/],
      ['65536', /out of range/],
      ['http', /"http" is not a port/],
      ['8000-8001:80', /the host range has 2 ports, the container range 1/],
      ['90-80', /must end above its start/],
      ['80-80', /must end above its start/],
      ['80/sctp', /sctp cannot be published by a rootless container/],
      ['80/icmp', /unknown protocol "icmp"/],
      ['80/tcp/udp', /give the protocol once/],
      ['localhost:8080:80', /"localhost" is not an IP address/],
      ['::1:8080:80', /too many colons/],
      ['[::1]:80', /an IPv6 address is followed by a host port and a container port/],
    ] as const) {
      expect(() => parsePublish(spec), spec).toThrow(message);
    }
  });
});

describe('exposedPorts (-P)', () => {
  it('publishes each exposed port on a free host port, unless -p publishes it', () => {
    const published = [parsePublish('8080:80')];
    // A key without a protocol is tcp (JavaScript lists integer keys first).
    expect(exposedPorts({ '80/tcp': {}, '443/tcp': {}, '53/udp': {}, '7': {} }, published)).toEqual([
      { hostIP: '', hostPort: 0, containerPort: 7, range: 1, protocols: ['tcp'] },
      { hostIP: '', hostPort: 0, containerPort: 443, range: 1, protocols: ['tcp'] },
      { hostIP: '', hostPort: 0, containerPort: 53, range: 1, protocols: ['udp'] },
    ]);
  });

  it('skips what cannot be published, and an image without ports gives none', () => {
    expect(exposedPorts({ '99999/tcp': {}, '80/sctp': {}, 'x/tcp': {} }, [])).toEqual([]);
    expect(exposedPorts(null, [])).toEqual([]);
    expect(exposedPorts(undefined, [])).toEqual([]);
  });
});

describe('--expose', () => {
  it('reads a port, a range and a protocol as the image config\'s ExposedPorts keys', () => {
    expect(parseExpose(['8080', '53/udp', '7000-7002'])).toEqual({ '8080/tcp': {}, '53/udp': {}, '7000/tcp': {}, '7001/tcp': {}, '7002/tcp': {} });
    for (const bad of ['0', '70000', '9-3', 'http', '80/sctp']) expect(() => parseExpose([bad]), bad).toThrow(`invalid --expose "${bad}"`);
  });
});
