/** Nested reports as indented "key: value" lines, the way podman info shows them. Pure. */
function scalar(value: unknown): string {
  if (value === null || value === undefined) return '""';
  if (typeof value === 'string') return value === '' || /^[\s]|[\s]$|: /.test(value) ? JSON.stringify(value) : value;
  return String(value);
}

function isEmpty(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}

export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    return value
      .map((item) => {
        if (typeof item !== 'object' || item === null || isEmpty(item)) return `${indent}- ${isEmpty(item) ? '{}' : scalar(item)}\n`;
        const body = toYaml(item, `${indent}  `);
        return `${indent}- ${body.slice(indent.length + 2)}`;
      })
      .join('');
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([key, v]) => {
        if (typeof v === 'object' && v !== null && !isEmpty(v)) return `${indent}${key}:\n${toYaml(v, `${indent}  `)}`;
        return `${indent}${key}: ${Array.isArray(v) ? '[]' : isEmpty(v) ? '{}' : scalar(v)}\n`;
      })
      .join('');
  }
  return `${indent}${scalar(value)}\n`;
}
