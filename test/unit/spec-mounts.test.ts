/** -v, --mount and --tmpfs: podman's syntax into data, and the options the runtime finally gets. */
import { describe, expect, it } from 'vitest';
import { checkDestinations, parseMountSpec, parseTmpfsSpec, parseVolumeSpec, sortMounts, userMount } from '../../src/spec/mounts.js';

const cwd = '/home/dev/project';

describe('parseVolumeSpec', () => {
  it('reads host paths as binds, relative ones from the working directory', () => {
    expect(parseVolumeSpec('/srv/data:/data', cwd)).toEqual({ type: 'bind', source: '/srv/data', destination: '/data', options: [], chown: false });
    expect(parseVolumeSpec('./src:/src/:ro', cwd)).toEqual({ type: 'bind', source: '/home/dev/project/src', destination: '/src', options: ['ro'], chown: false });
    expect(parseVolumeSpec('../x:/x', cwd)).toMatchObject({ type: 'bind', source: '/home/dev/x' });
  });

  it('takes z and Z as no-ops, U as a chown, and keeps the runtime options', () => {
    expect(parseVolumeSpec('/a:/b:rw,Z,U,nosuid,noexec,nodev,rslave,bind', cwd)).toEqual({
      type: 'bind',
      source: '/a',
      destination: '/b',
      options: ['rw', 'nosuid', 'noexec', 'nodev', 'rslave', 'bind'],
      chown: true,
    });
    expect(parseVolumeSpec('/a:/b:z,cached', cwd)).toMatchObject({ options: [] });
  });

  it('reads names as volumes, and a lone path as an anonymous one', () => {
    expect(parseVolumeSpec('cache:/var/cache:ro,nocopy,U', cwd)).toEqual({
      type: 'volume', name: 'cache', destination: '/var/cache', options: ['ro'], chown: true, copy: false, create: true,
    });
    expect(parseVolumeSpec('/scratch', cwd)).toEqual({ type: 'volume', name: '', destination: '/scratch', options: [], chown: false, copy: true, create: true });
    expect(parseVolumeSpec('v:/v:nocreate', cwd)).toMatchObject({ create: false });
  });

  it.each([
    ['/a:/b:ro:x', 'incorrect volume format, should be [host-dir:]ctr-dir[:option]'],
    [':/b', 'host directory cannot be empty'],
    ['/a:b', 'container path "b" must be an absolute path'],
    ['/a:', 'container directory cannot be empty'],
    ['/a:/b:ro,rw', 'options "ro" and "rw" cannot be used together'],
    ['/a:/b:z,Z', 'options "z" and "Z" cannot be used together'],
    ['/a:/b:fast', 'unknown option "fast"'],
    ['/a:/b:size=1m', 'option "size" is not allowed on a bind mount'],
    ['/a:/b:O', 'overlay volumes (O) are not supported by tpod yet'],
    ['/a:/b:idmap=uids=0-1-1', 'idmapped volume mounts (idmap) are not supported by tpod yet'],
  ])('refuses %s in one line', (spec, why) => {
    expect(() => parseVolumeSpec(spec, cwd)).toThrow(`invalid volume "${spec}": ${why}`);
  });
});

describe('parseTmpfsSpec', () => {
  it('reads a destination and its options', () => {
    expect(parseTmpfsSpec('/run')).toEqual({ type: 'tmpfs', destination: '/run', options: [] });
    expect(parseTmpfsSpec('/t:size=10m,mode=1777,noexec')).toEqual({ type: 'tmpfs', destination: '/t', options: ['size=10m', 'mode=1777', 'noexec'] });
  });

  it.each([
    ['t', 'container path "t" must be an absolute path'],
    ['/t:size=big', 'tmpfs size "big" is not a size such as 64m'],
    ['/t:mode=rwx', 'tmpfs mode "rwx" is not an octal mode such as 1777'],
    ['/t:size=1m,size=2m', 'options "size=1m" and "size=2m" cannot be used together'],
    ['/t:Z', 'option "Z" is not allowed on a tmpfs mount'],
    ['/t:uid=1000', 'unknown option "uid=1000"'],
  ])('refuses %s', (spec, why) => {
    expect(() => parseTmpfsSpec(spec)).toThrow(`invalid tmpfs "${spec}": ${why}`);
  });
});

describe('parseMountSpec', () => {
  it('reads binds, in any key order, with podman spellings', () => {
    expect(parseMountSpec('src=./data,type=bind,target=/data,readonly,bind-propagation=rshared,relabel=private', cwd)).toEqual({
      type: 'bind', source: '/home/dev/project/data', destination: '/data', options: ['ro', 'rshared'], chown: false,
    });
    expect(parseMountSpec('type=bind,dst=/etc/ssl,rw=false,bind-nonrecursive,U=true', cwd)).toEqual({
      type: 'bind', source: '/etc/ssl', destination: '/etc/ssl', options: ['ro', 'bind'], chown: true,
    });
    expect(parseMountSpec('type=bind,"source=/a,b",destination=/c', cwd)).toMatchObject({ source: '/a,b', destination: '/c' });
  });

  it('reads tmpfs and volumes (the default type)', () => {
    expect(parseMountSpec('type=tmpfs,destination=/cache,tmpfs-size=64m,tmpfs-mode=0700,notmpcopyup', cwd)).toEqual({
      type: 'tmpfs', destination: '/cache', options: ['size=64m', 'mode=0700', 'notmpcopyup'],
    });
    expect(parseMountSpec('source=db,target=/var/lib/db,ro=true', cwd)).toEqual({
      type: 'volume', name: 'db', destination: '/var/lib/db', options: ['ro'], chown: false, copy: true, create: true,
    });
    expect(parseMountSpec('type=volume,target=/anon', cwd)).toMatchObject({ type: 'volume', name: '' });
  });

  it.each([
    ['type=bind,src=/a', 'must set volume destination (target=)'],
    ['type=bind,src=,dst=/a', 'host directory cannot be empty'],
    ['type=tmpfs,src=/a,dst=/a', 'a tmpfs mount has no source'],
    ['type=bind,src=/a,dst=/b,bind-propagation=sideways', 'invalid bind-propagation "sideways"'],
    ['type=bind,src=/a,dst=/b,tmpfs-size=1m', 'option "size" is not allowed on a bind mount'],
    ['type=bind,src=/a,dst=/b,ro=maybe', 'ro must be true or false, not "maybe"'],
    ['type=bind,src=/a,dst=/b,ro,rw', 'options "ro" and "rw" cannot be used together'],
    ['type=bind,src=/a,dst=/b,target', 'target needs a value'],
    ['type=image,src=alpine,dst=/img', 'type=image is not supported by tpod yet'],
    ['type=nfs,dst=/n', 'invalid filesystem type "nfs"'],
    ['type=bind,"src=/a,dst=/b', 'unterminated quote'],
  ])('refuses %s in one line', (spec, why) => {
    expect(() => parseMountSpec(spec, cwd)).toThrow(`invalid mount "${spec}": ${why}`);
  });
});

describe('userMount', () => {
  it("adds podman's defaults: rprivate and rbind for binds, nosuid, nodev and tmpcopyup for tmpfs", () => {
    expect(userMount({ type: 'bind', source: '/a', destination: '/b', options: ['ro'] })).toEqual({
      destination: '/b', type: 'bind', source: '/a', options: ['ro', 'rprivate', 'rbind'],
    });
    expect(userMount({ type: 'bind', source: '/a', destination: '/b', options: ['bind'] }).options).toEqual(['bind', 'private']);
    expect(userMount({ type: 'tmpfs', destination: '/t', options: ['size=10m'] })).toEqual({
      destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=10m', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'],
    });
    expect(userMount({ type: 'tmpfs', destination: '/t', options: ['notmpcopyup', 'suid', 'rshared'] }).options).toEqual(['suid', 'rshared', 'nodev']);
  });

  it("keeps the source filesystem's locked flags unless the user set them", () => {
    const mount = userMount({ type: 'bind', source: '/tmp', destination: '/t', options: ['exec'], locked: ['nosuid', 'nodev', 'noexec'] });
    expect(mount.options).toEqual(['exec', 'rprivate', 'nosuid', 'nodev', 'rbind']);
  });
});

describe('checkDestinations and sortMounts', () => {
  it('refuses two mounts on one destination', () => {
    expect(() => checkDestinations([{ destination: '/a' }, { destination: '/b' }, { destination: '/a' }])).toThrow('/a: duplicate mount destination');
  });

  it('mounts parents before children, otherwise in the order given', () => {
    const m = (destination: string) => ({ destination, type: 'bind', source: destination });
    expect(sortMounts([m('/a/b/c'), m('/z'), m('/a/b'), m('/'), m('/a')]).map((x) => x.destination)).toEqual(['/', '/z', '/a', '/a/b', '/a/b/c']);
  });
});
