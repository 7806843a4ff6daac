/**
 * settledContainers: what `tpod ps` lists without the store (src/quick.ts),
 * or nothing when a container needs the recovery only the full listing does.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { settledContainers } from '../../src/engine/container-list.js';
import { ownIdentity } from '../../src/rootless/process.js';
import type { ContainerRecord } from '../../src/storage/containers.js';
import { resolvePaths } from '../../src/storage/paths.js';
import { writeRecord } from '../../src/storage/records.js';

describe('settledContainers', () => {
  let home: string;
  const paths = () => resolvePaths({ XDG_DATA_HOME: home }, '/nonexistent');
  const put = (record: Partial<ContainerRecord> & Pick<ContainerRecord, 'id' | 'created' | 'state'>) => {
    const dir = join(home, 'tpod', 'containers', record.id);
    mkdirSync(dir, { recursive: true });
    writeRecord(join(dir, 'container.json'), { name: record.id, ...record });
  };

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'tpod-list-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('lists every container newest first while their monitors live', () => {
    put({ id: 'old', created: '2026-01-01T10:00:00.000Z', state: 'exited' });
    put({ id: 'new', created: '2026-01-02T10:00:00.000Z', state: 'running', monitor: ownIdentity() });
    put({ id: 'mid', created: '2026-01-01T12:00:00.000Z', state: 'created' });
    mkdirSync(join(home, 'tpod', 'containers', 'half-removed'));
    expect(settledContainers(paths())?.map((c) => c.id)).toEqual(['new', 'mid', 'old']);
  });

  it('lists nothing when a running container lost its monitor, or there is no store yet', () => {
    expect(settledContainers(paths())).toBeUndefined();
    put({ id: 'fine', created: '2026-01-01T10:00:00.000Z', state: 'running', monitor: ownIdentity() });
    put({ id: 'orphan', created: '2026-01-01T11:00:00.000Z', state: 'running', monitor: { pid: process.pid, startTime: ownIdentity().startTime + 1 } });
    expect(settledContainers(paths())).toBeUndefined();
  });
});
