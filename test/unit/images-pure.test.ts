/** The pure parts of the image code. */
import { describe, expect, it } from 'vitest';
import { splitName } from '../../src/engine/images.js';
import { layerMediaType } from '../../src/engine/push.js';
import { applyChange } from '../../src/image/changes.js';
import { type ImageIndex, parseManifest, parsePlatform, selectManifest } from '../../src/image/manifest.js';
import { parseChallenge } from '../../src/image/registry.js';
import { detectCompression } from '../../src/image/unpack.js';
import { cleanEntryPath } from '../../src/storage/in-root.js';
import { table } from '../../src/cli/output/table.js';
import { humanDuration, humanSize } from '../../src/cli/output/units.js';

describe('manifests', () => {
  const index: ImageIndex = {
    schemaVersion: 2,
    manifests: [
      { mediaType: 'm', digest: 'sha256:a', size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: 'm', digest: 'sha256:b', size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
      { mediaType: 'm', digest: 'sha256:c', size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    ],
  };
  it('picks by os, architecture and variant, and says what there is otherwise', () => {
    expect(selectManifest(index, { os: 'linux', architecture: 'amd64' }, 'x').digest).toBe('sha256:a');
    expect(selectManifest(index, { os: 'linux', architecture: 'arm64', variant: 'v8' }, 'x').digest).toBe('sha256:c');
    expect(selectManifest(index, { os: 'linux', architecture: 'arm64' }, 'x').digest).toBe('sha256:c');
    expect(() => selectManifest(index, { os: 'linux', architecture: 's390x' }, 'img')).toThrow('img: no image for linux/s390x (the registry has linux/amd64, linux/arm/v7, linux/arm64/v8)');
  });
  it('parses platforms', () => {
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(() => parsePlatform('linux')).toThrow(/expected OS\/ARCH/);
  });
  it('tells indexes from manifests, and refuses what it cannot read', () => {
    const m = (doc: object) => Buffer.from(JSON.stringify(doc));
    expect(parseManifest(m({ schemaVersion: 2, manifests: [] }), undefined, 'x').kind).toBe('index');
    const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: 'sha256:l', size: 1 };
    expect(parseManifest(m({ schemaVersion: 2, config: {}, layers: [layer] }), undefined, 'x').kind).toBe('manifest');
    expect(() => parseManifest(m({ schemaVersion: 1 }), undefined, 'x')).toThrow(/schema 1/);
    expect(() => parseManifest(Buffer.from('<html>'), undefined, 'x')).toThrow(/not JSON/);
    expect(() => parseManifest(m({ schemaVersion: 2, config: {}, layers: [{ ...layer, mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip' }] }), undefined, 'x')).toThrow(/which tpod cannot read/);
  });
  it('names layer media types in the manifest\'s family', () => {
    expect(layerMediaType(true, true)).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
    expect(layerMediaType(false, false)).toBe('application/vnd.oci.image.layer.v1.tar');
  });
});

describe('registry protocol', () => {
  it('parses WWW-Authenticate challenges', () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({ scheme: 'basic', params: { realm: 'Registry Realm' } });
  });
});

describe('layers', () => {
  it('keeps entry paths inside the layer', () => {
    expect(cleanEntryPath('../../etc/passwd')).toBe('etc/passwd');
    expect(cleanEntryPath('/abs/./x/../y/')).toBe('abs/y');
    expect(cleanEntryPath('./')).toBe('');
  });
  it('knows compression by its magic number', () => {
    expect(detectCompression(Buffer.from([0x1f, 0x8b, 8, 0]))).toBe('gzip');
    expect(detectCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(detectCompression(Buffer.from('usr/'))).toBe('none');
  });
});

describe('--change', () => {
  it('sets config as Containerfile instructions do', () => {
    let c = applyChange({}, 'CMD ["/bin/sh", "-c", "x"]');
    c = applyChange(c, 'ENTRYPOINT run me');
    c = applyChange(c, 'ENV A=1 B="two words"');
    c = applyChange(c, 'ENV A 3');
    c = applyChange(c, 'EXPOSE 80 53/udp');
    c = applyChange(c, 'LABEL org.example=yes');
    c = applyChange(c, 'VOLUME ["/data"]');
    c = applyChange(c, 'workdir /srv');
    expect(c).toEqual({
      Cmd: ['/bin/sh', '-c', 'x'],
      Entrypoint: ['/bin/sh', '-c', 'run me'],
      Env: ['A=3', 'B=two words'],
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Labels: { 'org.example': 'yes' },
      Volumes: { '/data': {} },
      WorkingDir: '/srv',
    });
    expect(() => applyChange({}, 'RUN make')).toThrow(/--change RUN: not one of/);
  });
});

describe('output', () => {
  it('splits stored names for the REPOSITORY and TAG columns', () => {
    expect(splitName('localhost:5000/a/b:1.0')).toEqual({ repository: 'localhost:5000/a/b', tag: '1.0' });
    expect(splitName('localhost:5000/a/b@sha256:abc')).toEqual({ repository: 'localhost:5000/a/b', tag: '<none>' });
  });
  it('prints sizes and ages as podman does', () => {
    expect(humanSize(7_340_032)).toBe('7.34 MB');
    expect(humanSize(512)).toBe('512 B');
    expect(humanDuration(90 * 60_000)).toBe('2 hours');
    expect(humanDuration(15 * 86_400_000)).toBe('2 weeks');
  });
  it('aligns columns two spaces apart', () => {
    expect(table(['A', 'BB'], [['long', 'x']])).toBe('A     BB\nlong  x\n');
  });
});
