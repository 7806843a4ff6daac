/**
 * The part of Go's text/template that --format strings use: {{.Field.Sub}},
 * {{json .Field}}, {{.}} and literal text, with podman's capitalised field
 * names matching our JSON's camelCase ones. Pure; unknown syntax is an error
 * naming the action, not a silent blank.
 */
import { TpodError } from '../../errors.js';

function lookup(root: unknown, path: string): unknown {
  if (path === '.') return root;
  let value: unknown = root;
  for (const field of path.slice(1).split('.')) {
    // Go templates name struct fields (Host.Kernel) where the JSON has host.kernel.
    const key = [field, field.charAt(0).toLowerCase() + field.slice(1)].find(
      (k) => value !== null && typeof value === 'object' && k in value,
    );
    if (key === undefined) throw new TpodError(`template: can't evaluate field ${field} in ${path}`);
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '<no value>';
  if (Array.isArray(value)) return `[${value.map(show).join(' ')}]`;
  if (typeof value === 'object') return `map[${Object.entries(value).map(([k, v]) => `${k}:${show(v)}`).join(' ')}]`;
  return String(value);
}

function evaluate(action: string, data: unknown): string {
  const words = action.trim().split(/\s+/);
  const [first, arg] = words;
  if (words.length === 1 && first?.startsWith('.')) return show(lookup(data, first));
  if (words.length === 2 && first === 'json' && arg?.startsWith('.')) return JSON.stringify(lookup(data, arg));
  throw new TpodError(`template: cannot evaluate {{${action}}}: only {{.Field}} and {{json .Field}} are supported`);
}

export function renderTemplate(template: string, data: unknown): string {
  let out = '';
  let rest = template;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open < 0) return out + rest;
    const close = rest.indexOf('}}', open);
    if (close < 0) throw new TpodError(`template: unclosed action in ${JSON.stringify(template)}`);
    out += rest.slice(0, open) + evaluate(rest.slice(open + 2, close), data);
    rest = rest.slice(close + 2);
  }
}
