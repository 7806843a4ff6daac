/** podman's registries.conf: parsing, drop-in merge, short names, prefixes, mirrors. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  loadRegistriesConf,
  mergeRegistriesConf,
  parseRegistriesConf,
  registryConfig,
  resolveShortName,
  type RegistriesConf,
} from '../../src/config/registries.js';
import { TpodError } from '../../src/errors.js';
import { formatReference, parseReference, qualify, type ImageReference } from '../../src/image/reference.js';

const D = `sha256:${'b'.repeat(64)}`;
const ref = (s: string): ImageReference => qualify(parseReference(s), 'docker.io');
const candidates = (conf: RegistriesConf, input: string) => resolveShortName(conf, parseReference(input)).map(formatReference);
const access = (conf: RegistriesConf, input: string) => {
  const a = registryConfig(conf, ref(input));
  return { ...a, location: formatReference(a.location), mirrors: a.mirrors.map((m) => ({ ...m, location: formatReference(m.location) })) };
};

describe('parseRegistriesConf', () => {
  it('reads the man page example', () => {
    const conf = parseRegistriesConf(`
unqualified-search-registries = ["example.com"]
short-name-mode = "enforcing"

[[registry]]
prefix = "example.com/foo"
insecure = false
blocked = false
location = "internal-registry-for-example.com/bar"

[[registry.mirror]]
location = "example-mirror-0.local/mirror-for-foo"

[[registry.mirror]]
location = "example-mirror-1.local/mirrors/foo"
insecure = true

[[registry]]
location = "registry.com/"

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"opensuse/leap" = "registry.opensuse.org/opensuse/leap"
`);
    expect(conf.unqualifiedSearchRegistries).toEqual(['example.com']);
    expect(conf.shortNameMode).toBe('enforcing');
    expect(conf.registries).toEqual([
      {
        prefix: 'example.com/foo',
        location: 'internal-registry-for-example.com/bar',
        insecure: false,
        blocked: false,
        mirrorByDigestOnly: false,
        mirrors: [
          { location: 'example-mirror-0.local/mirror-for-foo', insecure: false, pullFromMirror: 'all' },
          { location: 'example-mirror-1.local/mirrors/foo', insecure: true, pullFromMirror: 'all' },
        ],
      },
      // The prefix defaults to the location, trailing slash dropped.
      { prefix: 'registry.com', location: 'registry.com', insecure: false, blocked: false, mirrorByDigestOnly: false, mirrors: [] },
    ]);
    expect([...conf.aliases.keys()]).toEqual(['fedora', 'opensuse/leap']);
    expect(formatReference(conf.aliases.get('fedora')!)).toBe('registry.fedoraproject.org/fedora');
  });

  it('gives an empty configuration for a file of comments', () => {
    const conf = parseRegistriesConf('# unqualified-search-registries = ["example.com"]\n');
    expect(conf).toEqual({ unqualifiedSearchRegistries: undefined, registries: [], aliases: new Map(), shortNameMode: undefined });
  });

  it('tells an explicit empty search list from a missing one', () => {
    expect(parseRegistriesConf('unqualified-search-registries = []').unqualifiedSearchRegistries).toEqual([]);
  });

  it('normalizes docker.io alias values and keeps an empty value as an erasure', () => {
    const conf = parseRegistriesConf('[aliases]\n"alpine" = "docker.io/alpine"\n"gone" = ""\n');
    expect(formatReference(conf.aliases.get('alpine')!)).toBe('docker.io/library/alpine');
    expect(conf.aliases.has('gone')).toBe(true);
    expect(conf.aliases.get('gone')).toBeUndefined();
  });

  it('keeps the first table for a prefix within one file, as podman does', () => {
    const conf = parseRegistriesConf('[[registry]]\nlocation = "a.io"\ninsecure = true\n[[registry]]\nlocation = "a.io"\n');
    expect(conf.registries).toHaveLength(1);
    expect(conf.registries[0]!.insecure).toBe(true);
  });

  it('accepts a wildcard prefix without a location', () => {
    expect(parseRegistriesConf('[[registry]]\nprefix = "*.example.com"\nblocked = true\n').registries[0]).toMatchObject({ prefix: '*.example.com', location: '' });
  });

  it('names the file and the line of a TOML error, on one line', () => {
    const call = () => parseRegistriesConf('a = 1\nb = [\nc', '/etc/containers/registries.conf.d/x.conf');
    expect(call).toThrow(TpodError);
    expect(call).toThrow(/^\/etc\/containers\/registries\.conf\.d\/x\.conf: line 3: [^\n]+$/);
  });

  it.each([
    ['[registries.search]\nregistries = ["a.io"]', 'version 1 format'],
    ['unqualified-search-registries = "a.io"', 'must be an array of strings'],
    ['unqualified-search-registries = ["a.io/ns"]', '"a.io/ns" is not a registry'],
    ['short-name-mode = "prompt"', 'short-name-mode "prompt"'],
    ['[[registry]]\ninsecure = true', 'neither prefix nor location'],
    ['[[registry]]\nprefix = "a.io/x"', 'has no location'],
    ['[[registry]]\nlocation = "https://a.io"', 'URI schemes are not supported'],
    ['[[registry]]\nlocation = "a.io"\ninsecure = "yes"', 'registry.insecure must be true or false'],
    ['[[registry]]\nprefix = "*.a.io/x"\nlocation = "b.io"', 'wildcard prefix'],
    ['[[registry]]\nlocation = "a.io"\n[[registry.mirror]]\ninsecure = true', 'has no location'],
    ['[[registry]]\nlocation = "a.io"\n[[registry.mirror]]\nlocation = "m.io"\npull-from-mirror = "some"', 'pull-from-mirror must be'],
    ['[[registry]]\nlocation = "a.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m.io"\npull-from-mirror = "all"', 'both mirror-by-digest-only'],
    ['registry = "a.io"', 'must be an array of tables'],
    ['[aliases]\n"a.io/x" = "b.io/x"', 'without a registry'],
    ['[aliases]\n"x:1" = "b.io/x"', 'must not have a tag'],
    ['[aliases]\n"x" = "y/x"', 'must name its registry'],
    ['[aliases]\n"x" = "b.io/x:1"', 'must not have a tag or digest'],
    ['[aliases]\n"X" = "b.io/x"', 'invalid reference "X": repository name must be lowercase'],
    ['[aliases]\n"x" = 1', 'must be a string'],
  ])('refuses %j', (text, why) => {
    expect(() => parseRegistriesConf(text, 'r.conf')).toThrow(/^r\.conf: /);
    expect(() => parseRegistriesConf(text, 'r.conf')).toThrow(why);
  });
});

describe('mergeRegistriesConf', () => {
  const base = parseRegistriesConf(`
unqualified-search-registries = ["a.io", "b.io"]
short-name-mode = "permissive"
[[registry]]
location = "a.io"
insecure = true
[[registry]]
location = "keep.io"
[aliases]
"x" = "a.io/x"
"y" = "a.io/y"
`);

  it('overrides per key: the search list, a registry by prefix, an alias by name', () => {
    const dropIn = parseRegistriesConf(`
unqualified-search-registries = ["c.io"]
[[registry]]
location = "a.io"
blocked = true
[aliases]
"y" = "c.io/y"
"z" = "c.io/z"
`);
    const conf = mergeRegistriesConf([base, dropIn]);
    expect(conf.unqualifiedSearchRegistries).toEqual(['c.io']);
    expect(conf.shortNameMode).toBe('permissive');
    expect(conf.registries.map((r) => [r.prefix, r.insecure, r.blocked])).toEqual([
      ['keep.io', false, false],
      // The whole table is replaced, not merged field by field.
      ['a.io', false, true],
    ]);
    expect(Object.fromEntries([...conf.aliases].map(([k, v]) => [k, v && formatReference(v)]))).toEqual({ x: 'a.io/x', y: 'c.io/y', z: 'c.io/z' });
  });

  it('keeps what a drop-in does not set, and lets an empty list or alias erase', () => {
    const conf = mergeRegistriesConf([base, parseRegistriesConf('unqualified-search-registries = []\n[aliases]\n"x" = ""\n')]);
    expect(conf.unqualifiedSearchRegistries).toEqual([]);
    expect(conf.registries).toHaveLength(2);
    expect(conf.aliases.get('x')).toBeUndefined();
    expect(mergeRegistriesConf([base, parseRegistriesConf('')]).unqualifiedSearchRegistries).toEqual(['a.io', 'b.io']);
  });

  it('applies later files last', () => {
    const files = ['short-name-mode = "disabled"', 'short-name-mode = "enforcing"'].map((t) => parseRegistriesConf(t));
    expect(mergeRegistriesConf(files).shortNameMode).toBe('enforcing');
    expect(mergeRegistriesConf([]).registries).toEqual([]);
  });
});

describe('resolveShortName', () => {
  const conf = parseRegistriesConf(`
unqualified-search-registries = ["registry.fedoraproject.org", "docker.io", "localhost:5000"]
[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
"opensuse/leap" = "registry.opensuse.org/opensuse/leap"
"gone" = ""
`);

  it('takes an alias alone, carrying the tag and digest over', () => {
    expect(candidates(conf, 'fedora')).toEqual(['registry.fedoraproject.org/fedora']);
    expect(candidates(conf, 'fedora:40')).toEqual(['registry.fedoraproject.org/fedora:40']);
    expect(candidates(conf, `opensuse/leap@${D}`)).toEqual([`registry.opensuse.org/opensuse/leap@${D}`]);
  });

  it('tries each search registry in order, with docker.io normalization', () => {
    expect(candidates(conf, 'alpine:3')).toEqual(['registry.fedoraproject.org/alpine:3', 'docker.io/library/alpine:3', 'localhost:5000/alpine:3']);
    expect(candidates(conf, 'gone')).toEqual(['registry.fedoraproject.org/gone', 'docker.io/library/gone', 'localhost:5000/gone']);
  });

  it('looks an alias up by the name as typed', () => {
    expect(candidates(conf, 'library/fedora')[0]).toBe('registry.fedoraproject.org/library/fedora');
  });

  it('uses docker.io when no search registry is configured', () => {
    const none = parseRegistriesConf('');
    expect(candidates(none, 'alpine')).toEqual(['docker.io/library/alpine']);
    expect(candidates(none, 'user/app:1')).toEqual(['docker.io/user/app:1']);
    expect(candidates(parseRegistriesConf('unqualified-search-registries = []'), 'alpine')).toEqual(['docker.io/library/alpine']);
  });

  it('leaves a qualified name alone, aliases and search list notwithstanding', () => {
    expect(candidates(conf, 'quay.io/fedora/fedora')).toEqual(['quay.io/fedora/fedora']);
    expect(candidates(conf, 'docker.io/fedora')).toEqual(['docker.io/library/fedora']);
  });
});

describe('registryConfig', () => {
  const conf = parseRegistriesConf(`
[[registry]]
prefix = "example.com/foo"
location = "internal.example.net/bar"
[[registry.mirror]]
location = "mirror-0.local/mirror-for-foo"
[[registry.mirror]]
location = "mirror-1.local/mirrors/foo"
insecure = true

[[registry]]
prefix = "example.com"
location = "example.com"
blocked = true

[[registry]]
location = "localhost:5000"
insecure = true

[[registry]]
prefix = "*.corp.test"
insecure = true

[[registry]]
prefix = "*.mirrored.test"
location = "central.test"

[[registry]]
prefix = "docker.io/library/alpine"
location = "hub-cache.local/alpine"

[[registry]]
location = "digests.test"
mirror-by-digest-only = true
[[registry.mirror]]
location = "d-mirror.test"

[[registry]]
location = "split.test"
[[registry.mirror]]
location = "by-digest.test"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "by-tag.test"
pull-from-mirror = "tag-only"
`);

  it('rewrites by the longest prefix, mirrors first', () => {
    expect(access(conf, 'example.com/foo/image:latest')).toEqual({
      location: 'internal.example.net/bar/image:latest',
      insecure: false,
      blocked: false,
      mirrors: [
        { location: 'mirror-0.local/mirror-for-foo/image:latest', insecure: false },
        { location: 'mirror-1.local/mirrors/foo/image:latest', insecure: true },
      ],
    });
    expect(access(conf, 'example.com/other')).toEqual({ location: 'example.com/other', insecure: false, blocked: true, mirrors: [] });
  });

  it('matches whole components only', () => {
    expect(access(conf, 'example.com/foobar').blocked).toBe(true);
    expect(access(conf, 'example.com/foobar').location).toBe('example.com/foobar');
    expect(access(conf, 'example.community/x').blocked).toBe(false);
    expect(access(conf, 'localhost:50001/x').insecure).toBe(false);
  });

  it('matches the repository itself, with a tag or a digest after it', () => {
    expect(access(conf, 'example.com/foo').location).toBe('internal.example.net/bar');
    expect(access(conf, 'alpine:3').location).toBe('hub-cache.local/alpine:3');
    expect(access(conf, `alpine@${D}`).location).toBe(`hub-cache.local/alpine@${D}`);
    // docker.io/alpine/x is the user "alpine", not library/alpine.
    expect(access(conf, 'alpine/x').location).toBe('docker.io/alpine/x');
  });

  it('marks an insecure registry', () => {
    expect(access(conf, 'localhost:5000/app:1')).toEqual({ location: 'localhost:5000/app:1', insecure: true, blocked: false, mirrors: [] });
  });

  it('matches any subdomain of a wildcard prefix, and only in the registry', () => {
    expect(access(conf, 'a.corp.test/x')).toMatchObject({ location: 'a.corp.test/x', insecure: true });
    expect(access(conf, 'a.b.corp.test:5000/x').insecure).toBe(true);
    expect(access(conf, 'corp.test/x').insecure).toBe(false);
    expect(access(conf, 'other.io/a.corp.test/x').insecure).toBe(false);
    expect(access(conf, 'a.mirrored.test/ns/x:1').location).toBe('central.test/ns/x:1');
  });

  it('uses a reference no table matches as it is', () => {
    expect(access(conf, 'quay.io/a/b')).toEqual({ location: 'quay.io/a/b', insecure: false, blocked: false, mirrors: [] });
  });

  it('keeps mirrors to the pulls they are meant for', () => {
    expect(access(conf, 'digests.test/x:1').mirrors).toEqual([]);
    expect(access(conf, `digests.test/x@${D}`).mirrors.map((m) => m.location)).toEqual([`d-mirror.test/x@${D}`]);
    expect(access(conf, 'split.test/x:1').mirrors.map((m) => m.location)).toEqual(['by-tag.test/x:1']);
    expect(access(conf, `split.test/x@${D}`).mirrors.map((m) => m.location)).toEqual([`by-digest.test/x@${D}`]);
  });

  it('uses the table of a later drop-in for the same prefix', () => {
    const merged = mergeRegistriesConf([conf, parseRegistriesConf('[[registry]]\nlocation = "localhost:5000"\n')]);
    expect(access(merged, 'localhost:5000/app').insecure).toBe(false);
  });

  it('says so when a location leaves no registry', () => {
    const bad = parseRegistriesConf('[[registry]]\nprefix = "a.io"\nlocation = "nodots"\n');
    expect(() => registryConfig(bad, ref('a.io/x'))).toThrow('names no registry');
  });
});

describe('loadRegistriesConf', () => {
  let home: string;
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  const setup = (files: Record<string, string>) => {
    home = mkdtempSync(join(tmpdir(), 'tpod-registries-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(home, path, '..'), { recursive: true });
      writeFileSync(join(home, path), text);
    }
    return home;
  };
  const user = '.config/containers/registries.conf';

  it('reads the user file and its drop-ins in name order, skipping other files', () => {
    setup({
      [user]: 'unqualified-search-registries = ["a.io"]\nshort-name-mode = "disabled"\n',
      [`${user}.d/20-b.conf`]: 'unqualified-search-registries = ["c.io"]\n',
      [`${user}.d/10-a.conf`]: 'unqualified-search-registries = ["b.io"]\n[aliases]\n"x" = "b.io/x"\n',
      [`${user}.d/30-ignored.conf.bak`]: 'not toml [',
      [`${user}.d/sub.conf/inner.conf`]: 'not toml [',
    });
    const conf = loadRegistriesConf({ HOME: home });
    expect(conf.unqualifiedSearchRegistries).toEqual(['c.io']);
    expect(conf.shortNameMode).toBe('disabled');
    expect(conf.aliases.has('x')).toBe(true);
  });

  it('takes CONTAINERS_REGISTRIES_CONF first, and the user drop-ins after it', () => {
    setup({
      [user]: 'unqualified-search-registries = ["user.io"]\n',
      'other.conf': 'unqualified-search-registries = ["env.io"]\n[aliases]\n"e" = "env.io/e"\n',
      [`${user}.d/a.conf`]: '[aliases]\n"d" = "d.io/d"\n',
    });
    const conf = loadRegistriesConf({ HOME: home, CONTAINERS_REGISTRIES_CONF: join(home, 'other.conf') });
    expect(conf.unqualifiedSearchRegistries).toEqual(['env.io']);
    expect([...conf.aliases.keys()].sort()).toEqual(expect.arrayContaining(['d', 'e']));
  });

  it('refuses a missing CONTAINERS_REGISTRIES_CONF file', () => {
    setup({});
    expect(() => loadRegistriesConf({ HOME: home, CONTAINERS_REGISTRIES_CONF: join(home, 'none.conf') })).toThrow('CONTAINERS_REGISTRIES_CONF');
  });

  it('names the drop-in that is malformed', () => {
    setup({ [user]: '', [`${user}.d/bad.conf`]: 'x = [' });
    expect(() => loadRegistriesConf({ HOME: home })).toThrow(`${home}/${user}.d/bad.conf: line 1: `);
  });
});
