/** --userns=keep-id's maps and /etc entries, checked against podman 4.3's config.json and container for the same caller. */
import { describe, expect, it } from 'vitest';
import { type Account, callerAccount, callerHome, etcWithCaller, keepId, ourIds, parseUserns, userSpec } from '../../src/spec/userns.js';

const caller: Account = { uid: 1002, gid: 1002, name: 'dev', gecos: 'A Developer', home: '/home/dev', group: 'devs' };

describe('parseUserns', () => {
  it('takes host and keep-id, and says what it does not know', () => {
    expect(parseUserns('host')).toBe('host');
    expect(parseUserns('')).toBe('host');
    expect(parseUserns('keep-id')).toBe('keep-id');
    expect(() => parseUserns('keep-id:uid=0')).toThrow('--userns=keep-id:uid=0: keep-id takes no options in tpod yet (uid=, gid=, size=)');
    expect(() => parseUserns('auto')).toThrow('--userns=auto: tpod knows host and keep-id');
  });
});

describe('keepId', () => {
  it("maps the caller to our 0, the ids below to our 1.., the rest to themselves, as podman's keep-id", () => {
    // podman 4.3, tpod-test (1002) with 65536 subordinate ids.
    const k = keepId(caller, 65537, 65537);
    expect(k.uidMappings).toEqual([
      { containerID: 0, hostID: 1, size: 1002 },
      { containerID: 1002, hostID: 0, size: 1 },
      { containerID: 1003, hostID: 1003, size: 64534 },
    ]);
    expect(k.gidMappings).toEqual(k.uidMappings);
  });

  it("shows the image's stored ids to fuse-overlayfs through the same map", () => {
    expect(keepId(caller, 65537, 65537).storage).toBe('uidmapping=0:1:1002:1002:0:1:1003:1003:64534,gidmapping=0:1:1002:1002:0:1:1003:1003:64534');
  });

  it('stores a caller beyond our ids as the highest one, which the namespace maps (podman#10272)', () => {
    const k = keepId({ ...caller, uid: 177777777, gid: 100 }, 65537, 65537);
    expect(k.uidMappings).toEqual([
      { containerID: 0, hostID: 1, size: 65536 },
      { containerID: 177777777, hostID: 0, size: 1 },
    ]);
    expect(k.storage).toBe('uidmapping=0:1:65536:65536:0:1,gidmapping=0:1:100:100:0:1:101:101:65436');
  });

  it('maps only the caller when there are no subordinate ids', () => {
    const k = keepId(caller, 1, 1);
    expect(k.uidMappings).toEqual([{ containerID: 1002, hostID: 0, size: 1 }]);
    expect(k.storage).toBe('uidmapping=0:0:1,gidmapping=0:0:1');
  });

  it('gives what tpod makes for the container our ids for its user, and refuses an unmapped one', () => {
    const k = keepId(caller, 65537, 65537);
    expect(ourIds(k, { uid: 1002, gid: 1002 })).toEqual({ uid: 0, gid: 0 });
    expect(ourIds(k, { uid: 0, gid: 0 })).toEqual({ uid: 1, gid: 1 });
    expect(ourIds(k, { uid: 1000, gid: 2000 })).toEqual({ uid: 1001, gid: 2000 });
    expect(() => ourIds(k, { uid: 70000, gid: 0 })).toThrow("user 70000:0 is not mapped in the container's user namespace");
  });
});

describe('userSpec', () => {
  it('runs -u, else the image User, else with keep-id the caller', () => {
    const k = keepId(caller, 65537, 65537);
    expect(userSpec('app', 'www', k)).toBe('app');
    expect(userSpec(undefined, 'www', k)).toBe('www');
    expect(userSpec(undefined, '', k)).toBe('1002:1002');
    expect(userSpec(undefined, undefined, undefined)).toBe('');
  });
});

describe('callerAccount', () => {
  const passwd = 'root:x:0:0:root:/root:/bin/bash\ndev:x:1002:1002:A Developer,,,:/home/dev:/bin/bash\n';
  const group = 'root:x:0:\ndevs:x:1002:\n';

  it("reads the caller's entries from the host's files", () => {
    expect(callerAccount({ passwd, group }, 1002, 1002, {})).toEqual({
      uid: 1002, gid: 1002, name: 'dev', gecos: 'A Developer,,,', home: '/home/dev', group: 'devs',
    });
  });

  it('falls back to the environment, then to the numbers, for an account the files lack', () => {
    expect(callerAccount({ passwd, group }, 5000, 5000, { USER: 'ldap', HOME: '/net/ldap' })).toEqual({
      uid: 5000, gid: 5000, name: 'ldap', gecos: '', home: '/net/ldap', group: 'ldap',
    });
    expect(callerAccount({}, 5000, 6000, {})).toMatchObject({ name: '5000', home: '/', group: '5000' });
  });
});

describe('callerHome', () => {
  it('is the home when it or a directory above it is mounted, else the working directory', () => {
    expect(callerHome('/home/dev', '/srv', ['/home/dev'])).toBe('/home/dev');
    expect(callerHome('/home/dev', '/srv', ['/home'])).toBe('/home/dev');
    expect(callerHome('/home/dev', '/srv', ['/home/dev/src', '/'])).toBe('/srv');
    expect(callerHome('/home/dev', '/', [])).toBe('/');
  });
});

describe('etcWithCaller', () => {
  it("adds the caller's passwd and group entries as podman does", () => {
    const etc = { passwd: 'root:x:0:0:root:/root:/bin/sh\n', group: 'root:x:0:' };
    expect(etcWithCaller(etc, caller, '/')).toEqual({
      passwd: 'root:x:0:0:root:/root:/bin/sh\ndev:*:1002:1002:A Developer:/:/bin/sh\n',
      group: 'root:x:0:\ndevs:x:1002:dev\n',
    });
  });

  it('adds nothing the image has by name or by id, and makes files the image lacks', () => {
    expect(etcWithCaller({ passwd: 'app:x:1002:1002::/app:/bin/sh\n', group: 'devs:x:7:\n' }, caller, '/')).toEqual({ passwd: undefined, group: undefined });
    expect(etcWithCaller({ passwd: 'dev:x:7:7::/d:/bin/sh\n', group: 'other:x:1002:\n' }, caller, '/')).toEqual({ passwd: undefined, group: undefined });
    expect(etcWithCaller({}, caller, '/w')).toEqual({ passwd: 'dev:*:1002:1002:A Developer:/w:/bin/sh\n', group: 'devs:x:1002:dev\n' });
  });
});
