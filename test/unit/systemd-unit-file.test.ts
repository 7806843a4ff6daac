/** systemd's unit-file syntax as tpod's generator reads it (systemd.syntax(7)). */
import { describe, expect, it } from 'vitest';
import { UnitFile, UnitSyntaxError, commandLine, keyValueWords, quoteWord, splitWords } from '../../src/systemd/unit-file.js';

describe('UnitFile.parse', () => {
  it('keeps repeated keys in order, and an empty assignment clears the list', () => {
    const u = UnitFile.parse('[Container]\nVolume=a:/a\nVolume=b:/b\nVolume=\nVolume=c:/c\nVolume=d:/d\n');
    expect(u.all('Container', 'Volume')).toEqual(['c:/c', 'd:/d']);
    expect(u.get('Container', 'Volume')).toBe('d:/d');
  });

  it('drops the space around "=" and takes comments (# and ;) and blank lines as nothing', () => {
    const u = UnitFile.parse('# top\n\n[Unit]\n  Description  =   a web server  \n; another\n#Key=not\n');
    expect(u.get('Unit', 'Description')).toBe('a web server');
    expect(u.keys('Unit')).toEqual(['Description']);
  });

  it('keeps ; and # inside values (the ini package would cut them)', () => {
    expect(UnitFile.parse('[Container]\nExec=sh -c "a; b # c"\n').get('Container', 'Exec')).toBe('sh -c "a; b # c"');
  });

  it('joins a line ending in a backslash to the next with a space, skipping comments and blank lines between', () => {
    const u = UnitFile.parse('[Container]\nExec=sh -c \\\n# a comment\n\n   "echo hi"\nImage=x\n');
    expect(splitWords(u.get('Container', 'Exec')!)).toEqual(['sh', '-c', 'echo hi']);
    expect(u.get('Container', 'Image')).toBe('x');
  });

  it('takes a doubled backslash at the end as a backslash, not a continuation', () => {
    const u = UnitFile.parse('[A]\nK=a\\\\\nL=b\n');
    expect(u.get('A', 'K')).toBe('a\\\\');
    expect(u.get('A', 'L')).toBe('b');
  });

  it('ends a continuation at the end of the file', () => {
    expect(UnitFile.parse('[A]\nK=a \\\n').get('A', 'K')).toBe('a');
  });

  it('does not continue a comment that ends in a backslash', () => {
    expect(UnitFile.parse('[A]\n# note \\\nK=v\n').get('A', 'K')).toBe('v');
  });

  it('merges a repeated section into the first of its name', () => {
    const u = UnitFile.parse('[A]\nK=1\n[B]\nL=2\n[A]\nK=3\n');
    expect(u.sections.map((s) => s.name)).toEqual(['A', 'B']);
    expect(u.all('A', 'K')).toEqual(['1', '3']);
  });

  it('strips one pair of surrounding double quotes from a single value, as Quadlet does', () => {
    const u = UnitFile.parse('[A]\nK="two words"\nL="a" "b"\n');
    expect(u.get('A', 'K')).toBe('two words');
    expect(u.get('A', 'L')).toBe('a" "b');
    expect(u.raw('A', 'K')).toBe('"two words"');
  });

  it('reads booleans as systemd does, and refuses others', () => {
    const u = UnitFile.parse('[A]\nX=yes\nY=Off\nZ=1\nW=maybe\n');
    expect([u.bool('A', 'X'), u.bool('A', 'Y'), u.bool('A', 'Z'), u.bool('A', 'none')]).toEqual([true, false, true, undefined]);
    expect(() => u.bool('A', 'W')).toThrow(UnitSyntaxError);
  });

  it('refuses a key outside a section, a line without "=" and a bad header, naming the line', () => {
    expect(() => UnitFile.parse('K=v\n')).toThrow(/line 1: .*before any \[section\]/);
    expect(() => UnitFile.parse('[A]\n\njust words\n')).toThrow(/line 3: "just words" is neither/);
    expect(() => UnitFile.parse('[A\n')).toThrow(/line 1: invalid section header/);
  });

  it('merges drop-ins after the file: later single values win, lists grow', () => {
    const u = UnitFile.parse('[Container]\nImage=a\nVolume=x:/x\n');
    u.merge(UnitFile.parse('[Container]\nImage=b\nVolume=y:/y\n[Service]\nRestart=always\n'));
    expect(u.get('Container', 'Image')).toBe('b');
    expect(u.all('Container', 'Volume')).toEqual(['x:/x', 'y:/y']);
    expect(u.get('Service', 'Restart')).toBe('always');
  });

  it('writes itself back as systemd reads it', () => {
    const text = '[Unit]\nDescription=x\n\n[Service]\nExecStart=/bin/true\n';
    expect(UnitFile.parse(text).toString()).toBe(text);
  });
});

describe('splitWords', () => {
  it('splits on whitespace and unquotes double and single quotes, also inside a word', () => {
    expect(splitWords(`a  "b c"\t'd "e"' f"g h"i ""`)).toEqual(['a', 'b c', 'd "e"', 'fg hi', '']);
  });

  it('applies C escapes, \\s and \\xNN, and drops a trailing backslash', () => {
    expect(splitWords('a\\tb \\x41\\s\\u00e9 "q\\"uote" \\101 end\\')).toEqual(['a\tb', 'A é', 'q"uote', 'A', 'end']);
  });

  it('takes an unclosed quote to the end', () => {
    expect(splitWords('a "b c')).toEqual(['a', 'b c']);
  });

  it('refuses an unknown escape', () => {
    expect(() => splitWords('a\\qb')).toThrow(/invalid escape/);
  });
});

describe('keyValueWords', () => {
  it('reads Environment= lines: quoted pairs, bare names, the last of a name winning', () => {
    const kv = keyValueWords(['A=1 "B=two words"', 'C', 'A=3']);
    expect([...kv]).toEqual([['A', '3'], ['B', 'two words'], ['C', undefined]]);
  });
});

describe('quoteWord and commandLine', () => {
  it('leaves plain words, specifiers and variables alone, and quotes what systemd would split', () => {
    expect(quoteWord('systemd-%N')).toBe('systemd-%N');
    expect(quoteWord('$HOME')).toBe('$HOME');
    expect(quoteWord('two words')).toBe('"two words"');
    expect(quoteWord('')).toBe('""');
    expect(quoteWord('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  it('gives back the same words when split again', () => {
    const words = ['/usr/bin/tpod', 'run', '--env', 'B=two words', 'sh', '-c', 'echo "hi"; exit 3', 'tab\there', "it's"];
    expect(splitWords(commandLine(words))).toEqual(words);
  });
});
