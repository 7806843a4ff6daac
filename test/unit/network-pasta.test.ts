/** The pure parts of pasta networking: its arguments, the gateway, the container's names. */
import { describe, expect, it } from 'vitest';
import { PASTA_DNS, defaultGateway, nameService, pastaArgs, portSpec } from '../../src/network/pasta.js';
import { parsePublish } from '../../src/network/ports.js';

describe('pasta', () => {
  it('forwards exactly the published ports, by protocol, and nothing from the container to the host\'s ports', () => {
    expect(pastaArgs('/run/ns', '/run/ns.pid', [])).toEqual([
      '--config-net', '--quiet', '--pid', '/run/ns.pid', '--dns-forward', PASTA_DNS,
      '-t', 'none', '-u', 'none', '-T', 'none', '-U', 'none', '--netns', '/run/ns',
    ]);
    const ports = ['8080:80', '127.0.0.1:5353:53/udp', '9000-9001:7000-7001/tcp,udp'].map(parsePublish);
    const args = pastaArgs('/run/ns', '/run/ns.pid', ports);
    expect(args.slice(6, -6)).toEqual(['-t', '8080-8080:80-80', '-t', '9000-9001:7000-7001', '-u', '127.0.0.1/5353-5353:53-53', '-u', '9000-9001:7000-7001']);
    expect(args).not.toContain('--no-map-gw');
  });

  it('writes a port spec as pasta 2023-03 reads it', () => {
    expect(portSpec(parsePublish('[::1]:8443:443'))).toBe('::1/8443-8443:443-443');
  });

  it('reads the IPv4 default gateway from /proc/net/route', () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    ].join('\n');
    expect(defaultGateway(table)).toBe('192.0.2.1');
    expect(defaultGateway(table.split('\n').slice(0, 2).join('\n'))).toBeUndefined();
  });

  it('names the host by the gateway and resolves through pasta unless --dns says otherwise', () => {
    expect(nameService('192.0.2.1', [])).toEqual({
      extraHosts: ['host.containers.internal:192.0.2.1', 'host.docker.internal:192.0.2.1'],
      nameservers: [PASTA_DNS],
    });
    expect(nameService(undefined, ['9.9.9.9'])).toEqual({ extraHosts: [], nameservers: ['9.9.9.9'] });
  });
});
