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

/** --dns-search and --dns-option: each, when given, replaces the host's. */
export interface ResolverChoices {
  /** Search domains; ["."] for none. */
  readonly search?: readonly string[];
  readonly options?: readonly string[];
}

/** The host's resolver configuration, with --dns servers in place of its nameservers when given, and CHOICES in place of its search domains and options. */
export function resolvConf(hostResolv: string, dns: readonly string[], choices: ResolverChoices = {}): string {
  const lines = hostResolv.split('\n').filter((l) => l.trim() !== '');
  const search = choices.search?.length ? choices.search : undefined;
  const options = choices.options?.length ? choices.options : undefined;
  const kept = lines.filter((l) => {
    if (/^\s*nameserver\s/.test(l)) return dns.length === 0 && !/^\s*nameserver\s+127\./.test(l);
    if (/^\s*(search|domain)\s/.test(l)) return !search;
    if (/^\s*options\s/.test(l)) return !options;
    return true;
  });
  // 127.x resolvers (systemd-resolved, dnsmasq) are the host's loopback, not the container's: dropped above.
  return [
    ...kept,
    ...dns.map((d) => `nameserver ${d}`),
    ...(search && !(search.length === 1 && search[0] === '.') ? [`search ${search.join(' ')}`] : []),
    ...(options ? [`options ${options.join(' ')}`] : []),
  ].join('\n') + '\n';
}
