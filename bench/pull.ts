/**
 * Pull of a ~100 MB multi-layer image from a local docker-registry into empty
 * storage: tpod against `podman pull`, and `skopeo copy` to a directory as a
 * lower bound on transfer and hashing, side by side with ratios. Run by hand
 * as an unprivileged user with subordinate ids (npm run bench:pull; as root it
 * switches to the test user), never in tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { largeImage } from '../test/registry/images.js';
import { startRegistry } from '../test/registry/server.js';

const runs = Number(process.env.BENCH_RUNS || 3);
const sizeMiB = Number(process.env.BENCH_SIZE_MIB || 100);
const tpod = fileURLToPath(new URL('../native/tpod', import.meta.url));
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function timed(argv: string[], env: NodeJS.ProcessEnv = process.env): { ms: number; stderr: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stderr: r.stderr };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const registry = await startRegistry('open');
try {
  const image = largeImage(sizeMiB, { layers: 4 });
  await image.push(registry.host, 'bench/large', 'latest');
  const name = `${registry.host}/bench/large:latest`;
  console.log(`image: ${sizeMiB} MiB in ${image.layers.length} layers (gzip of random data), ${runs} runs each, empty storage every run`);

  const results = new Map<string, number[]>();
  const add = (tool: string, ms: number) => results.set(tool, [...(results.get(tool) ?? []), ms]);
  let download = 0;
  let extract = 0;
  for (let i = 0; i < runs; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'tpod-bench-'));
    try {
      const env = { ...process.env, XDG_DATA_HOME: join(dir, 'data'), XDG_RUNTIME_DIR: undefined };
      const t = timed([tpod, '--log-level=debug', 'pull', '-q', '--tls-verify=false', name], env);
      add('tpod pull', t.ms);
      for (const m of t.stderr.matchAll(/checked in (\d+) ms, \d+ extracted in (\d+) ms/g)) {
        download += Number(m[1]);
        extract += Number(m[2]);
      }
      spawnSync(tpod, ['system', 'reset', '--force'], { env });
      if (has('podman')) {
        add('podman pull', timed(['podman', '--root', join(dir, 'root'), '--runroot', join(dir, 'runroot'), 'pull', '-q', '--tls-verify=false', name]).ms);
        spawnSync('podman', ['unshare', 'rm', '-rf', join(dir, 'root')]);
      }
      if (has('skopeo')) add('skopeo copy (to a directory)', timed(['skopeo', 'copy', '-q', '--src-tls-verify=false', `docker://${name}`, `dir:${join(dir, 'skopeo')}`]).ms);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const tpodMs = median(results.get('tpod pull')!);
  for (const [tool, samples] of results) {
    const m = median(samples);
    console.log(`${tool.padEnd(30)} ${m.toFixed(0).padStart(6)} ms median   tpod/this: ${(tpodMs / m).toFixed(2)}`);
  }
  console.log(`tpod, summed over layers and runs: download+sha256 ${(download / runs).toFixed(0)} ms, extraction ${(extract / runs).toFixed(0)} ms per pull (layers run 3 at a time, so the sums exceed the wall time)`);
} finally {
  await registry.stop();
}
