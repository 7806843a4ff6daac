/**
 * The second bundle's entry (dist/quick.cjs), tried by start.cts before the
 * main one: `tpod ps` answered without yargs, the command modules or the
 * engine, whose loading was most of its time (bench/containers.ts).
 *
 * It answers only when it can do so truly and without writing anything: a
 * plain command line (quick-args.ts) and no orphaned container. Otherwise,
 * or on any error, it answers nothing and the main bundle runs the command
 * from the start, with its recovery and its error messages.
 */
import { writeSync } from 'node:fs';
import { psOptions, psOutput } from './cli/commands/ps.js';
import { quickArgs } from './cli/quick-args.js';
import { settledContainers } from './engine/container-list.js';
import { EXIT_BROKEN_PIPE, EXIT_TPOD, endOnBrokenPipe, errnoCode, errorLine } from './errors.js';
import { sessionFromEnv } from './rootless/session.js';
import { resolvePaths } from './storage/paths.js';

/** ps as the registry names it: top-level, and under container as ls, list and ps. */
export const psPaths: readonly (readonly string[])[] = [['ps'], ['container', 'ls'], ['container', 'list'], ['container', 'ps']];

/** The exit code of the command in WORDS when answered here; undefined to leave it to the main bundle. */
export function quick(words: readonly string[]): number | undefined {
  const path = psPaths.find((p) => p.every((w, i) => words[i] === w));
  const args = path && quickArgs(path, psOptions, words.slice(path.length));
  if (!args) return undefined;
  let output: string;
  try {
    const containers = settledContainers(resolvePaths(process.env, sessionFromEnv(process.env).runtimeDir));
    if (!containers) return undefined;
    output = psOutput(args, containers, Date.now());
  } catch {
    return undefined;
  }
  try {
    writeOut(output);
    return 0;
  } catch (err) {
    if (errnoCode(err) === 'EPIPE') return EXIT_BROKEN_PIPE;
    process.stderr.write(`Error: ${errorLine(err)}\n`);
    return EXIT_TPOD;
  }
}

/**
 * Straight to fd 1: process.stdout would load the stream and net modules
 * first, 3 ms of a ps. A non-blocking stdout (shared with a Node parent)
 * gets the rest through the stream, which waits for it to drain.
 */
function writeOut(text: string): void {
  const bytes = Buffer.from(text);
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(1, bytes, done);
    } catch (err) {
      if (errnoCode(err) !== 'EAGAIN') throw err;
      process.stdout.on('error', endOnBrokenPipe).write(bytes.subarray(done));
      return;
    }
  }
}
