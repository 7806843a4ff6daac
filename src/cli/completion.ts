/**
 * Shell completion from the command specs, in the manner of cobra's `__complete`
 * that podman's completion scripts call: given the words after `tpod`, the last
 * one being the word under the cursor, what may go there. Pure, so that the
 * scripts in completions/ stay thin and every shell offers the same words.
 */
import type { CommandSpec, CompletionSource, OptionSpec } from './spec.js';

/** What the shell completes by itself when tpod has no words to offer. */
export type Directive = 'none' | 'files' | 'directories' | 'commands';

export interface Completion {
  readonly candidates: string[];
  readonly directive: Directive;
}

/** yargs gives every command --help; it is not in the specs, but completes like any option. */
const helpOption: OptionSpec = { name: 'help', alias: 'h', type: 'boolean', describe: 'show help' };

const nothing: Completion = { candidates: [], directive: 'none' };

const takesValue = (o: OptionSpec): boolean => o.type !== 'boolean';

const findCommand = (specs: readonly CommandSpec[], word: string): CommandSpec | undefined =>
  specs.find((s) => s.name === word || s.aliases?.includes(word));

/** Names only: aliases would double every line of the list. */
const commandNames = (specs: readonly CommandSpec[]): string[] => specs.filter((s) => !s.hidden).map((s) => s.name);

const matching = (candidates: readonly string[], prefix: string): Completion => ({
  candidates: candidates.filter((c) => c.startsWith(prefix)),
  directive: 'none',
});

/** `--name` or `-a`; `--name=value` matches nothing, so it never consumes the next word. */
function findOption(scope: readonly OptionSpec[], word: string): OptionSpec | undefined {
  if (word.startsWith('--')) return scope.find((o) => o.name === word.slice(2));
  return word.length === 2 ? scope.find((o) => o.alias === word[1]) : undefined;
}

/** `before` are the positionals already given, which 'tpod-commands' follows into subcommands. */
function fromSource(
  source: CompletionSource | undefined,
  prefix: string,
  specs: readonly CommandSpec[],
  before: readonly string[],
): Completion {
  if (source === undefined) return nothing;
  if (typeof source !== 'string') return matching(source, prefix);
  if (source !== 'tpod-commands') return { candidates: [], directive: source };
  let level = specs;
  for (const word of before) level = findCommand(level, word)?.subcommands ?? [];
  return matching(commandNames(level), prefix);
}

/** The values of an option; `flag` is the `--name=` the candidates must start with in that form. */
function optionValues(o: OptionSpec, value: string, flag: string, specs: readonly CommandSpec[]): Completion {
  const c = fromSource(o.choices ?? o.complete, value, specs, []);
  return { ...c, candidates: c.candidates.map((v) => flag + v) };
}

export function completeWords(
  specs: readonly CommandSpec[],
  globals: readonly OptionSpec[],
  words: readonly string[],
): Completion {
  const cur = words.at(-1) ?? '';
  let command: CommandSpec | undefined;
  let level = specs; // the commands that may come next; empty once the command is known
  const positionals: string[] = [];
  let pending: OptionSpec | undefined; // an option still waiting for its value
  const scope = (): OptionSpec[] => [...globals, helpOption, ...(command?.options ?? [])];

  for (const word of words.slice(0, -1)) {
    // Past its first positional a pass-through command's words are another program's.
    if (command?.passThrough && positionals.length > 0) break;
    if (pending) pending = undefined;
    else if (word.length > 1 && word.startsWith('-')) {
      const o = findOption(scope(), word);
      if (o && takesValue(o)) pending = o;
    } else if (level.length > 0) {
      command = findCommand(level, word);
      if (!command) return nothing;
      level = command.subcommands ?? [];
    } else positionals.push(word);
  }

  if (command?.passThrough && positionals.length > 0) return { candidates: [], directive: 'files' };
  if (pending) return optionValues(pending, cur, '', specs);
  if (cur.startsWith('-')) {
    const eq = cur.indexOf('=');
    if (eq < 0) return matching(scope().map((o) => `--${o.name}`), cur);
    const o = findOption(scope(), cur.slice(0, eq));
    return o && takesValue(o) ? optionValues(o, cur.slice(eq + 1), cur.slice(0, eq + 1), specs) : nothing;
  }
  if (level.length > 0) return matching(commandNames(level), cur);
  const declared = command?.positionals ?? [];
  const last = declared.at(-1);
  const positional = declared[positionals.length] ?? (last?.variadic ? last : undefined);
  return fromSource(positional?.complete, cur, specs, positionals);
}
