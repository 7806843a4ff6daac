/** The /etc/hosts, /etc/hostname and /etc/resolv.conf a container gets. Pure. */

export interface HostsInput {
  readonly hostname: string;
  readonly name: string;
  /** --add-host entries, "name:address". */
  readonly extraHosts: readonly string[];
  /** The host's own /etc/hosts, for --network host, which shares it. */
  readonly hostHosts?: string;
}

export function hostsFile(input: HostsInput): string {
  const extra = input.extraHosts.map((entry) => {
    const colon = entry.indexOf(':');
    return `${entry.slice(colon + 1)}\t${entry.slice(0, colon)}\n`;
  });
  if (input.hostHosts !== undefined) return input.hostHosts + extra.join('');
  return [
    '127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n',
    '::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n',
    // The container's own name resolves, as it does in podman, to itself.
    `127.0.1.1\t${[...new Set([input.hostname, input.name])].join(' ')}\n`,
    ...extra,
  ].join('');
}

/** The host's resolver configuration, with --dns servers in place of its nameservers when given. */
export function resolvConf(hostResolv: string, dns: readonly string[]): string {
  const lines = hostResolv.split('\n').filter((l) => l.trim() !== '');
  // 127.x resolvers (systemd-resolved, dnsmasq) are the host's loopback, not the container's.
  const kept = lines.filter((l) => !/^\s*nameserver\s/.test(l) || (dns.length === 0 && !/^\s*nameserver\s+127\./.test(l)));
  return [...kept, ...dns.map((d) => `nameserver ${d}`)].join('\n') + '\n';
}
