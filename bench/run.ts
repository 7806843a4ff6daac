/**
 * `tpod run --rm IMAGE true` against `podman run --rm IMAGE true`, same
 * image (imported into both from one rootfs tarball) and same runtime,
 * with --network none and with --network pasta; side by side with the
 * ratios, and tpod's phases from its debug log. Run by hand
 * (npm run bench:run), never in tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { busyboxLayer } from '../test/registry/images.js';
import { tar } from '../test/registry/tar-writer.js';

const runs = Number(process.env.BENCH_RUNS || 20);
const tpod = fileURLToPath(new URL('../native/tpod', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tpod-bench-run-'));
const env = { ...process.env, XDG_DATA_HOME: join(dir, 'data') };
const podman = ['podman', '--root', join(dir, 'podman-root'), '--runroot', join(dir, 'podman-run'), '--runtime', 'runc'];
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function time(argv: string[]): number {
  const samples: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    if (i >= 3) samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

try {
  const rootfs = join(dir, 'rootfs.tar.gz');
  writeFileSync(rootfs, gzipSync(tar(busyboxLayer())));
  spawnSync(tpod, ['import', rootfs, 'bench'], { env });
  if (has('podman')) spawnSync(podman[0]!, [...podman.slice(1), 'import', '-q', rootfs, 'bench'], { env });
  // Each one's user-mode network: podman before 4.4 has slirp4netns, not pasta.
  const podmanUserMode = spawnSync('podman', ['info', '--format', '{{.Host.Pasta.Executable}}']).stdout?.toString().trim() ? 'pasta' : 'slirp4netns';
  for (const [mine, theirs] of [['none', 'none'], ['pasta', podmanUserMode]] as const) {
    const t = time([tpod, 'run', '--rm', '--network', mine, 'bench', 'true']);
    console.log(`tpod run --rm --network ${mine} (runc)`.padEnd(48) + `${t.toFixed(1).padStart(7)} ms median of ${runs}`);
    if (!has('podman')) continue;
    const p = time([...podman, 'run', '--rm', '--network', theirs, 'bench', 'true']);
    console.log(`podman run --rm --network ${theirs} (runc)`.padEnd(48) + `${p.toFixed(1).padStart(7)} ms median of ${runs}`);
    console.log(`${''.padEnd(48)}ratio tpod/podman: ${(t / p).toFixed(2)}`);
  }
  const phases = spawnSync(tpod, ['--log-level=debug', 'run', '--rm', 'bench', 'true'], { env, encoding: 'utf8' }).stderr;
  console.log('where one tpod run (default network) spends its time, besides Node start-up (npm run bench):');
  for (const m of phases.matchAll(/run phase (.*): ([\d.]+) ms/g)) console.log(`  ${m[1]!.padEnd(40)} ${m[2]!.padStart(6)} ms`);
} finally {
  spawnSync(tpod, ['system', 'reset', '--force'], { env });
  if (has('podman')) spawnSync('podman', ['unshare', 'rm', '-rf', join(dir, 'podman-root')]);
  rmSync(dir, { recursive: true, force: true });
}
