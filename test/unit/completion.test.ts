import { describe, expect, it } from 'vitest';
import { completeWords } from '../../src/cli/completion.js';
import { commands } from '../../src/cli/registry.js';
import { type CommandSpec, globalOptions, walk } from '../../src/cli/spec.js';

const cmd = (spec: Partial<CommandSpec> & { name: string }): CommandSpec => ({ summary: '', description: '', ...spec });

/** Small made-up commands, so that each rule has something to bite on whatever the registry holds. */
const specs: CommandSpec[] = [
  cmd({
    name: 'run',
    aliases: ['r'],
    options: [
      { name: 'format', alias: 'f', type: 'string', describe: '', complete: ['json', 'table'] },
      { name: 'pull', type: 'string', describe: '', choices: ['always', 'missing', 'never'] },
      { name: 'rm', type: 'boolean', describe: '' },
      { name: 'authfile', type: 'string', describe: '', complete: 'files' },
      { name: 'limit', type: 'number', describe: '' },
    ],
    positionals: [
      { name: 'image', describe: '', complete: ['alpine', 'busybox'] },
      { name: 'command', describe: '', optional: true, variadic: true },
    ],
  }),
  cmd({
    name: 'system',
    subcommands: [cmd({ name: 'reset', options: [{ name: 'force', alias: 'f', type: 'boolean', describe: '' }] }), cmd({ name: 'prune' })],
  }),
  cmd({ name: 'exec', passThrough: true, positionals: [{ name: 'command', describe: '', variadic: true, complete: 'commands' }] }),
  cmd({ name: 'help', positionals: [{ name: 'command', describe: '', optional: true, variadic: true, complete: 'tpod-commands' }] }),
  cmd({ name: 'cp', positionals: [{ name: 'src', describe: '', complete: 'files' }, { name: 'dest', describe: '', complete: 'directories' }] }),
  cmd({ name: '__complete', hidden: true, passThrough: true }),
];

const complete = (...words: string[]) => completeWords(specs, globalOptions, words);
const offers = (...candidates: string[]) => ({ candidates, directive: 'none' });
const asks = (directive: string) => ({ candidates: [], directive });

describe('completeWords', () => {
  it('offers command names, not aliases or hidden commands', () => {
    expect(complete('')).toEqual(offers('run', 'system', 'exec', 'help', 'cp'));
    expect(complete()).toEqual(complete(''));
  });

  it('filters by the word under the cursor', () => {
    expect(complete('sy')).toEqual(offers('system'));
    expect(complete('x')).toEqual(offers());
    expect(complete('__')).toEqual(offers());
  });

  it('offers subcommands, after global options and their values too', () => {
    expect(complete('system', '')).toEqual(offers('reset', 'prune'));
    expect(complete('system', 'r')).toEqual(offers('reset'));
    expect(complete('--log-level', 'debug', 'system', 'p')).toEqual(offers('prune'));
    expect(complete('--log-level=debug', 'system', 'p')).toEqual(offers('prune'));
  });

  it('offers nothing after a command it does not know', () => {
    expect(complete('nosuch', '')).toEqual(offers());
    expect(complete('system', 'nosuch', '')).toEqual(offers());
  });

  it('offers long options, global ones and --help included, for a word starting with -', () => {
    expect(complete('-')).toEqual(offers('--log-level', '--cgroup-manager', '--help'));
    expect(complete('system', 'reset', '--')).toEqual(offers('--log-level', '--cgroup-manager', '--help', '--force'));
    expect(complete('run', '--p')).toEqual(offers('--pull'));
  });

  it('offers the values of an option from its choices or its word list', () => {
    expect(complete('run', '--pull', '')).toEqual(offers('always', 'missing', 'never'));
    expect(complete('run', '--pull', 'm')).toEqual(offers('missing'));
    expect(complete('run', '-f', '')).toEqual(offers('json', 'table'));
    expect(complete('run', '--limit', '')).toEqual(offers());
    expect(complete('--log-level', 'e')).toEqual(offers('error'));
  });

  it('completes --name=value as a whole word', () => {
    expect(complete('--log-level=')).toEqual(offers(...['debug', 'info', 'warn', 'error', 'fatal', 'panic'].map((l) => `--log-level=${l}`)));
    expect(complete('run', '--pull=n')).toEqual(offers('--pull=never'));
    expect(complete('run', '--authfile=/e')).toEqual(asks('files'));
    expect(complete('run', '--rm=')).toEqual(offers());
    expect(complete('run', '--nosuch=')).toEqual(offers());
  });

  it('lets an option that takes a value consume the next word, and a boolean one not', () => {
    expect(complete('run', '--pull', 'always', 'a')).toEqual(offers('alpine'));
    expect(complete('run', '--limit', '3', '')).toEqual(offers('alpine', 'busybox'));
    expect(complete('run', '--rm', '')).toEqual(offers('alpine', 'busybox'));
    expect(complete('run', '--authfile', '')).toEqual(asks('files'));
  });

  it('follows the positionals: word lists, directives, none for one without a source or past the last', () => {
    expect(complete('run', 'b')).toEqual(offers('busybox'));
    expect(complete('run', 'alpine', '')).toEqual(offers());
    expect(complete('cp', '')).toEqual(asks('files'));
    expect(complete('cp', 'a', '')).toEqual(asks('directories'));
    expect(complete('cp', 'a', 'b', '')).toEqual(offers());
  });

  it("offers tpod's own commands, then their subcommands, for 'tpod-commands'", () => {
    expect(complete('help', '')).toEqual(offers('run', 'system', 'exec', 'help', 'cp'));
    expect(complete('help', 'system', 'p')).toEqual(offers('prune'));
    expect(complete('help', 'run', '')).toEqual(offers());
  });

  it("hands a pass-through command's words after its first positional to the other program", () => {
    expect(complete('exec', '')).toEqual(asks('commands'));
    expect(complete('exec', '-')).toEqual(offers('--log-level', '--cgroup-manager', '--help'));
    expect(complete('exec', 'ls', '')).toEqual(asks('files'));
    expect(complete('exec', 'ls', '--')).toEqual(asks('files'));
    expect(complete('exec', 'ls', '--log-level', '')).toEqual(asks('files'));
  });
});

describe('completion of the real commands', () => {
  const real = (...words: string[]) => completeWords(commands, globalOptions, words);

  it('offers every visible command and subcommand at its position', () => {
    for (const { path } of walk(commands)) {
      const name = path.at(-1)!;
      expect(real(...path.slice(0, -1), '').candidates, path.join(' ')).toContain(name);
      expect(real(...path.slice(0, -1), name.slice(0, 1)).candidates, path.join(' ')).toContain(name);
      expect(real('help', ...path.slice(0, -1), '').candidates, `help ${path.join(' ')}`).toContain(name);
    }
  });

  it('never offers a hidden command', () => {
    const hidden = commands.filter((c) => c.hidden).map((c) => c.name);
    expect(hidden).toContain('__complete');
    for (const name of hidden) expect(real('').candidates).not.toContain(name);
  });

  it('knows the values of --format and the command line of unshare', () => {
    expect(real('info', '--format', '')).toEqual(offers('json'));
    expect(real('unshare', '')).toEqual(asks('commands'));
    expect(real('unshare', 'ls', '-')).toEqual(asks('files'));
  });
});

describe('pass-through command lines', () => {
  it('puts "--" where the command\'s own options end, skipping option values', async () => {
    const { markPassThrough } = await import('../../src/cli/spec.js');
    const { commands } = await import('../../src/cli/registry.js');
    expect(markPassThrough(commands, ['run', '--rm', '-e', 'A=1', '--name=x', 'img', 'sh', '-c', 'ls -l'])).toEqual(['run', '--rm', '-e', 'A=1', '--name=x', '--', 'img', 'sh', '-c', 'ls -l']);
    expect(markPassThrough(commands, ['--log-level', 'debug', 'unshare', 'ls', '-la'])).toEqual(['--log-level', 'debug', 'unshare', '--', 'ls', '-la']);
    expect(markPassThrough(commands, ['unshare', '--help'])).toEqual(['unshare', '--help']);
    expect(markPassThrough(commands, ['unshare', '--', 'x'])).toEqual(['unshare', '--', 'x']);
    expect(markPassThrough(commands, ['__complete', '--format', ''])).toEqual(['__complete', '--', '--format', '']);
    expect(markPassThrough(commands, ['image', 'ls', '-q'])).toEqual(['image', 'ls', '-q']);
  });
});
