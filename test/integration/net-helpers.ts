/** What the network tests of each user-mode helper (pasta, slirp4netns) share. */
import { accessSync, constants, readFileSync, readdirSync } from 'node:fs';
import { type AddressInfo, type Server, connect, createServer } from 'node:net';

/** Why HELPER cannot be tested here, or undefined. */
export function whyNoNetwork(helper: 'pasta' | 'slirp4netns'): string | undefined {
  try {
    accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
  } catch {
    return '/dev/net/tun is not usable by this user: run `npm test` as root, which makes it 0666';
  }
  try {
    accessSync(`/usr/bin/${helper}`, constants.X_OK);
  } catch {
    return `${helper} is missing: apt-get install ${helper === 'pasta' ? 'passt' : 'slirp4netns'}`;
  }
  return undefined;
}

export const listening = (server: Server) => new Promise<number>((ok) => server.listen(0, '127.0.0.1', () => ok((server.address() as AddressInfo).port)));
export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** What a TCP server at HOST:PORT says to a client that sends nothing, or '' if it refuses or resets. */
export function readFrom(host: string, port: number): Promise<string> {
  return new Promise((ok) => {
    let got = '';
    const socket = connect(port, host);
    socket.on('data', (d) => {
      got += d;
      // The container's nc serves until its client hangs up.
      if (got.endsWith('\n')) socket.end();
    });
    socket.on('error', () => ok(''));
    socket.on('close', () => ok(got));
  });
}

/**
 * Asks until the container's server answers: it may not be listening yet
 * (slirp4netns accepts for it meanwhile, then hangs up).
 */
export async function readWhenServed(host: string, port: number): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const got = await readFrom(host, port);
    if (got) return got;
    await sleep(100);
  }
  return '';
}

export async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listening(server);
  await new Promise((ok) => server.close(ok));
  return port;
}

/** Our processes whose command line has all of WORDS (a helper's name, a sandbox's namespace directory). */
export function processesNaming(...words: string[]): string[] {
  return readdirSync('/proc').filter((pid) => {
    try {
      const cmdline = /^\d+$/.test(pid) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
      return cmdline !== '' && words.every((w) => cmdline.includes(w));
    } catch {
      return false;
    }
  });
}
