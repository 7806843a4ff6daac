/**
 * podman's --format for a list of rows (go.podman.io/common/pkg/report):
 * 'table {{.A}} {{.B}}' is a table with a header line, one column per word;
 * any other template is printed once per row, with \t and \n as escapes.
 * Pure.
 */
import { table } from './table.js';
import { renderTemplate } from './template.js';

/** The words of a table format: split at spaces and tabs outside {{ }}, so '{{ .ID }}' stays one. */
function columns(body: string): string[] {
  const words: string[] = [];
  let word = '';
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    if (body.startsWith('{{', i)) depth++;
    if (body.startsWith('}}', i)) depth = Math.max(0, depth - 1);
    const ch = body[i]!;
    if (depth === 0 && /\s/.test(ch)) {
      if (word) words.push(word);
      word = '';
    } else {
      word += ch;
    }
  }
  if (word) words.push(word);
  return words;
}

/**
 * podman's header for a field it names no other way: its words (split as
 * fatih/camelcase splits them) in capitals: ContainerID -> CONTAINER ID,
 * CPUNano -> CPU NANO, PIDs -> PI DS.
 */
function defaultHeader(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toUpperCase();
}

const unescape = (text: string): string => text.replace(/\\t/g, '\t').replace(/\\n/g, '\n');

/** True when FORMAT asks for a table ('table' and its columns). */
const isTableFormat = (format: string): boolean => format === 'table' || format.startsWith('table ');

/**
 * ROWS through FORMAT; a table's header cells name each {{.Field}} by
 * HEADERS, else by defaultHeader. NOHEADING leaves the header out.
 */
export function renderRows(format: string, rows: readonly object[], headers: Readonly<Record<string, string>>, noHeading = false): string {
  if (!isTableFormat(format)) {
    const body = unescape(format);
    return rows.map((r) => renderTemplate(body, r)).map((line) => (line.endsWith('\n') ? line : `${line}\n`)).join('');
  }
  const cells = columns(unescape(format.slice('table'.length)));
  const header = cells.map((cell) => cell.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (_, field: string) => headers[field] ?? defaultHeader(field)));
  return table(noHeading ? undefined : header, rows.map((r) => cells.map((cell) => renderTemplate(cell, r))));
}
