/**
 * Resource limits where systemd delegates cgroup v2 to the user: in the
 * Debian guest of ../shared/vm, in one boot (vm/limits.sh runs every check
 * there). The refusal where nothing is delegated is in cgroup-limits.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { busyboxLayer } from '../registry/images.js';
import { tar } from '../registry/tar-writer.js';
import { bootGuest, noGuest } from './guest.js';

const skip = noGuest;
const project = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const MiB = 1024 * 1024;

describe.skipIf(skip)(`resource limits in a systemd user session${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let results = new Map<string, string>();
  beforeAll(async () => {
    // The guest sees the project; the image goes in a directory of it that git ignores.
    const dir = join(project, 'test', '.vm-tmp');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'busybox.tar'), tar(busyboxLayer()));
    results = (await bootGuest(['--share', project, '--', 'sh', 'test/integration/vm/limits.sh', 'test/.vm-tmp/busybox.tar'])).results;
  }, 1_100_000);

  it('sets each limit on the container\'s cgroup, as the container sees it', () => {
    // memory.swap.max is the swap beyond memory: 96m - 64m.
    expect(results.get('limits')?.split(' ')).toEqual([String(64 * MiB), String(32 * MiB), '50000', '100000', '50', '0', '50']);
  });

  it('says in inspect that the OOM killer ended a container over its memory limit, attached or detached', () => {
    expect(results.get('oom-attached')).toBe('exit=137');
    expect(results.get('oom-attached-inspect')).toBe('true 137');
    expect(results.get('oom-detached')).toBe('137');
    expect(results.get('oom-detached-inspect')).toBe('true 137');
    expect(results.get('no-oom')).toBe('false 0');
  });

  it('stops a fork bomb at its pids limit', () => {
    const [current, max, ...events] = results.get('pids')!.split(' ');
    expect(max).toBe('10');
    expect(Number(current)).toBeLessThanOrEqual(10);
    // pids.events: "max N", how often a fork was refused.
    expect(Number(events[events.indexOf('max') + 1])).toBeGreaterThan(0);
  });

  it('gives a busy loop with --cpus 0.5 half a core, in a scope of its own', () => {
    const permille = Number(results.get('cpu-permille'));
    expect(permille).toBeGreaterThan(400);
    expect(permille).toBeLessThan(600);
    expect(results.get('scope')).toBe('active');
  });

  it('updates the limits of a running container, and its record', () => {
    expect(results.get('update')).toMatch(/^[0-9a-f]{64}$/);
    expect(results.get('updated')).toBe(`${128 * MiB} 25000 100000`);
    expect(results.get('updated-inspect')).toBe(`${128 * MiB} 250000000`);
  });

  it('leaves no scope behind a removed container', () => {
    expect(results.get('scope-after-rm')).toMatch(/^(inactive|unknown) 0$/);
  });
});
