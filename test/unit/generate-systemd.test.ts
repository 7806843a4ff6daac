/** generate systemd's units, as podman's pkg/systemd/generate writes them. */
import { describe, expect, it } from 'vitest';
import { type GenerateInput, containerUnit, escapeArg } from '../../src/systemd/generate.js';
import { UnitFile, splitWords } from '../../src/systemd/unit-file.js';

const VALUE_OPTIONS = new Set(['--name', '-e', '--env', '-p', '--publish', '--restart', '--cidfile', '-v', '--log-level']);

function input(options: Partial<GenerateInput['options']> = {}, createCommand?: string[]): GenerateInput {
  return {
    tpod: '/opt/tpod/native/tpod',
    version: '0.1.0',
    now: new Date(0),
    container: { id: 'abc123', name: 'web', env: ['PATH=/bin', 'HOME=/root'], conmonPidFile: '/data/containers/abc123/bundle/conmon.pid', runDir: '/run/user/1000/tpod', ...(createCommand ? { createCommand } : {}) },
    options: { new: false, useName: false, stopTimeout: 10, noHeader: true, containerPrefix: 'container', separator: '-', ...options },
    takesValue: (w) => VALUE_OPTIONS.has(w),
  };
}

describe('generate systemd', () => {
  it('starts and stops the existing container, conmon as its main process', () => {
    const { serviceName, text } = containerUnit(input());
    expect(serviceName).toBe('container-abc123');
    const unit = UnitFile.parse(text);
    expect(unit.get('Service', 'Type')).toBe('forking');
    expect(unit.get('Service', 'ExecStart')).toBe('/opt/tpod/native/tpod start abc123');
    expect(splitWords(unit.get('Service', 'ExecStop')!)).toEqual(['/opt/tpod/native/tpod', 'stop', '-t', '10', 'abc123']);
    expect(unit.get('Service', 'PIDFile')).toBe('/data/containers/abc123/bundle/conmon.pid');
    expect(unit.get('Service', 'Restart')).toBe('on-failure');
    expect(unit.get('Service', 'TimeoutStopSec')).toBe('70');
    expect(unit.get('Unit', 'RequiresMountsFor')).toBe('/run/user/1000/tpod');
    expect(unit.get('Install', 'WantedBy')).toBe('default.target');
    expect(text.startsWith('# container-abc123.service\n\n[Unit]')).toBe(true);
  });

  it('names by name with --name, and takes the restart policy, prefix and timeouts given', () => {
    const { serviceName, text } = containerUnit(input({ useName: true, restartPolicy: 'always', restartSec: 5, containerPrefix: 'app', separator: '_', stopTimeout: 3, startTimeout: 900 }));
    expect(serviceName).toBe('app_web');
    const unit = UnitFile.parse(text);
    expect([unit.get('Service', 'Restart'), unit.get('Service', 'RestartSec'), unit.get('Service', 'TimeoutStartSec'), unit.get('Service', 'TimeoutStopSec')]).toEqual(['always', '5', '900', '63']);
    expect(unit.get('Service', 'ExecStart')).toMatch(/ start web$/);
    expect(() => containerUnit(input({ restartPolicy: 'sometimes' }))).toThrow(/sometimes is not a valid restart policy/);
  });

  it('with --new, runs the create command again with a cidfile, --replace and --rm, and removes the container at stop', () => {
    const create = ['--log-level', 'info', 'run', '-d', '--rm', '--name', 'web', '-e', 'HOME', '-e', 'A=$1 100%', '--restart=on-failure:4', '--cidfile', '/tmp/x', 'img', 'sh', '-c', 'echo --rm'];
    const unit = UnitFile.parse(containerUnit(input({ new: true }, create)).text);
    expect(splitWords(unit.get('Service', 'ExecStart')!)).toEqual([
      '/opt/tpod/native/tpod', '--log-level', 'info', 'run', '--cidfile=%t/%n.ctr-id', '--cgroups=no-conmon', '--rm', '--sdnotify=conmon', '-d', '--replace',
      '--name', 'web', '-e', 'HOME', '-e', 'A=$$1 100%%', 'img', 'sh', '-c', 'echo --rm',
    ]);
    expect(unit.get('Service', 'Type')).toBe('notify');
    expect(unit.get('Service', 'NotifyAccess')).toBe('all');
    expect(unit.get('Service', 'Environment')).toBe('HOME=/root');
    expect([unit.get('Service', 'Restart'), unit.get('Service', 'StartLimitBurst')]).toEqual(['on-failure', '4']);
    expect(splitWords(unit.get('Service', 'ExecStopPost')!)).toEqual(['/opt/tpod/native/tpod', 'rm', '-f', '--ignore', '--cidfile=%t/%n.ctr-id']);
    expect(unit.get('Unit', 'RequiresMountsFor')).toBe('%t/tpod');
    expect(unit.has('Service', 'PIDFile')).toBe(false);
  });

  it('with --new, needs the recorded create command', () => {
    expect(() => containerUnit(input({ new: true }))).toThrow(/did not record the command/);
  });

  it('escapes what systemd would expand', () => {
    expect(escapeArg('a b$c%d')).toBe('"a b$$c%%d"');
  });
});
