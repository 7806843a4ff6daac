/** The container's environment in podman's order of precedence. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PATH, envList, mergeEnv, type EnvInput } from '../../src/spec/env.js';

const caller = { HOME: '/home/dev', PATH: '/home/dev/bin:/usr/bin', LANG: 'C.UTF-8', XA: '1', XB: '2', https_proxy: 'http://proxy:3128', UNSET: undefined };
const env = (input: Partial<EnvInput>) => envList(mergeEnv({ caller, ...input }));

describe('mergeEnv', () => {
  it('starts from PATH and container=tpod, and passes the proxy variables', () => {
    expect(env({})).toEqual([`PATH=${DEFAULT_PATH}`, 'container=tpod', 'https_proxy=http://proxy:3128']);
  });

  it('lets the image replace PATH in place and add its own, and keeps an empty value', () => {
    expect(env({ image: ['PATH=/opt/bin', 'A=1', 'EMPTY=', 'NOEQUALS'], httpProxy: false })).toEqual([
      'PATH=/opt/bin',
      'container=tpod',
      'A=1',
      'EMPTY=',
    ]);
  });

  it('sets TERM for a terminal unless the image sets it', () => {
    expect(env({ tty: true, httpProxy: false })).toContain('TERM=xterm');
    expect(env({ tty: true, image: ['TERM=vt100'], httpProxy: false })).toContain('TERM=vt100');
    expect(env({ httpProxy: false }).some((e) => e.startsWith('TERM='))).toBe(false);
  });

  it('reads -e as VAR=value, VAR from the caller (or nothing), and VAR* as a prefix', () => {
    expect(env({ env: ['A=x=y', 'LANG', 'UNSET', 'NOPE', 'X*', '  SP=1'], httpProxy: false })).toEqual([
      `PATH=${DEFAULT_PATH}`,
      'container=tpod',
      'A=x=y',
      'LANG=C.UTF-8',
      'XA=1',
      'XB=2',
      'SP=1',
    ]);
  });

  it('orders image < proxy < env files in order < -e', () => {
    const files = [
      { path: 'a.env', text: '# comment\n\n  B=file1\r\nC=file1\nHOME\n' },
      { path: 'b.env', text: 'C=file2\n' },
    ];
    const merged = mergeEnv({ caller, image: ['https_proxy=image', 'B=image'], files, env: ['C=flag'] });
    expect(Object.fromEntries(merged)).toMatchObject({ https_proxy: 'http://proxy:3128', B: 'file1', C: 'flag', HOME: '/home/dev' });
  });

  it('puts the whole caller environment over the image with --env-host, -e still winning', () => {
    const merged = mergeEnv({ caller, envHost: true, image: ['PATH=/opt/bin', 'LANG=image'], env: ['XA=flag'] });
    expect(Object.fromEntries(merged)).toMatchObject({ PATH: caller.PATH, LANG: 'C.UTF-8', XA: 'flag', XB: '2' });
  });

  it('refuses a variable without a name, naming the file', () => {
    expect(() => env({ env: ['=x'] })).toThrow('invalid variable: "=x"');
    expect(() => env({ files: [{ path: 'bad.env', text: 'A=1\n=oops\n' }] })).toThrow('parsing file "bad.env": invalid variable: "=oops"');
  });
});
