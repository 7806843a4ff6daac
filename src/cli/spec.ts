/**
 * Commands as data. Each module in cli/commands exports one CommandSpec; the
 * same object gives yargs its parser and --help, the man pages their text and
 * the shell completion its words, so the three cannot drift apart.
 */
import type { Argv, CommandModule } from 'yargs';

/** What the shell completion offers for a value: fixed words, or a kind it asks for at completion time. */
export type CompletionSource = readonly string[] | 'files' | 'directories' | 'commands' | 'tpod-commands';

export interface OptionSpec {
  readonly name: string;
  readonly alias?: string;
  readonly type: 'boolean' | 'string' | 'number' | 'array';
  readonly describe: string;
  /** The placeholder shown in help and man pages, e.g. FORMAT. */
  readonly valueName?: string;
  readonly choices?: readonly string[];
  readonly default?: string | number | boolean;
  readonly complete?: CompletionSource;
}

export interface PositionalSpec {
  readonly name: string;
  readonly describe: string;
  readonly optional?: boolean;
  readonly variadic?: boolean;
  readonly complete?: CompletionSource;
}

export interface Example {
  readonly command: string;
  readonly describe: string;
}

/** Parsed arguments as yargs hands them over. */
export type Args = Readonly<Record<string, unknown>> & { readonly _: readonly (string | number)[] };

export interface CommandSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line, for command lists. */
  readonly summary: string;
  /** Paragraphs for the man page, separated by blank lines. */
  readonly description: string;
  readonly positionals?: readonly PositionalSpec[];
  readonly options?: readonly OptionSpec[];
  readonly examples?: readonly Example[];
  /** podman's page for the same command, when its name is not podman-PATH; null when podman has none. */
  readonly podmanPage?: string | null;
  /** Where tpod differs from podman on purpose: a section of the man page. */
  readonly differences?: string;
  readonly subcommands?: readonly CommandSpec[];
  /** Options end at the first positional: the rest is another program's command line. */
  readonly passThrough?: boolean;
  /** Hidden from help, man pages and completion (the completion helper itself). */
  readonly hidden?: boolean;
  /**
   * Returns the exit code; undefined means 0. Command modules import the
   * engine inside run (await import): the bundle then sets up only the
   * modules the command uses, which keeps every start-up about 15 ms
   * shorter (measured with bench/startup.mjs).
   */
  readonly run?: (args: Args) => Promise<number | void>;
}

/**
 * How yargs reads every command line. podman has options that start with
 * no- (--no-trunc), which yargs would otherwise read as negations of others.
 */
export const PARSER_CONFIGURATION = { 'boolean-negation': false } as const;

/** Global options, valid before and after the command name. */
export const globalOptions: readonly OptionSpec[] = [
  {
    name: 'log-level',
    type: 'string',
    valueName: 'LEVEL',
    describe: 'how much to log on stderr',
    choices: ['debug', 'info', 'warn', 'error', 'fatal', 'panic'],
    default: 'warn',
  },
];

export function usageLine(path: readonly string[], spec: CommandSpec): string {
  const parts = ['tpod', ...path];
  if (spec.subcommands?.length) parts.push('COMMAND');
  else if (spec.options?.length) parts.push('[OPTIONS]');
  for (const p of spec.positionals ?? []) {
    const word = p.name.toUpperCase() + (p.variadic ? '...' : '');
    parts.push(p.optional ? `[${word}]` : word);
  }
  return parts.join(' ');
}

/**
 * yargs' own "array" takes every word that follows, positionals included;
 * podman's repeatable options (--change, -e) take one value each time.
 */
function yargsType(o: OptionSpec): { type: 'boolean' | 'string' | 'number'; array?: true; nargs?: 1 } {
  return o.type === 'array' ? { type: 'string', array: true, nargs: 1 } : { type: o.type };
}

function positionalSyntax(p: PositionalSpec): string {
  const inner = p.variadic ? `${p.name}..` : p.name;
  return p.optional ? `[${inner}]` : `<${inner}>`;
}

/** The yargs module for a spec; the run callback receives the parsed args. */
export function toYargs(spec: CommandSpec, onRun: (spec: CommandSpec, args: Args) => Promise<void>): CommandModule {
  const command = [spec.name, ...(spec.positionals ?? []).map(positionalSyntax)].join(' ');
  return {
    command: [command, ...(spec.aliases ?? [])],
    describe: spec.hidden ? false : spec.summary,
    builder: (y: Argv) => {
      for (const o of spec.options ?? []) {
        y.option(o.name, {
          ...yargsType(o),
          describe: o.describe,
          ...(o.alias ? { alias: o.alias } : {}),
          ...(o.choices ? { choices: [...o.choices] } : {}),
          ...(o.default !== undefined ? { default: o.default } : {}),
        });
      }
      for (const p of spec.positionals ?? []) y.positional(p.name, { describe: p.describe, type: 'string' });
      for (const sub of spec.subcommands ?? []) y.command(toYargs(sub, onRun));
      if (spec.subcommands?.length) y.demandCommand(1, `${spec.name} needs a subcommand`);
      if (spec.passThrough) {
        // Another program's words: yargs must not turn "1e3" into 1000 or "0x10" into 16.
        y.parserConfiguration({ ...PARSER_CONFIGURATION, 'halt-at-non-option': true, 'unknown-options-as-args': true, 'parse-positional-numbers': false });
      }
      for (const e of spec.examples ?? []) y.example(e.command, e.describe);
      return y;
    },
    handler: async (argv) => onRun(spec, argv as unknown as Args),
  };
}

/**
 * The words a passThrough command was given, untouched. With
 * halt-at-non-option yargs leaves the command path twice at the front of _.
 */
export function passedThrough(args: Args): string[] {
  return args._.slice(2).map(String);
}

/** A file argument where "-" means standard input: yargs 17 reads a lone "-" as "". */
export function fileArgument(value: unknown): string {
  const text = value === undefined ? '' : String(value);
  return text === '' ? '-' : text;
}

/** Every visible command with its path, depth first: for man pages and completion checks. */
export function walk(specs: readonly CommandSpec[], path: readonly string[] = []): { path: string[]; spec: CommandSpec }[] {
  return specs
    .filter((s) => !s.hidden)
    .flatMap((s) => [{ path: [...path, s.name], spec: s }, ...walk(s.subcommands ?? [], [...path, s.name])]);
}
