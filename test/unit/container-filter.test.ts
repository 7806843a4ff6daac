/** ps --filter as podman reads it. */
import { describe, expect, it } from 'vitest';
import { containerFilter } from '../../src/cli/options/container-filter.js';
import type { ContainerRecord } from '../../src/storage/containers.js';

const container = (fields: Partial<ContainerRecord>): ContainerRecord => ({
  id: 'abc123',
  name: 'web',
  imageId: 'f00d',
  imageName: 'docker.io/library/nginx:latest',
  command: [],
  created: '2026-11-24T00:00:00Z',
  state: 'running',
  autoRemove: false,
  config: {},
  ...fields,
});

describe('containerFilter', () => {
  const web = container({ labels: { app: 'shop', tier: '' } });
  const db = container({ id: 'def456', name: 'db-1', state: 'exited', imageName: 'localhost/postgres:15', imageId: 'beef' });

  it('matches names as regular expressions, ids by prefix, status and labels', () => {
    expect([web, db].filter(containerFilter(['name=^db']))).toEqual([db]);
    expect([web, db].filter(containerFilter(['id=abc']))).toEqual([web]);
    expect([web, db].filter(containerFilter(['status=exited']))).toEqual([db]);
    expect([web, db].filter(containerFilter(['label=app=shop']))).toEqual([web]);
    expect([web, db].filter(containerFilter(['label=tier']))).toEqual([web]);
    expect([web, db].filter(containerFilter(['label=app=other']))).toEqual([]);
  });

  it('matches an ancestor by id prefix, full name, name without tag or short name', () => {
    for (const ancestor of ['f00', 'docker.io/library/nginx:latest', 'docker.io/library/nginx', 'nginx', 'nginx:latest']) {
      expect([web, db].filter(containerFilter([`ancestor=${ancestor}`])), ancestor).toEqual([web]);
    }
  });

  it('takes one key\'s values as alternatives and needs every key', () => {
    expect([web, db].filter(containerFilter(['status=exited', 'status=running']))).toEqual([web, db]);
    expect([web, db].filter(containerFilter(['status=running', 'name=db']))).toEqual([]);
    expect(containerFilter(['status=exited']).impliesAll).toBe(true);
    expect(containerFilter(['name=x']).impliesAll).toBe(false);
  });

  it('refuses what it does not know, in one line', () => {
    expect(() => containerFilter(['colour=red'])).toThrow('invalid filter "colour=red"');
    expect(() => containerFilter(['status=sleeping'])).toThrow('invalid status "sleeping"');
    expect(() => containerFilter(['name=('])).toThrow('not a regular expression');
  });
});
