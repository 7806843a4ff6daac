/**
 * Twenty `tpod run -d` at once, with `tpod ps` and `tpod rm -f` in loops
 * beside them: every container is either running or was removed, none is
 * listed twice, every listing parses, and nothing is left mounted after.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, busyboxLayer } from '../registry/images.js';
import { Sandbox, TPOD, runAsync, whyNotRunnable } from './helpers.js';

const registries = inject('registries');
const skip = whyNotRunnable() ?? inject('registriesMissing') ?? (existsSync('/usr/bin/conmon') ? undefined : 'conmon is missing: apt-get install conmon');

describe.skipIf(skip)(`tpod under concurrent use${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let box: Sandbox;
  let image: string;

  beforeAll(async () => {
    box = new Sandbox();
    const path = `tpod-test/concurrency-${process.pid}`;
    await buildImage([busyboxLayer()], { config: { Cmd: ['sleep', '300'] } }).push(registries!.open, path, 'latest');
    image = `${registries!.open}/${path}:latest`;
    expect(box.run(['pull', '-q', '--tls-verify=false', image]).code).toBe(0);
  });
  afterAll(() => box.destroy());

  const tpod = (args: string[]) => runAsync(spawn(TPOD, args, { env: box.env, stdio: ['ignore', 'pipe', 'pipe'] }));

  it('runs twenty detached containers at once beside ps and rm -f loops, losing and doubling nothing', { timeout: 240_000 }, async () => {
    let running = true;
    const listings: string[] = [];
    const psLoop = (async () => {
      while (running) {
        const r = await tpod(['ps', '-a', '--format', '{{.ID}} {{.Names}} {{.State}}']);
        expect(r.stderr).toBe('');
        listings.push(r.stdout);
      }
    })();
    // Removes the victims as soon as they appear, whatever state they are in.
    const removed = new Set<string>();
    const rmLoop = (async () => {
      while (running) {
        const r = await tpod(['ps', '-a', '--filter', 'name=^victim', '--format', '{{.Names}}']);
        for (const name of r.stdout.split('\n').filter(Boolean)) {
          if ((await tpod(['rm', '-f', name])).code === 0) removed.add(name);
        }
      }
    })();
    const names = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? `victim${i}` : `keeper${i}`));
    const runs = await Promise.all(names.map((name) => tpod(['run', '-d', '--name', name, '--network', 'none', image])));
    // Let the loops see the end state a few times.
    await new Promise((ok) => setTimeout(ok, 2000));
    running = false;
    await Promise.all([psLoop, rmLoop]);

    for (const [i, r] of runs.entries()) {
      // A victim may be removed while its run is still starting it: then that run fails, in one line.
      if (names[i]!.startsWith('keeper')) expect(r.code, `${names[i]}: ${r.stderr}`).toBe(0);
      else if (r.code !== 0) expect(r.stderr.split('\n').filter(Boolean), r.stderr).toHaveLength(1);
    }
    for (const listing of listings) {
      const rows = listing.split('\n').filter(Boolean);
      for (const row of rows) expect(row).toMatch(/^[0-9a-f]{12} \S+ (created|running|exited)$/);
      const ids = rows.map((row) => row.split(' ')[0]);
      expect(new Set(ids).size, listing).toBe(ids.length);
    }
    const final = box.run(['ps', '-a', '--format', '{{.Names}} {{.State}}']).stdout.split('\n').filter(Boolean).sort();
    expect(final).toEqual(names.filter((n) => n.startsWith('keeper')).map((n) => `${n} running`).sort());
    expect(box.run(['rm', '-af']).code).toBe(0);
    expect(box.run(['unshare', 'cat', '/proc/self/mountinfo']).stdout).not.toContain('/containers/');
  });
});
