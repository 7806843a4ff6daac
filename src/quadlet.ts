/**
 * The user generator's entry (dist/quadlet.cjs), run by the wrapper that
 * install.sh puts in systemd's user-generators directory:
 *
 *   tpod-user-generator [-dryrun] [-v] [-user] NORMAL-DIR [EARLY-DIR LATE-DIR]
 *
 * as podman's quadlet takes them. Kept apart from the CLI: it must start
 * fast and outside tpod's user namespace, and needs none of yargs.
 */
import { fileURLToPath } from 'node:url';
import { generate } from './systemd/generator.js';

const flags = new Set(process.argv.slice(2).filter((a) => a.startsWith('-')).map((a) => a.replace(/^--?/, '')));
const dirs = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const prefix = `tpod-user-generator[${process.pid}]`;
const unknown = [...flags].filter((f) => !['dryrun', 'v', 'user', 'no-kmsg-log'].includes(f));

if (unknown.length || (!flags.has('dryrun') && dirs.length < 1)) {
  process.stderr.write(`${prefix}: usage: tpod-user-generator [-dryrun] [-v] [-user] NORMAL-DIR [EARLY-DIR LATE-DIR]\n`);
  process.exitCode = 1;
} else {
  const failed = generate({
    dryRun: flags.has('dryrun'),
    verbose: flags.has('v'),
    outputDir: dirs[0],
    env: process.env,
    tpod: fileURLToPath(new URL('../native/tpod', import.meta.url)),
    write: (text) => process.stdout.write(text),
    report: (line) => process.stderr.write(`${prefix}: ${line}\n`),
  });
  process.exitCode = failed ? 1 : 0;
}
