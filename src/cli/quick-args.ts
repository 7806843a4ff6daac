/**
 * A command's options read without yargs, for the commands src/quick.ts
 * answers before the main bundle is loaded. Only the plain spellings are
 * read, those yargs reads the same way (test/unit/quick-args.test.ts holds
 * the two side by side); for anything else (--help, a mistake, a repeated
 * option, a value that looks like an option) the answer is undefined and
 * yargs reads the line, with its own errors. Pure.
 */
import { type Args, type OptionSpec, globalOptions } from './spec.js';

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The values of PATH's options in WORDS (what follows the command's name), as yargs would give them. */
export function quickArgs(path: readonly string[], options: readonly OptionSpec[], words: readonly string[]): Args | undefined {
  const scope = [...options, ...globalOptions];
  const values = new Map<OptionSpec, unknown>();
  /** False for what yargs would take otherwise: a repeated option (it makes an array), a number, a choice it refuses. */
  const set = (o: OptionSpec, value: string | true): boolean => {
    if (o.type === 'array') values.set(o, [...((values.get(o) as string[] | undefined) ?? []), value]);
    else if (values.has(o) || o.type === 'number' || (o.choices && !o.choices.includes(value as string))) return false;
    else values.set(o, value);
    return true;
  };
  for (let i = 0; i < words.length; ) {
    const taken = readOption(scope, words[i]!, words[i + 1], set);
    if (taken === 0) return undefined;
    i += taken;
  }
  const args: Record<string, unknown> = { _: [...path] };
  for (const o of scope) {
    const value = values.has(o) ? values.get(o) : o.default;
    if (value === undefined) continue;
    for (const key of [o.name, camelCase(o.name), o.alias]) if (key) args[key] = value;
  }
  return args as Args;
}

/** How many words (1 or 2) the option WORD takes, its value set through SET; 0 when yargs must read it. */
function readOption(scope: readonly OptionSpec[], word: string, next: string | undefined, set: (o: OptionSpec, value: string | true) => boolean): number {
  // yargs takes a true or false after a boolean as its value; a value must not look like an option.
  const flag = (o: OptionSpec) => next !== 'true' && next !== 'false' && set(o, true);
  const valued = (o: OptionSpec) => (next !== undefined && !next.startsWith('-') && set(o, next) ? 2 : 0);
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const o = scope.find((x) => x.name === word.slice(2, eq < 0 ? undefined : eq));
    if (!o) return 0;
    if (eq >= 0) return o.type !== 'boolean' && set(o, word.slice(eq + 1)) ? 1 : 0;
    return o.type === 'boolean' ? (flag(o) ? 1 : 0) : valued(o);
  }
  if (!/^-[a-zA-Z]+$/.test(word)) return 0;
  const group = [...word.slice(1)].map((c) => scope.find((x) => x.alias === c));
  if (group.length === 1 && group[0] && group[0].type !== 'boolean') return valued(group[0]);
  return group.every((o) => o?.type === 'boolean') && group.every((o) => flag(o!)) ? 1 : 0;
}
