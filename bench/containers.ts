/**
 * A hundred detached `sleep` containers, tpod and podman side by side (same
 * imported busybox image, runc for both; --network none, each one's default
 * user-mode network, and slirp4netns for both): the time to start them, `ps -a` with them running, the
 * memory each running container costs the user (the proportional set size
 * of every process the engine leaves per container: conmon, the network
 * helper, the container's own), and `rm -f` of them all. Run by hand
 * (npm run bench:containers; BENCH_CONTAINERS changes the count), never in
 * tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { busyboxLayer } from '../test/registry/images.js';
import { tar } from '../test/registry/tar-writer.js';

const count = Number(process.env.BENCH_CONTAINERS || 100);
const tpod = fileURLToPath(new URL('../native/tpod', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tpod-bench-containers-'));
// Every path of either engine's (storage, run directory, network namespaces) lies under DIR,
// so that their processes can be told from anyone else's by their command lines.
mkdirSync(join(dir, 'run'), { mode: 0o700 });
const env = { ...process.env, XDG_DATA_HOME: join(dir, 'data'), XDG_RUNTIME_DIR: join(dir, 'run') };
const podman = ['podman', '--root', join(dir, 'podman-root'), '--runroot', join(dir, 'podman-run'), '--runtime', 'runc'];
const hasPodman = spawnSync('sh', ['-c', 'command -v podman']).status === 0;

function run(argv: readonly string[]): string {
  const r = spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function timed(argv: readonly string[]): number {
  const start = process.hrtime.bigint();
  run(argv);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The median of SAMPLES and their middle half, sorted in place. */
function quartiles(samples: number[]): Quartiles {
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.floor((samples.length - 1) * q)]!;
  return { median: at(0.5), low: at(0.25), high: at(0.75) };
}

/**
 * The processes the engines left running: those whose command line names
 * DIR (conmon, the network helpers), and all their descendants (the
 * containers' own).
 */
function enginesProcesses(): number[] {
  const parent = new Map<number, number>();
  const named = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) named.add(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  const ours = (pid: number): boolean => {
    for (let p: number | undefined = pid; p && p > 1; p = parent.get(p)) if (named.has(p)) return true;
    return false;
  };
  return [...parent.keys()].filter(ours);
}

/** Proportional set size in KiB, summed over PIDS. */
function pss(pids: Iterable<number>): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

interface Quartiles {
  median: number;
  low: number;
  high: number;
}

interface Result {
  start: number;
  /** ps -a with them running: the median and middle half of 21 runs, as a busy machine spreads them. */
  ps: Quartiles;
  memoryKiB: number;
  rm: number;
}

/** Starts COUNT containers: the time each took, and the memory each costs. */
function startAll(engine: readonly string[], network: string): Pick<Result, 'start' | 'memoryKiB'> {
  const before = new Set(enginesProcesses());
  const startAt = process.hrtime.bigint();
  for (let i = 0; i < count; i++) run([...engine, 'run', '-d', '--network', network, 'bench', 'sleep', '1000']);
  const start = Number(process.hrtime.bigint() - startAt) / 1e6 / count;
  const left = enginesProcesses().filter((pid) => !before.has(pid));
  return { start, memoryKiB: pss(left) / count };
}

/**
 * ps -a of each engine, the engines taking turns: a machine busy with
 * others' work (tests, the VM) then slows each alike, where one engine's
 * runs after the other's met another load.
 */
function psTimes(engines: readonly (readonly string[])[]): Quartiles[] {
  const samples = engines.map((): number[] => []);
  for (let i = 0; i < 21; i++) engines.forEach((engine, e) => samples[e]!.push(timed([...engine, 'ps', '-a'])));
  return samples.map(quartiles);
}

function removeAll(engine: readonly string[]): number {
  // tpod's rm -f kills at once; podman's first waits --time for the stop signal.
  return timed([...engine, 'rm', '-af', ...(engine[0] === 'podman' ? ['-t', '0'] : [])]);
}

/**
 * runc gives each container a session keyring, and the kernel lets a user
 * have kernel.keys.maxkeys keys (200 by default): the keys left to the user
 * decide whether both engines' containers can run at once.
 */
function keysLeft(): number {
  const line = readFileSync('/proc/key-users', 'utf8').split('\n').find((l) => l.trim().startsWith(`${process.getuid!()}:`));
  const [used, max] = (line?.trim().split(/\s+/)[3] ?? '0/200').split('/').map(Number);
  return max! - used!;
}

function report(name: string, r: Result): void {
  console.log(`${name.padEnd(34)} start ${r.start.toFixed(0).padStart(5)} ms each   ps -a ${r.ps.median.toFixed(0).padStart(4)} ms (${r.ps.low.toFixed(0)}-${r.ps.high.toFixed(0)})   ${(r.memoryKiB / 1024).toFixed(1).padStart(5)} MiB each   rm -af ${r.rm.toFixed(0).padStart(6)} ms`);
}

try {
  const rootfs = join(dir, 'rootfs.tar.gz');
  writeFileSync(rootfs, gzipSync(tar(busyboxLayer())));
  run([tpod, 'import', rootfs, 'bench']);
  if (hasPodman) run([...podman, 'import', '-q', rootfs, 'bench']);
  const podmanUserMode = hasPodman && spawnSync('podman', ['info', '--format', '{{.Host.Pasta.Executable}}'], { encoding: 'utf8' }).stdout.trim() ? 'pasta' : 'slirp4netns';
  const together = hasPodman && keysLeft() >= 2 * count + 20;
  console.log(`${count} detached sleep containers, runc for both; ps -a ${together ? "with both engines' containers running, the engines taking turns" : 'of one engine after the other (too few keys left for both at once: sysctl kernel.keys.maxkeys)'}`);
  for (const [mine, theirs] of [['none', 'none'], ['pasta', podmanUserMode], ['slirp4netns', 'slirp4netns']] as const) {
    const engines = hasPodman ? [{ name: 'tpod', argv: [tpod], network: mine }, { name: 'podman', argv: podman, network: theirs }] : [{ name: 'tpod', argv: [tpod], network: mine }];
    const results: Result[] = [];
    if (together) {
      const started = engines.map((e) => startAll(e.argv, e.network));
      const ps = psTimes(engines.map((e) => e.argv));
      results.push(...engines.map((e, i) => ({ ...started[i]!, ps: ps[i]!, rm: removeAll(e.argv) })));
    } else {
      for (const e of engines) results.push({ ...startAll(e.argv, e.network), ps: psTimes([e.argv])[0]!, rm: removeAll(e.argv) });
    }
    engines.forEach((e, i) => report(`${e.name} --network ${e.network}`, results[i]!));
    const [t, p] = results;
    if (p) console.log(`${''.padEnd(34)} ratios tpod/podman: start ${(t!.start / p.start).toFixed(2)}, ps ${(t!.ps.median / p.ps.median).toFixed(2)}, memory ${(t!.memoryKiB / p.memoryKiB).toFixed(2)}, rm ${(t!.rm / p.rm).toFixed(2)}`);
  }
} finally {
  spawnSync(tpod, ['system', 'reset', '--force'], { env });
  if (hasPodman) {
    spawnSync(podman[0]!, [...podman.slice(1), 'rm', '-af'], { env });
    spawnSync('podman', ['unshare', 'rm', '-rf', join(dir, 'podman-root')]);
  }
  rmSync(dir, { recursive: true, force: true });
}
