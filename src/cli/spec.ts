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
  /** Options end at the first positional: the rest is another program's command line (see markPassThrough). */
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
 * no- (--no-trunc), which yargs would otherwise read as negations of others;
 * words after "--" (markPassThrough) are kept, and kept as typed: "1e3" is
 * not 1000.
 */
export const PARSER_CONFIGURATION = { 'boolean-negation': false, 'populate--': true, 'parse-positional-numbers': false } as const;

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
  {
    name: 'cgroup-manager',
    type: 'string',
    valueName: 'MANAGER',
    describe: 'who makes a new container\'s cgroup: systemd (the default where it delegates cgroup v2 to you) or cgroupfs (rootless: none, so no limits)',
    choices: ['systemd', 'cgroupfs'],
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

/** A passThrough command reads its words itself (passedThrough), so yargs must not demand them. */
function positionalSyntax(p: PositionalSpec, passThrough: boolean): string {
  const inner = p.variadic ? `${p.name}..` : p.name;
  return p.optional || passThrough ? `[${inner}]` : `<${inner}>`;
}

/** The yargs module for a spec; the run callback receives the parsed args. */
export function toYargs(spec: CommandSpec, onRun: (spec: CommandSpec, args: Args) => Promise<void>): CommandModule {
  const command = [spec.name, ...(spec.positionals ?? []).map((p) => positionalSyntax(p, Boolean(spec.passThrough)))].join(' ');
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
      for (const e of spec.examples ?? []) y.example(e.command, e.describe);
      return y;
    },
    handler: async (argv) => onRun(spec, argv as unknown as Args),
  };
}

/**
 * The words a passThrough command was given, untouched: markPassThrough put
 * them after a "--", where yargs leaves them alone.
 */
export function passedThrough(args: Args): string[] {
  return ((args['--'] as unknown[] | undefined) ?? []).map(String);
}

/** Whether WORD is an option of SCOPE that takes the next word as its value. */
function takesNextWord(scope: readonly OptionSpec[], word: string): boolean {
  if (word.includes('=')) return false;
  const o = word.startsWith('--') ? scope.find((x) => x.name === word.slice(2)) : scope.find((x) => x.alias === word.slice(1));
  return o !== undefined && o.type !== 'boolean';
}

/**
 * Puts "--" where a passThrough command's own options end (its first word
 * that is not an option), so that yargs parses those options and leaves the
 * rest (another program's command line) as it is. Pure.
 */
export function markPassThrough(specs: readonly CommandSpec[], argv: readonly string[]): string[] {
  let level = specs;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return [...argv];
    if (word.startsWith('-')) {
      if (takesNextWord(globalOptions, word)) i++;
      continue;
    }
    const spec = level.find((s) => s.name === word || s.aliases?.includes(word));
    if (!spec) return [...argv];
    if (!spec.passThrough) {
      level = spec.subcommands ?? [];
      continue;
    }
    const scope = [...globalOptions, ...(spec.options ?? [])];
    let j = i + 1;
    // An option-less command takes every word, but --help first still asks for its help.
    if (!spec.options?.length) j += argv[j] === '--help' && !spec.hidden ? 1 : 0;
    else for (; j < argv.length && argv[j]!.startsWith('-') && argv[j] !== '--'; j++) if (takesNextWord(scope, argv[j]!)) j++;
    return argv[j] === '--' || j >= argv.length ? [...argv] : [...argv.slice(0, j), '--', ...argv.slice(j)];
  }
  return [...argv];
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
