/**
 * The scripts in completions/, run by the real shells against the built
 * dist/cli.js (run `npx tsc -p .` first), through a stub `tpod` on PATH that
 * supplies what the launcher would put in the environment.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const top = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(top, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'tpod-completion-'));
const env = {
  PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
  HOME: dir,
  TERM: 'dumb',
  TPOD_RUNTIME_DIR: join(dir, 'run'),
  TPOD_HOST_UID: String(process.getuid?.() ?? 0),
  TPOD_HOST_GID: String(process.getgid?.() ?? 0),
};

/** Each case: the line up to the cursor, and the whole word that TAB must complete the last one to. */
const cases = [
  { line: 'tpod sys', word: 'system' },
  { line: 'tpod info --format ', word: 'json' },
  { line: 'tpod --log-level=d', word: '--log-level=debug' },
  { line: 'tpod help system r', word: 'reset' },
  { line: 'tpod generate sy', word: 'systemd' },
  { line: 'tpod generate systemd --restart-policy on-fa', word: 'on-failure' },
  { line: `tpod unshare ls ${dir}/some-f`, word: `${dir}/some-file` }, // :files
  { line: 'tpod unshare tpod-completion-t', word: 'tpod-completion-test-command' }, // :commands
];

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { env, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${command} exited with ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const missing = (shell: string): boolean => spawnSync('sh', ['-c', `command -v ${shell}`]).status !== 0;

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npx tsc -p .\` first`);
  for (const d of ['bin', 'run']) spawnSync('mkdir', ['-p', join(dir, d)]);
  writeFileSync(join(dir, 'bin/tpod'), `#!/bin/sh\nexec '${process.execPath}' '${cli}' "$@"\n`);
  writeFileSync(join(dir, 'bin/tpod-completion-test-command'), '#!/bin/sh\n');
  chmodSync(join(dir, 'bin/tpod'), 0o755);
  chmodSync(join(dir, 'bin/tpod-completion-test-command'), 0o755);
  writeFileSync(join(dir, 'some-file'), '');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shell completion scripts', () => {
  it('the stub answers as __complete does', () => {
    expect(run('tpod', ['__complete', 'info', '--format', ''])).toBe('json\n:none\n');
    // Words that yargs itself would parse must reach the completion unparsed.
    expect(run('tpod', ['__complete', '--help'])).toBe('--help\n:none\n');
    expect(run('tpod', ['__complete', '--log-level', 'e'])).toBe('error\n:none\n');
  });

  it('bash', () => {
    // Readline replaces only the text after the last '=' or ':', so that is what COMPREPLY holds.
    const script = `source '${top}completions/tpod.bash'; COMP_LINE=$1; COMP_POINT=\${#COMP_LINE}; _tpod; printf '%s\\n' "\${COMPREPLY[@]}"`;
    for (const { line, word } of cases) {
      expect(run('bash', ['--norc', '--noprofile', '-c', script, 'bash', line]).split('\n'), line).toContain(word.replace(/^.*[=:]/, ''));
    }
  });

  it('zsh', (ctx) => {
    ctx.skip(missing('zsh'), 'zsh is not installed');
    // An interactive zsh in a pseudo-terminal: type each line and TAB, then ^X, bound to a widget that saves the buffer.
    const out = join(dir, 'zsh-buffers');
    writeFileSync(out, '');
    const driver = `
      zmodload zsh/zpty
      zpty z zsh -f -i
      zpty -w z "fpath=('${top}completions' \\$fpath); autoload -U compinit; compinit -u -D"
      zpty -w z "save() { print -r -- \\"\\$BUFFER\\" >> '${out}'; BUFFER= }; zle -N save; bindkey '^X' save"
      n=0
      for line; do
        zpty -w -n z "$line"$'\\t'
        zpty -w -n z $'\\x18'
        (( n++ ))
        # One line at a time: typing ahead while a completion runs loses keys.
        for i in {1..200}; do (( $(wc -l < '${out}') >= n )) && break; sleep 0.05; done
      done
      zpty -d z`;
    run('zsh', ['-f', '-c', driver, 'zsh', ...cases.map((c) => c.line)]);
    const buffers = readFileSync(out, 'utf8').split('\n');
    cases.forEach(({ line, word }, i) => {
      const prefix = line.slice(0, line.lastIndexOf(' ') + 1);
      expect(buffers[i]?.trimEnd(), line).toBe(prefix + word);
    });
  });

  it('fish', (ctx) => {
    ctx.skip(missing('fish'), 'fish is not installed');
    for (const { line, word } of cases) {
      const out = run('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', `${top}completions/tpod.fish`, line]);
      expect(out.split('\n').map((l) => l.split('\t')[0]), line).toContain(word);
    }
  });
});
