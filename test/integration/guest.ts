/**
 * The Debian guest of ../shared/vm, for what this host cannot show: one boot
 * runs a script whose checks each print "name<TAB>output", so that one slow
 * boot answers many of them.
 */
import { spawn } from 'node:child_process';
import { expect } from 'vitest';

export const runVm = process.env.TPOD_TEST_VM;
export const noGuest = runVm ? undefined : 'no test VM: run `npm test` as root on a machine with ../shared/vm, which builds the guest and sets TPOD_TEST_VM';

// run.sh's status when the guest itself failed: under heavy load the emulated kernel can panic at boot.
const GUEST_FAILED = 125;

interface Booted {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// Not spawnSync: a worker blocked for minutes misses vitest's calls and fails the run.
function boot(args: readonly string[], timeoutSeconds: number): Promise<Booted> {
  return new Promise((done) => {
    const child = spawn(runVm!, ['--timeout', String(timeoutSeconds), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** Boots the guest with run.sh's ARGS (options, --, the command); the checks' lines by name. */
export async function bootGuest(args: readonly string[], timeoutSeconds = 500): Promise<{ results: Map<string, string>; stdout: string; stderr: string }> {
  let r = await boot(args, timeoutSeconds);
  if (r.status === GUEST_FAILED) r = await boot(args, timeoutSeconds);
  expect(r.status, `${r.stderr}\n${r.stdout}`).toBe(0);
  const results = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [name, ...rest] = line.split('\t');
    if (name && rest.length) results.set(name, rest.join('\t').trim());
  }
  return { results, stdout: r.stdout, stderr: r.stderr };
}
