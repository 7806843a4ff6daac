import { describe, expect, it } from 'vitest';
import { allPages, escapeRoff, mainPage, manPage, pageName } from '../../src/cli/man.js';
import type { CommandSpec } from '../../src/cli/spec.js';

const leaf: CommandSpec = {
  name: 'migrate',
  aliases: ['mv'],
  summary: 'Move things',
  description: 'First paragraph\nstill first.\n\n.starts with a dot\n\nThird with `tpod x --y`.',
  positionals: [{ name: 'target', describe: 'where to', optional: true }],
  options: [
    {
      name: 'log-level',
      type: 'string',
      valueName: 'LEVEL',
      describe: 'how loud',
      choices: ['debug', 'warn'],
      default: 'warn',
    },
    { name: 'force', alias: 'f', type: 'boolean', describe: 'no questions' },
    { name: 'count', type: 'number', describe: 'how many' },
  ],
  examples: [{ command: 'tpod system migrate --force', describe: 'just do it' }],
  differences: 'podman asks first.',
};
const group: CommandSpec = {
  name: 'system',
  summary: 'Manage',
  description: 'Whole-system commands.',
  subcommands: [leaf, { name: 'secret', hidden: true, summary: 'x', description: '' }],
};

/** The lines of one section, up to the next .SH. */
function sectionOf(page: string, title: string): string[] {
  const lines = page.trimEnd().split('\n');
  const start = lines.indexOf(`.SH ${title}`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('.SH '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

describe('escapeRoff', () => {
  it('escapes backslashes, hyphens and leading control characters', () => {
    expect(escapeRoff('a\\b')).toBe('a\\eb');
    expect(escapeRoff('--force')).toBe('\\-\\-force');
    expect(escapeRoff(".x\n'y\nz.w")).toBe("\\&.x\n\\&'y\nz.w");
  });

  it('turns code spans into bold', () => {
    expect(escapeRoff('run `tpod -v` now')).toBe('run \\fBtpod \\-v\\fR now');
  });
});

describe('manPage', () => {
  const page = manPage(['system', 'migrate'], leaf, '2025-01-01', '1.2.3');

  it('names the page after its command path', () => {
    expect(pageName(['system', 'migrate'])).toBe('tpod-system-migrate');
    expect(page.split('\n')[0]).toBe('.TH TPOD\\-SYSTEM\\-MIGRATE 1 "2025-01-01" "tpod 1.2.3" "tpod Manual"');
    expect(sectionOf(page, 'NAME')).toEqual(['tpod\\-system\\-migrate \\- Move things']);
  });

  it('gives a synopsis line for the name and each alias', () => {
    expect(sectionOf(page, 'SYNOPSIS')).toEqual([
      '\\fBtpod system migrate\\fR [\\fIOPTIONS\\fR] [\\fITARGET\\fR]',
      '.br',
      '\\fBtpod system mv\\fR [\\fIOPTIONS\\fR] [\\fITARGET\\fR]',
    ]);
  });

  it('keeps paragraphs apart and escapes their text', () => {
    expect(sectionOf(page, 'DESCRIPTION')).toEqual([
      'First paragraph still first.',
      '.PP',
      '\\&.starts with a dot',
      '.PP',
      'Third with \\fBtpod x \\-\\-y\\fR.',
    ]);
  });

  it('lists options sorted, with alias, value name, choices and default', () => {
    expect(sectionOf(page, 'OPTIONS')).toEqual([
      '.TP',
      '\\fB\\-\\-count\\fR=\\fINUMBER\\fR',
      'how many',
      '.TP',
      '\\fB\\-\\-force\\fR, \\fB\\-f\\fR',
      'no questions',
      '.TP',
      '\\fB\\-\\-log\\-level\\fR=\\fILEVEL\\fR',
      'how loud (choices: \\fBdebug\\fR, \\fBwarn\\fR; default: \\fBwarn\\fR)',
    ]);
  });

  it('has arguments, examples, differences and see also', () => {
    expect(sectionOf(page, 'ARGUMENTS')).toEqual(['.TP', '\\fITARGET\\fR', 'where to']);
    expect(sectionOf(page, 'EXAMPLES')).toEqual(['.TP', '\\fBtpod system migrate \\-\\-force\\fR', 'just do it']);
    expect(sectionOf(page, 'DIFFERENCES FROM PODMAN')).toEqual(['podman asks first.']);
    expect(sectionOf(page, 'SEE ALSO')).toEqual([
      '\\fBtpod\\fR(1), \\fBtpod\\-system\\fR(1), \\fBpodman\\-system\\-migrate\\fR(1)',
    ]);
    expect(sectionOf(page, 'COMMANDS')).toEqual([]);
  });

  it('links each visible subcommand of a group to its page', () => {
    const groupPage = manPage(['system'], group, '', '1.2.3');
    expect(sectionOf(groupPage, 'SYNOPSIS')).toEqual(['\\fBtpod system\\fR \\fICOMMAND\\fR']);
    expect(sectionOf(groupPage, 'COMMANDS')).toEqual([
      '.TP',
      '\\fBmigrate\\fR, \\fBmv\\fR',
      'Move things (\\fBtpod\\-system\\-migrate\\fR(1))',
    ]);
    expect(sectionOf(groupPage, 'OPTIONS')).toEqual([]);
    expect(sectionOf(groupPage, 'DIFFERENCES FROM PODMAN')).toEqual([]);
  });
});

describe('mainPage', () => {
  const page = mainPage([group, { ...leaf, name: 'hidden', hidden: true }], '', '1.2.3');

  it('has the sections of tpod(1)', () => {
    const titles = page.split('\n').filter((l) => l.startsWith('.SH ')).map((l) => l.slice(4));
    expect(titles).toEqual([
      'NAME',
      'SYNOPSIS',
      'DESCRIPTION',
      'GLOBAL OPTIONS',
      'COMMANDS',
      'EXIT STATUS',
      'ENVIRONMENT',
      'FILES',
      'SEE ALSO',
    ]);
  });

  it('lists visible top-level commands, global options and the environment', () => {
    expect(sectionOf(page, 'COMMANDS')).toEqual(['.TP', '\\fBsystem\\fR', 'Manage (\\fBtpod\\-system\\fR(1))']);
    expect(sectionOf(page, 'GLOBAL OPTIONS').join('\n')).toContain('\\fB\\-\\-log\\-level\\fR=\\fILEVEL\\fR');
    for (const name of ['TPOD_NODE', 'XDG_RUNTIME_DIR', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME']) {
      expect(sectionOf(page, 'ENVIRONMENT')).toContain(`\\fB${name}\\fR`);
    }
    expect(sectionOf(page, 'EXIT STATUS').filter((l) => /^\\fB\d+\\fR$/.test(l))).toEqual([
      '\\fB125\\fR', '\\fB126\\fR', '\\fB127\\fR',
    ]);
  });
});

describe('allPages', () => {
  it('gives tpod.1, tpod-systemd.unit.5 and one file per visible command', () => {
    expect(allPages([group], '', '1').map((p) => p.file)).toEqual([
      'tpod.1',
      'tpod-systemd.unit.5',
      'tpod-system.1',
      'tpod-system-migrate.1',
    ]);
  });

  it('documents every [Container] key the generator acts on in tpod-systemd.unit(5)', async () => {
    const { CONTAINER_KEYS, VOLUME_KEYS } = await import('../../src/systemd/quadlet.js');
    const page = allPages([group], '', '1').find((p) => p.file === 'tpod-systemd.unit.5')!.text;
    expect(page).toMatch(/^\.TH TPOD\\-SYSTEMD\.UNIT 5 /);
    for (const { key } of [...CONTAINER_KEYS, ...VOLUME_KEYS]) expect(page).toContain(`\\fB${key}=\\fR`);
  });
});
