/**
 * src/quick.ts answers `tpod ps` without yargs: its reading of a command
 * line must be yargs' own, or leave the line to yargs.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { container } from '../../src/cli/commands/container.js';
import { ps, psOptions } from '../../src/cli/commands/ps.js';
import { quickArgs } from '../../src/cli/quick-args.js';
import { commands } from '../../src/cli/registry.js';
import type { Args, CommandSpec } from '../../src/cli/spec.js';
import { buildParser } from '../../src/main.js';
import { psPaths } from '../../src/quick.js';

/** The spec the registry runs for PATH. */
function specAt(path: readonly string[]): CommandSpec | undefined {
  let scope: readonly CommandSpec[] = commands;
  let spec: CommandSpec | undefined;
  for (const word of path) {
    spec = scope.find((c) => c.name === word || c.aliases?.includes(word));
    scope = spec?.subcommands ?? [];
  }
  return spec;
}

/** What yargs hands ps's run for ARGV, without running it. */
async function yargsArgs(argv: string[]): Promise<Args> {
  const spec = specAt(argv[0] === 'container' ? argv.slice(0, 2) : argv.slice(0, 1))!;
  let seen: Args | undefined;
  vi.spyOn(spec as Required<CommandSpec>, 'run').mockImplementation(async (args: Args) => {
    seen = args;
  });
  await buildParser(argv).parseAsync();
  const { $0: _, ...args } = seen as Args & { $0: unknown };
  return args;
}

const quick = (argv: string[]) => {
  const path = psPaths.find((p) => p.every((w, i) => argv[i] === w))!;
  return quickArgs(path, psOptions, argv.slice(path.length));
};

describe('quickArgs', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each([
    [['ps']],
    [['ps', '-a']],
    [['ps', '-aq']],
    [['ps', '-a', '-q', '--no-trunc', '-n', '-l']],
    [['ps', '--all', '--quiet', '--noheading', '--latest']],
    [['ps', '-f', 'name=^x$', '--filter', 'id=3', '--filter=status=running']],
    [['ps', '--format', 'json']],
    [['ps', '-a', '--format={{.Names}} {{.Status}}']],
    [['ps', '--format=']],
    [['ps', '--log-level', 'debug', '-a']],
    [['ps', '--log-level=error']],
    [['container', 'ls', '-a']],
    [['container', 'list', '-q']],
    [['container', 'ps', '--format', 'json']],
  ])('reads %j as yargs does', async (argv) => {
    expect(quick(argv)).toEqual(await yargsArgs(argv));
  });

  it.each([
    [['ps', '--help']],
    [['ps', '-h']],
    [['ps', '--bogus']],
    [['ps', 'extra']],
    [['ps', '--', 'extra']],
    [['ps', '--all', 'false']],
    [['ps', '--all=true']],
    [['ps', '-a', '-a']],
    [['ps', '--noTrunc']],
    [['ps', '--format']],
    [['ps', '--format', '-q']],
    [['ps', '--format', 'a', '--format', 'b']],
    [['ps', '-f=name=x']],
    [['ps', '-af', 'name=x']],
    [['ps', '--log-level', 'loud']],
  ])('leaves %j to yargs', (argv) => {
    expect(quick(argv)).toBeUndefined();
  });

  it('knows every name the registry runs ps by', () => {
    const names = (spec: CommandSpec) => [spec.name, ...(spec.aliases ?? [])];
    const registered = [...names(ps).map((n) => [n]), ...container.subcommands!.filter((s) => s.options === psOptions).flatMap((s) => names(s).map((n) => ['container', n]))];
    expect(psPaths.map((p) => p.join(' ')).sort()).toEqual(registered.map((p) => p.join(' ')).sort());
    for (const path of psPaths) expect(specAt(path)?.options).toBe(psOptions);
  });
});
