/** --user against an image's /etc/passwd and /etc/group, as podman resolves it (checked against podman 4.3's config.json). */
import { describe, expect, it } from 'vitest';
import { resolveUser } from '../../src/spec/user.js';

const passwd = [
  'root:x:0:0:root:/root:/bin/sh',
  'bin:x:1:1:bin:/bin:/sbin/nologin',
  '# a comment',
  '',
  'www:x:33:33:www:/var/www:/bin/sh',
  'broken:x:abc:1::/x:/bin/sh',
  'dup:x:33:7:second www uid:/dup:/bin/sh',
].join('\n');
const group = ['root:x:0:', 'bin:x:1:', 'www:x:33:', 'extra:x:50:www,bin', 'wheel:x:10:root', 'high:x:70000:www'].join('\n');
const etc = { passwd, group };

describe('resolveUser', () => {
  it('takes a name: its uid, gid, home, and the groups that list it, after its own', () => {
    expect(resolveUser('www', etc)).toEqual({ uid: 33, gid: 33, additionalGids: [33, 50, 70000], home: '/var/www', unmappedGids: [] });
  });

  it('takes a number as a uid, never as a name, and the first entry with it', () => {
    expect(resolveUser('33', etc)).toMatchObject({ uid: 33, gid: 33, home: '/var/www', additionalGids: [33, 50, 70000] });
  });

  it('gives the default (no user) root, with no primary gid among the additional ones', () => {
    expect(resolveUser('', etc)).toEqual({ uid: 0, gid: 0, additionalGids: [10], home: '/root', unmappedGids: [] });
  });

  it('runs a uid the image does not know, with gid 0 and no home', () => {
    expect(resolveUser('4242', etc)).toEqual({ uid: 4242, gid: 0, additionalGids: [0], home: undefined, unmappedGids: [] });
  });

  it('takes an explicit group by name or number, and then no supplementary groups', () => {
    expect(resolveUser('www:extra', etc)).toMatchObject({ uid: 33, gid: 50, additionalGids: [50] });
    expect(resolveUser('bin:10', etc)).toMatchObject({ uid: 1, gid: 10, additionalGids: [10], home: '/bin' });
    expect(resolveUser('4242:999', etc)).toMatchObject({ uid: 4242, gid: 999, additionalGids: [999] });
    expect(resolveUser(':50', etc)).toMatchObject({ uid: 0, gid: 50, additionalGids: [50] });
  });

  it('leaves out groups our user namespace does not map, and says which', () => {
    expect(resolveUser('www', etc, 65537)).toMatchObject({ additionalGids: [33, 50], unmappedGids: [70000] });
  });

  it('works without the files for numbers, and fails for names with podman words', () => {
    expect(resolveUser('1000:1000', {})).toEqual({ uid: 1000, gid: 1000, additionalGids: [1000], home: undefined, unmappedGids: [] });
    expect(resolveUser('', {})).toEqual({ uid: 0, gid: 0, additionalGids: [], home: undefined, unmappedGids: [] });
    expect(() => resolveUser('www', {})).toThrow('unable to find user www: no matching entries in passwd file');
    expect(() => resolveUser('1:www', {})).toThrow('unable to find group www: no matching entries in group file');
  });

  it('refuses unknown names and ids out of range', () => {
    expect(() => resolveUser('nosuch', etc)).toThrow('unable to find user nosuch: no matching entries in passwd file');
    expect(() => resolveUser('www:nosuch', etc)).toThrow('unable to find group nosuch: no matching entries in group file');
    expect(() => resolveUser('2147483648', etc)).toThrow('uids and gids must be in range 0-2147483647');
  });

  it('adds --group-add\'s groups, by name or gid, after the user\'s own, and refuses one the namespace cannot give', () => {
    expect(resolveUser('www', etc, 65536, ['wheel', '4242']).additionalGids).toEqual([33, 50, 10, 4242]);
    expect(resolveUser('', etc, 65536, ['extra']).additionalGids).toEqual([10, 50]);
    expect(() => resolveUser('', etc, 65536, ['nosuch'])).toThrow('unable to find group nosuch: no matching entries in group file');
    expect(() => resolveUser('', etc, 65536, ['high'])).toThrow("--group-add high: gid 70000 is not mapped in tpod's user namespace, which maps gids 0 to 65535");
  });
});
