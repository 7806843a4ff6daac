/**
 * tpod diff's walk of a layer over the layers below it, on scratch
 * directories: fuse-overlayfs's whiteout files stand in for the kernel's
 * device nodes, which an unprivileged test cannot make.
 */
import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changesJson } from '../../src/cli/commands/diff.js';
import { inLowerLayers, layerChanges } from '../../src/engine/diff.js';

const scratch = () => mkdtempSync(join(tmpdir(), 'tpod-diff-'));

/** Makes FILES (paths ending in / are directories) under a new directory. */
function layer(files: readonly string[]): string {
  const dir = scratch();
  for (const f of files) {
    if (f.endsWith('/')) mkdirSync(join(dir, f), { recursive: true });
    else {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), f);
    }
  }
  return dir;
}

describe('tpod diff', () => {
  it('lists additions, changes and deletions in podman\'s order, parents first', () => {
    const lower = layer(['etc/passwd', 'etc/group', 'usr/share/f', 'bin/sh']);
    const upper = layer(['etc/passwd', 'etc/newfile', 'd/sub/b', 'd/a', 'x', 'B/', 'usr/share/.wh.f', 'etc/hosts', 'proc/']);
    expect(layerChanges(upper, [lower], true).map((c) => `${c.kind} ${c.path}`)).toEqual([
      'A /B',
      'A /d',
      'A /d/a',
      'A /d/sub',
      'A /d/sub/b',
      'C /etc',
      'A /etc/newfile',
      'C /etc/passwd',
      'C /usr',
      'C /usr/share',
      'D /usr/share/f',
      'A /x',
    ]);
  });

  it('leaves out a copied-up directory that is as it was, and reads .wh. names as names without fuse-overlayfs', () => {
    const lower = layer(['etc/']);
    const upper = layer(['etc/', 'etc/.wh.x']);
    for (const dir of [lower, upper]) utimesSync(join(dir, 'etc'), 1000, 1000);
    expect(layerChanges(upper, [lower], false).map((c) => `${c.kind} ${c.path}`)).toEqual(['C /etc', 'A /etc/.wh.x']);
  });

  it('calls an opaque directory over a lower one deleted, and what it holds now what podman calls it', () => {
    const lower = layer(['usr/share/f']);
    const upper = layer(['usr/share/new/', 'usr/.wh..wh..opq']);
    // podman 4.3 says C for /usr/share, which the lower layers have, though they are hidden now.
    expect(layerChanges(upper, [lower], true).map((c) => `${c.kind} ${c.path}`)).toEqual(['D /usr', 'C /usr/share', 'A /usr/share/new']);
  });

  it('finds a path in the layers below unless a whiteout or opaque directory hides it', () => {
    const bottom = layer(['a/f', 'b/g']);
    const middle = layer(['a/.wh..wh..opq', 'b/']);
    expect(inLowerLayers([middle, bottom], '/a/f')).toBeUndefined();
    expect(inLowerLayers([middle, bottom], '/b/g')).toBeDefined();
    expect(inLowerLayers([middle, bottom], '/c')).toBeUndefined();
  });

  it('writes podman\'s JSON, kinds without paths left out', () => {
    expect(changesJson([{ kind: 'C', path: '/etc' }, { kind: 'A', path: '/x' }])).toBe('{\n     "changed": [\n          "/etc"\n     ],\n     "added": [\n          "/x"\n     ]\n}\n');
    expect(changesJson([])).toBe('{}\n');
  });
});
