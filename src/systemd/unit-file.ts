/**
 * systemd unit files as systemd reads them (systemd.syntax(7)): sections,
 * KEY=VALUE lines with the space around "=" dropped, "#" and ";" comments,
 * a trailing backslash joining the next line with a space (comment and empty
 * lines inside such a continuation skipped), repeated keys kept in order and
 * an empty assignment clearing a list; and the command-line quoting of Exec
 * lines (systemd.service(5), "Command lines"). Pure: text in, data out.
 *
 * The ini package reads none of this right: it keeps only the last of
 * repeated keys, treats ";" inside values as comments and knows no
 * continuation lines.
 */

export interface UnitEntry {
  readonly key: string;
  readonly value: string;
}

export interface UnitSection {
  readonly name: string;
  readonly entries: UnitEntry[];
}

/** A parse error, with the line it was found on. */
export class UnitSyntaxError extends Error {}

const isComment = (line: string): boolean => line.startsWith('#') || line.startsWith(';');

/** Whether LINE ends in a backslash that is not itself escaped. */
function continues(line: string): boolean {
  let escaped = false;
  for (const c of line) escaped = escaped ? false : c === '\\';
  return escaped;
}

export class UnitFile {
  readonly sections: UnitSection[] = [];

  /** Parses TEXT; a repeated section continues the first of its name, as systemd reads it. */
  static parse(text: string): UnitFile {
    const unit = new UnitFile();
    let current: UnitSection | undefined;
    const take = (line: string, lineNumber: number) => {
      if (line === '') return;
      if (line.startsWith('[')) {
        if (!line.endsWith(']') || line.length < 3 || /[[\]]/.test(line.slice(1, -1))) throw new UnitSyntaxError(`line ${lineNumber}: invalid section header "${line}"`);
        current = unit.section(line.slice(1, -1), true);
        return;
      }
      const eq = line.indexOf('=');
      if (eq <= 0) throw new UnitSyntaxError(`line ${lineNumber}: "${line}" is neither KEY=VALUE, a [section] nor a comment`);
      if (!current) throw new UnitSyntaxError(`line ${lineNumber}: "${line}" comes before any [section]`);
      current.entries.push({ key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
    };
    let pending: string | undefined;
    let pendingLine = 0;
    text
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .forEach((raw, index) => {
        const trimmed = raw.trim();
        // A comment never continues, and one inside a continuation is skipped (as are empty lines).
        if (isComment(trimmed) || (pending !== undefined && trimmed === '')) return;
        const line = pending === undefined ? raw : pending + raw;
        const lineNumber = pending === undefined ? index + 1 : pendingLine;
        pending = undefined;
        if (continues(line)) {
          pending = `${line.slice(0, -1)} `;
          pendingLine = lineNumber;
        } else {
          take(line.trim(), lineNumber);
        }
      });
    if (pending !== undefined) take(pending.trim(), pendingLine);
    return unit;
  }

  /** The section NAME; with CREATE, made (at the end) when missing. */
  section(name: string, create: true): UnitSection;
  section(name: string, create?: false): UnitSection | undefined;
  section(name: string, create = false): UnitSection | undefined {
    let found = this.sections.find((s) => s.name === name);
    if (!found && create) {
      found = { name, entries: [] };
      this.sections.push(found);
    }
    return found;
  }

  clone(): UnitFile {
    const copy = new UnitFile();
    copy.merge(this);
    return copy;
  }

  /** Adds what OTHER says after what this file says: a drop-in's later assignments win. */
  merge(other: UnitFile): void {
    for (const s of other.sections) this.section(s.name, true).entries.push(...s.entries);
  }

  /** The keys of SECTION, each once, in the order they first appear. */
  keys(section: string): string[] {
    return [...new Set((this.section(section)?.entries ?? []).map((e) => e.key))];
  }

  has(section: string, key: string): boolean {
    return this.raw(section, key) !== undefined;
  }

  /** The last value of KEY as written (continuations joined). */
  raw(section: string, key: string): string | undefined {
    const entries = this.section(section)?.entries ?? [];
    for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.key === key) return entries[i]!.value;
    return undefined;
  }

  /** The last value of KEY, one pair of surrounding double quotes removed (as Quadlet reads single values). */
  get(section: string, key: string): string | undefined {
    const v = this.raw(section, key);
    return v !== undefined && v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v;
  }

  /** Every value of KEY in order; an empty assignment drops those before it. */
  all(section: string, key: string): string[] {
    const values: string[] = [];
    for (const e of this.section(section)?.entries ?? []) {
      if (e.key !== key) continue;
      if (e.value === '') values.length = 0;
      else values.push(e.value);
    }
    return values;
  }

  /** Every value of KEY split into words (quotes and escapes as in Exec lines), all in one list. */
  allWords(section: string, key: string): string[] {
    return this.all(section, key).flatMap(splitWords);
  }

  /** KEY as a boolean (1/yes/true/on, 0/no/false/off), or undefined when absent; other text throws. */
  bool(section: string, key: string): boolean | undefined {
    const v = this.get(section, key);
    if (v === undefined) return undefined;
    return parseBoolean(v, `${key}=${v}`);
  }

  set(section: string, key: string, value: string): void {
    const s = this.section(section, true);
    const last = s.entries.map((e) => e.key).lastIndexOf(key);
    if (last >= 0) s.entries[last] = { key, value };
    else s.entries.push({ key, value });
  }

  add(section: string, key: string, value: string): void {
    this.section(section, true).entries.push({ key, value });
  }

  /** Renames section FROM (merged into TO if that exists too). */
  rename(from: string, to: string): void {
    const s = this.section(from);
    if (!s) return;
    this.sections.splice(this.sections.indexOf(s), 1);
    this.section(to, true).entries.push(...s.entries);
  }

  /** The file as text: one blank line between sections. */
  toString(): string {
    return this.sections.map((s) => [`[${s.name}]`, ...s.entries.map((e) => `${e.key}=${e.value}`)].join('\n')).join('\n\n') + '\n';
  }
}

export function parseBoolean(value: string, what: string): boolean {
  const v = value.toLowerCase();
  if (['1', 'yes', 'y', 'true', 't', 'on'].includes(v)) return true;
  if (['0', 'no', 'n', 'false', 'f', 'off'].includes(v)) return false;
  throw new UnitSyntaxError(`${what}: not a boolean (yes or no)`);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', s: ' ', '\\': '\\', '"': '"', "'": "'" };

/** One C escape at TEXT[i] (after the backslash): the character and how many characters it took. */
function unescapeOne(text: string, i: number): [string, number] {
  const c = text[i]!;
  if (c in SIMPLE_ESCAPES) return [SIMPLE_ESCAPES[c]!, 1];
  const hex = (len: number) => {
    const digits = text.slice(i + 1, i + 1 + len);
    if (digits.length !== len || !/^[0-9a-fA-F]+$/.test(digits)) throw new UnitSyntaxError(`invalid escape "\\${text.slice(i, i + 1 + len)}"`);
    return [String.fromCodePoint(parseInt(digits, 16)), len + 1] as [string, number];
  };
  if (c === 'x') return hex(2);
  if (c === 'u') return hex(4);
  if (c === 'U') return hex(8);
  if (/[0-7]/.test(c)) {
    const digits = text.slice(i, i + 3);
    if (!/^[0-7]{3}$/.test(digits)) throw new UnitSyntaxError(`invalid escape "\\${digits}"`);
    return [String.fromCharCode(parseInt(digits, 8)), 3];
  }
  throw new UnitSyntaxError(`invalid escape "\\${c}"`);
}

/**
 * Splits TEXT into words as systemd splits command lines: whitespace
 * separates, "..." and '...' quote (anywhere in a word), backslash escapes
 * are C's (\n, \t, \xNN, \NNN, \uNNNN, ...) plus \s for a space. An
 * unclosed quote runs to the end, a trailing backslash is dropped (systemd's
 * relaxed mode, as Quadlet reads Exec=).
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      if (i + 1 >= text.length) break;
      const [ch, used] = unescapeOne(text, i + 1);
      word = (word ?? '') + ch;
      i += used;
    } else if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** KEY[=VALUE] words, as Environment= lines give them: VALUE is undefined for a bare KEY. */
export function keyValueWords(values: readonly string[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const word of values.flatMap(splitWords)) {
    const eq = word.indexOf('=');
    out.set(eq < 0 ? word : word.slice(0, eq), eq < 0 ? undefined : word.slice(eq + 1));
  }
  return out;
}

const ESCAPES_OUT: Readonly<Record<string, string>> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };

/**
 * WORD as one word of an Exec line: kept as it is when systemd reads it back
 * the same, else double-quoted with C escapes. "%" and "$" are left alone,
 * as Quadlet leaves them: a unit's author may mean a specifier (%h, %N) or
 * a variable of the service's environment.
 */
export function quoteWord(word: string): string {
  if (word !== '' && !/[\s"'\\\x00-\x1f\x7f]/.test(word)) return word;
  let out = '"';
  for (const c of word) {
    const code = c.codePointAt(0)!;
    out += ESCAPES_OUT[c] ?? (code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c);
  }
  return `${out}"`;
}

/** WORDS as an Exec line. */
export function commandLine(words: readonly string[]): string {
  return words.map(quoteWord).join(' ');
}
