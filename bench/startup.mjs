// Start-up cost: tpod against podman, side by side, with ratios. Run by hand
// (npm run bench) as an unprivileged user with subordinate ids; never in tests.
// Also splits tpod's own time: the launcher alone, Node alone, the CLI as
// shipped, and as it would be without the bundle and the code cache.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runs = Number(process.env.BENCH_RUNS || 30);
const tpod = fileURLToPath(new URL('../native/tpod', import.meta.url));
const dist = (file) => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function time(argv, env = process.env) {
  for (let i = 0; i < 3; i++) spawnSync(argv[0], argv.slice(1), { env, stdio: 'ignore' });
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(argv[0], argv.slice(1), { env, stdio: 'ignore' });
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)], min: samples[0] };
}

const row = (name, t) => console.log(`${name.padEnd(44)} ${t.median.toFixed(1).padStart(8)} ms ${t.min.toFixed(1).padStart(8)} ms`);
console.log(`${'command'.padEnd(44)} ${'median'.padStart(11)} ${'min'.padStart(11)}   (${runs} runs each)`);

const pairs = [
  ['unshare true', ['unshare', 'true']],
  ['version', ['version']],
];
for (const [label, args] of pairs) {
  const t = time([tpod, ...args]);
  row(`tpod ${label}`, t);
  if (has('podman')) {
    const p = time(['podman', ...args]);
    row(`podman ${label}`, p);
    console.log(`${''.padEnd(44)} ratio tpod/podman: ${(t.median / p.median).toFixed(2)}`);
  }
}

// Where tpod's own time goes.
const inside = { ...process.env, TPOD_RUNTIME_DIR: '/nonexistent', TPOD_HOST_UID: '0', TPOD_HOST_GID: '0' };
row('launcher + namespace join only (exec true)', time([tpod], { ...process.env, TPOD_NODE: '/bin/true' }));
row('node -e 0', time(['node', '-e', '0']));
row('CLI alone: bundle + code cache (start.cjs)', time(['node', dist('start.cjs'), 'version'], inside));
row('CLI alone: bundle, compiled (tpod.cjs)', time(['node', dist('tpod.cjs'), 'version'], inside));
row('CLI alone: separate ES modules (cli.js)', time(['node', dist('cli.js'), 'version'], inside));
