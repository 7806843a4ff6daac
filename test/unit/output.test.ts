import { describe, expect, it } from 'vitest';
import { renderTemplate } from '../../src/cli/output/template.js';
import { toYaml } from '../../src/cli/output/yaml.js';

describe('Go-style templates', () => {
  const data = { host: { kernel: '6.1', idMappings: { uidmap: [{ size: 1 }] } }, Client: { Version: '0.1.0' } };
  it('reads fields by podman\'s capitalised names and by our own', () => {
    expect(renderTemplate('{{.Host.Kernel}} {{.host.kernel}} v{{ .Client.Version }}', data)).toBe('6.1 6.1 v0.1.0');
  });
  it('prints json of a field', () => {
    expect(renderTemplate('{{json .Host.IdMappings}}', data)).toBe('{"uidmap":[{"size":1}]}');
  });
  it('shows maps and lists as Go does', () => {
    expect(renderTemplate('{{.Host.IdMappings.Uidmap}}', data)).toBe('[map[size:1]]');
  });
  it('names a missing field', () => {
    expect(() => renderTemplate('{{.Host.Nope}}', data)).toThrow("template: can't evaluate field Nope in .Host.Nope");
  });
  it('refuses what it does not support, and unclosed actions', () => {
    expect(() => renderTemplate('{{range .X}}', data)).toThrow(/only \{\{\.Field\}\}/);
    expect(() => renderTemplate('{{.Host', data)).toThrow(/unclosed/);
  });
});

describe('YAML-like text', () => {
  it('indents nested objects and lists of objects', () => {
    expect(toYaml({ a: { b: 1, c: [{ d: 'x', e: true }], f: [] }, g: 'two words: yes', h: null })).toBe(
      'a:\n  b: 1\n  c:\n    - d: x\n      e: true\n  f: []\ng: "two words: yes"\nh: ""\n',
    );
  });
  it('lists scalars', () => {
    expect(toYaml({ p: ['one', 'two'] })).toBe('p:\n  - one\n  - two\n');
  });
});
