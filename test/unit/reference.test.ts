/** Image references: the distribution grammar and docker.io normalization, as podman parses them. */
import { describe, expect, it } from 'vitest';
import { TpodError } from '../../src/errors.js';
import { formatReference, isDigest, isImageId, parseReference, qualify, withDefaultTag } from '../../src/image/reference.js';

const D = `sha256:${'a'.repeat(64)}`;
const full = (input: string, registry = 'docker.io') => formatReference(qualify(parseReference(input), registry));

describe('parseReference', () => {
  it.each([
    ['alpine', { registry: undefined, repository: 'alpine' }],
    ['library/alpine', { registry: undefined, repository: 'library/alpine' }],
    ['user/app:1', { registry: undefined, repository: 'user/app', tag: '1' }],
    ['a/b/c/d', { registry: undefined, repository: 'a/b/c/d' }],
    ['alpine@' + D, { registry: undefined, repository: 'alpine', digest: D }],
    // Only a first component before a '/' can be a registry.
    ['foo.com', { registry: undefined, repository: 'foo.com' }],
    ['localhost', { registry: undefined, repository: 'localhost' }],
    ['localhost:5000', { registry: undefined, repository: 'localhost', tag: '5000' }],
  ])('reads the short name %s', (input, expected) => {
    expect(parseReference(input)).toEqual(expected);
  });

  it.each([
    ['localhost/app', 'localhost', 'app', undefined],
    ['localhost:5000/x', 'localhost:5000', 'x', undefined],
    ['localhost:5000/x:1.0', 'localhost:5000', 'x', '1.0'],
    ['quay.io/podman/stable:v5', 'quay.io', 'podman/stable', 'v5'],
    ['registry:5000/ns/app', 'registry:5000', 'ns/app', undefined],
    ['Example.COM/app', 'Example.COM', 'app', undefined],
    ['127.0.0.1:5000/a/b:Tag_1.x-y', '127.0.0.1:5000', 'a/b', 'Tag_1.x-y'],
  ])('finds the registry in %s', (input, registry, repository, tag) => {
    expect(parseReference(input)).toEqual({ registry, repository, tag, digest: undefined });
  });

  it('normalizes Docker Hub as containers/image does', () => {
    expect(parseReference('docker.io/alpine')).toEqual({ registry: 'docker.io', repository: 'library/alpine', tag: undefined, digest: undefined });
    expect(parseReference('index.docker.io/user/app:2')).toEqual({ registry: 'docker.io', repository: 'user/app', tag: '2', digest: undefined });
  });

  it('keeps a tag and a digest together', () => {
    expect(parseReference(`quay.io/a/b:1@${D}`)).toEqual({ registry: 'quay.io', repository: 'a/b', tag: '1', digest: D });
  });

  it('accepts the separators the grammar allows', () => {
    for (const name of ['a.b', 'a_b', 'a__b', 'a-b', 'a---b', 'a1/b-2.c_d']) expect(parseReference(name).repository).toBe(name);
  });

  it.each([
    ['Foo', 'repository name must be lowercase'],
    ['docker.io/Foo:latest', 'repository name must be lowercase'],
    ['', 'repository name must have at least one component'],
    [':tag', 'repository name must have at least one component'],
    ['quay.io/', 'repository name must have at least one component'],
    ['a//b', 'invalid repository name'],
    ['a/', 'invalid repository name'],
    ['-a', 'invalid repository name'],
    ['a..b', 'invalid repository name'],
    ['a___b', 'invalid repository name'],
    ['a:b:c', 'invalid repository name'],
    ['a b', 'invalid repository name'],
    ['alpine:', 'invalid tag ""'],
    ['alpine:.x', 'invalid tag ".x"'],
    [`alpine:${'t'.repeat(129)}`, 'invalid tag'],
    ['alpine@sha256:abc', 'invalid digest "sha256:abc"'],
    [`alpine@sha256:${'A'.repeat(64)}`, 'invalid digest'],
    [`alpine@sha512:${'a'.repeat(128)}`, 'invalid digest'],
    ['alpine@', 'invalid digest ""'],
    ['exa_mple.com/app', 'is not a valid registry'],
    ['example.com:port/app', 'is not a valid registry'],
    ['-x.com/app', 'is not a valid registry'],
    ['a'.repeat(64).replace(/a/g, 'f'), 'image id, not a name'],
    [`x.io/${'a'.repeat(260)}`, 'must not be more than 255 characters'],
  ])('refuses %j', (input, why) => {
    const call = () => parseReference(input);
    expect(call).toThrow(TpodError);
    expect(call).toThrow(`invalid reference "${input}": `);
    expect(call).toThrow(why);
  });

  it('names the input in a one-line message', () => {
    expect(() => parseReference('Foo')).toThrow(/^invalid reference "Foo": repository name must be lowercase$/);
  });
});

describe('qualify', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine'],
    ['library/alpine', 'docker.io/library/alpine'],
    ['user/app:1', 'docker.io/user/app:1'],
    [`alpine@${D}`, `docker.io/library/alpine@${D}`],
    ['quay.io/a/b', 'quay.io/a/b'],
  ])('puts %s on docker.io as %s', (input, expected) => {
    expect(full(input)).toBe(expected);
  });

  it('adds library/ only on Docker Hub, including its legacy name', () => {
    expect(full('alpine', 'quay.io')).toBe('quay.io/alpine');
    expect(full('alpine', 'index.docker.io')).toBe('docker.io/library/alpine');
  });

  it('keeps the registry of a qualified name', () => {
    expect(full('localhost:5000/x', 'quay.io')).toBe('localhost:5000/x');
  });
});

describe('formatReference and withDefaultTag', () => {
  const ref = { registry: 'r.io', repository: 'a/b', tag: undefined, digest: undefined };

  it('adds latest only when neither tag nor digest is given', () => {
    expect(formatReference(withDefaultTag(ref))).toBe('r.io/a/b:latest');
    expect(formatReference(withDefaultTag({ ...ref, tag: '1' }))).toBe('r.io/a/b:1');
    expect(formatReference(withDefaultTag({ ...ref, digest: D }))).toBe(`r.io/a/b@${D}`);
  });

  it('round-trips through parseReference', () => {
    for (const s of ['docker.io/library/alpine:3', `localhost:5000/x:1@${D}`, 'quay.io/a/b']) {
      expect(formatReference(qualify(parseReference(s), 'unused.io'))).toBe(s);
    }
  });
});

describe('digests and image ids', () => {
  it('knows a sha256 digest', () => {
    expect(isDigest(D)).toBe(true);
    expect(isDigest('a'.repeat(64))).toBe(false);
    expect(isDigest(`sha256:${'a'.repeat(63)}`)).toBe(false);
    expect(isDigest(`SHA256:${'a'.repeat(64)}`)).toBe(false);
  });

  it('knows full and short image ids', () => {
    expect(isImageId('0123456789ab')).toBe(true);
    expect(isImageId('f'.repeat(64))).toBe(true);
    expect(isImageId('0123456789a')).toBe(false);
    expect(isImageId('f'.repeat(65))).toBe(false);
    expect(isImageId('0123456789AB')).toBe(false);
    expect(isImageId('alpine')).toBe(false);
  });
});
