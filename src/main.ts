/**
 * The command line: yargs built from the command specs, global options, and
 * the one place where errors become a line on stderr and an exit code.
 */
import yargs, { type Argv } from 'yargs';
import { EXIT_TPOD, TpodError, endOnBrokenPipe, errorLine } from './errors.js';
import { type LogLevel, enabled, setLogLevel } from './log.js';
import { commands } from './cli/registry.js';
import { type Args, type CommandSpec, PARSER_CONFIGURATION, globalOptions, markPassThrough, toYargs } from './cli/spec.js';

/** Set by the command that ran; yargs itself only ever reports success or failure. */
let exitCode = 0;

async function runCommand(spec: CommandSpec, args: Args): Promise<void> {
  setLogLevel(args['log-level'] as LogLevel);
  if (spec.run) exitCode = (await spec.run(args)) ?? 0;
}

export function buildParser(argv: readonly string[]): Argv {
  const y = yargs(markPassThrough(commands, argv))
    .scriptName('tpod')
    .usage('Usage: tpod [OPTIONS] COMMAND\n\nA rootless, daemonless container engine with podman\'s command line.')
    .strict()
    .parserConfiguration(PARSER_CONFIGURATION)
    .demandCommand(1, 'missing command')
    .version(false)
    .help('help')
    .alias('help', 'h')
    .wrap(Math.min(100, process.stdout.columns || 80))
    .fail((message, err) => {
      if (err) throw err;
      // yargs words some messages over several lines; a user gets one.
      const line = message.replace(/\s*\n\s*/g, ' ');
      throw new TpodError(line.charAt(0).toLowerCase() + line.slice(1), { hint: "see 'tpod --help'" });
    });
  for (const o of globalOptions) {
    y.option(o.name, {
      type: o.type,
      describe: o.describe,
      global: true,
      ...(o.choices ? { choices: [...o.choices] } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
    });
  }
  for (const spec of commands) y.command(toYargs(spec, runCommand));
  skipHelpCache(y);
  return y;
}

/**
 * yargs 17 renders a command's whole help text after calling its handler, to
 * have it for a failure; our fail() never shows it, and rendering run's
 * help costs every run 5 ms. Internal API of the yargs pinned in package.json.
 */
function skipHelpCache(y: Argv): void {
  const internals = (y as unknown as { getInternalMethods?: () => { getUsageInstance: () => { cacheHelpMessage: () => void } } }).getInternalMethods;
  if (internals) internals.call(y).getUsageInstance().cacheHelpMessage = () => undefined;
}

export async function main(argv: readonly string[]): Promise<number> {
  process.stdout.on('error', endOnBrokenPipe);
  try {
    await buildParser(argv).parseAsync();
    return exitCode;
  } catch (err) {
    process.stderr.write(`Error: ${errorLine(err)}\n`);
    if (enabled('debug') && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return err instanceof TpodError ? err.exitCode : EXIT_TPOD;
  }
}
