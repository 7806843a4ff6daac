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
// A boot takes 15-40 s under emulation; one whose job has not begun after this has hung (seen once in CI).
const BOOT_SECONDS = 240;
const BEGUN = 'guest\tbegun';

interface Booted {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The job never began: the guest hung at boot and was stopped. */
  readonly bootHung: boolean;
}

/**
 * The command, wrapped: it first says it has begun, and a watchdog shows the
 * guest's processes on stderr shortly before run.sh's timeout would stop it
 * without a word, so that a hang names what hung.
 */
function wrapped(command: readonly string[], timeoutSeconds: number): string[] {
  const watchdog = `sleep $((${timeoutSeconds - 30} - $(cut -d. -f1 /proc/uptime))) && { echo "guest watchdog: still running near the timeout; the guest's processes:"; ps -eo pid,ppid,stat,etimes,wchan:22,args --forest | cut -c1-220; } >&2`;
  const script = `printf '${BEGUN.replace('\t', '\\t')}\\n'; (${watchdog}) & dog=$!; "$@"; rc=$?; pkill -P $dog; kill $dog 2>/dev/null; exit $rc`;
  return ['sh', '-c', script, 'sh', ...command];
}

// Not spawnSync: a worker blocked for minutes misses vitest's calls and fails the run.
function boot(options: readonly string[], command: readonly string[], timeoutSeconds: number): Promise<Booted> {
  return new Promise((done) => {
    const child = spawn(runVm!, ['--timeout', String(timeoutSeconds), ...options, '--', ...wrapped(command, timeoutSeconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let bootHung = false;
    // run.sh stops the guest on SIGTERM (status 130).
    const bootWatch = setTimeout(() => {
      bootHung = true;
      child.kill('SIGTERM');
    }, BOOT_SECONDS * 1000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes(BEGUN)) clearTimeout(bootWatch);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => {
      clearTimeout(bootWatch);
      done({ status, stdout, stderr, bootHung });
    });
  });
}

/**
 * Boots the guest with run.sh's ARGS (options, --, the command); the checks'
 * lines by name. A guest that failed or hung before the command began is
 * booted once more; a command that hung is not retried, but its processes are
 * shown.
 */
export async function bootGuest(args: readonly string[], timeoutSeconds = 500): Promise<{ results: Map<string, string>; stdout: string; stderr: string }> {
  const dash = args.indexOf('--');
  const [options, command] = [args.slice(0, dash), args.slice(dash + 1)];
  let r = await boot(options, command, timeoutSeconds);
  if (r.bootHung || r.status === GUEST_FAILED) r = await boot(options, command, timeoutSeconds);
  expect(r.status, `${r.bootHung ? `the guest's job had not begun after ${BOOT_SECONDS} s, twice\n` : ''}${r.stderr}\n${r.stdout}`).toBe(0);
  const results = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const [name, ...rest] = line.split('\t');
    if (name && rest.length) results.set(name, rest.join('\t').trim());
  }
  return { results, stdout: r.stdout, stderr: r.stderr };
}
