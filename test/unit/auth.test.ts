import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authFiles, findCredentials, lookupCredentials, normalizeKey, removeCredentials, storeCredentials } from '../../src/config/auth.js';

const auth = (user: string, pass: string) => ({ auth: Buffer.from(`${user}:${pass}`).toString('base64') });

describe('auth.json', () => {
  it('reads podman\'s files in podman\'s order, or only the one named', () => {
    const env = { HOME: '/home/u', XDG_RUNTIME_DIR: '/run/user/1', XDG_CONFIG_HOME: '/cfg' };
    expect(authFiles(env)).toEqual(['/run/user/1/containers/auth.json', '/cfg/containers/auth.json', '/home/u/.docker/config.json']);
    expect(authFiles({ HOME: '/home/u' })).toEqual(['/home/u/.config/containers/auth.json', '/home/u/.docker/config.json']);
    expect(authFiles({ ...env, REGISTRY_AUTH_FILE: '/x.json' })).toEqual(['/x.json']);
    expect(authFiles({ ...env, REGISTRY_AUTH_FILE: '/x.json' }, '/y.json')).toEqual(['/y.json']);
  });

  it('treats docker\'s keys for Docker Hub as docker.io', () => {
    expect(normalizeKey('https://index.docker.io/v1/')).toBe('docker.io');
    expect(normalizeKey('registry-1.docker.io')).toBe('docker.io');
    expect(normalizeKey('http://localhost:5000/')).toBe('localhost:5000');
  });

  it('takes the most specific key for a repository', () => {
    const file = { auths: { 'quay.io': auth('all', 'a'), 'quay.io/team': auth('team', 't'), 'https://index.docker.io/v1/': auth('hub', 'h') } };
    expect(findCredentials(file, 'quay.io', 'team/app')).toEqual({ username: 'team', password: 't' });
    expect(findCredentials(file, 'quay.io', 'other/app')).toEqual({ username: 'all', password: 'a' });
    expect(findCredentials(file, 'docker.io', 'library/alpine')).toEqual({ username: 'hub', password: 'h' });
    expect(findCredentials(file, 'ghcr.io', 'x')).toBeUndefined();
  });

  it('keeps what else a file holds when storing and removing, and says when there was nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tpod-auth-'));
    const file = join(dir, 'containers/auth.json');
    storeCredentials(file, 'quay.io', { username: 'me', password: 'p:w' });
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), credHelpers: { 'ghcr.io': 'pass' } }));
    storeCredentials(file, 'ghcr.io', { username: 'you', password: 'q' });
    expect(lookupCredentials([join(dir, 'none.json'), file], 'quay.io', 'a/b')).toEqual({ username: 'me', password: 'p:w' });
    expect(removeCredentials(file, 'quay.io')).toBe(true);
    expect(removeCredentials(file, 'quay.io')).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8')).credHelpers).toEqual({ 'ghcr.io': 'pass' });
    expect(removeCredentials(file, undefined)).toBe(true);
    expect(lookupCredentials([file], 'ghcr.io', 'x')).toBeUndefined();
  });
});
