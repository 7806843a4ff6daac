/** The pure parts of slirp4netns networking: its arguments, its API requests, the container's names. */
import { describe, expect, it } from 'vitest';
import { parsePublish } from '../../src/network/ports.js';
import { SLIRP_DNS, checkPublishable, hostfwds, lastComplaint, nameService, slirpArgs } from '../../src/network/slirp4netns.js';

describe('slirp4netns', () => {
  it('runs as podman runs it, but with the host\'s loopback reachable, and no exit descriptor', () => {
    expect(slirpArgs('/run/ns', { ipv6: true })).toEqual([
      '--configure', '--mtu=65520', '--enable-sandbox', '--enable-seccomp', '--enable-ipv6', '--ready-fd=3',
      '--netns-type=path', '/run/ns', 'tap0',
    ]);
    const withPorts = slirpArgs('/run/ns', { ipv6: false, apiSocket: '/run/ns.sock' });
    expect(withPorts).toContain('--api-socket=/run/ns.sock');
    expect(withPorts).not.toContain('--enable-ipv6');
    expect(withPorts.join(' ')).not.toMatch(/--disable-host-loopback|--exit-fd|-e /);
  });

  it('asks for one forward per port and protocol, to the container\'s address, on all of IPv4 when no address is given', () => {
    const fwds = hostfwds(['8080:80', '127.0.0.1:5353:53/udp', '9000-9001:7000-7001/tcp,udp'].map(parsePublish));
    expect(fwds.map((f) => JSON.parse(f.request))).toEqual([
      { execute: 'add_hostfwd', arguments: { proto: 'tcp', host_addr: '0.0.0.0', host_port: 8080, guest_addr: '10.0.2.100', guest_port: 80 } },
      { execute: 'add_hostfwd', arguments: { proto: 'udp', host_addr: '127.0.0.1', host_port: 5353, guest_addr: '10.0.2.100', guest_port: 53 } },
      ...['tcp', 'tcp', 'udp', 'udp'].map((proto, i) => ({
        execute: 'add_hostfwd',
        arguments: { proto, host_addr: '0.0.0.0', host_port: 9000 + (i % 2), guest_addr: '10.0.2.100', guest_port: 7000 + (i % 2) },
      })),
    ]);
    // A failed forward is reported as the user gave the mapping.
    expect(fwds[3]).toMatchObject({ protocol: 'tcp', port: 9001, mapping: { hostPort: 9000, range: 2 } });
    // slirp4netns reads a request in one go: one line of JSON.
    expect(fwds.every((f) => !f.request.includes('\n'))).toBe(true);
  });

  it('refuses IPv6 host addresses, which slirp4netns 1.2 cannot bind', () => {
    expect(() => checkPublishable([parsePublish('[::1]:8443:443')])).toThrow('cannot publish port [::1]:8443: slirp4netns listens on IPv4 addresses only');
    expect(() => checkPublishable(['127.0.0.1:8080:80', '8081:80'].map(parsePublish))).not.toThrow();
  });

  it('names the host by the gateway, which is the host\'s loopback, and resolves through slirp unless --dns says otherwise', () => {
    expect(nameService([])).toEqual({
      extraHosts: ['host.containers.internal:10.0.2.2', 'host.docker.internal:10.0.2.2'],
      nameservers: [SLIRP_DNS],
    });
    expect(nameService(['9.9.9.9']).nameservers).toEqual(['9.9.9.9']);
  });

  it('tells what went wrong from slirp4netns\'s messages, not its progress', () => {
    expect(lastComplaint('setns(CLONE_NEWNET): Invalid argument\nchild failed(1)\n')).toBe('setns(CLONE_NEWNET): Invalid argument');
    expect(lastComplaint('sent tapfd=5 for tap0\nreceived tapfd=5\ncannot mount tmpfs on /tmp\ncreate_sandbox failed\ndo_slirp failed\n')).toBe('cannot mount tmpfs on /tmp');
    expect(lastComplaint('received tapfd=5\nparent failed\n')).toBeUndefined();
  });
});
