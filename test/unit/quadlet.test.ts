/** .container and .volume files as the services tpod's generator makes of them, and the generator itself (-dryrun, output dir). */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropInDirs, generate, installLinks, searchPath } from '../../src/systemd/generator.js';
import { QuadletError, type QuadletSource, convertContainer, convertVolume } from '../../src/systemd/quadlet.js';
import { UnitFile, splitWords } from '../../src/systemd/unit-file.js';

const TPOD = '/opt/tpod/native/tpod';

function source(fileName: string, text: string): QuadletSource {
  return { fileName, path: `/home/u/.config/tpod/systemd/${fileName}`, unit: UnitFile.parse(text) };
}

function container(text: string, others: QuadletSource[] = []) {
  const src = source('web.container', text);
  const out = convertContainer(src, { tpod: TPOD, sources: new Map([src, ...others].map((s) => [s.fileName, s])) });
  const start = splitWords(out.unit.get('Service', 'ExecStart')!);
  return { ...out, start, run: start.slice(0, start.indexOf('-d') + 1), args: start.slice(start.indexOf('-d') + 1) };
}

describe('a .container file', () => {
  it('becomes a notify service running tpod run -d, stopped with rm -v -f -i -t 10, as Quadlet writes it', () => {
    const { unit, start, fileName, warnings } = container('[Container]\nImage=docker.io/library/nginx\n');
    expect(fileName).toBe('web.service');
    expect(warnings).toEqual([]);
    expect(start).toEqual([TPOD, 'run', '--name', 'systemd-%N', '--replace', '--rm', '--cgroups=split', '--sdnotify=conmon', '-d', 'docker.io/library/nginx']);
    expect(unit.get('Service', 'Type')).toBe('notify');
    expect(unit.get('Service', 'NotifyAccess')).toBe('all');
    expect(unit.get('Service', 'KillMode')).toBe('mixed');
    expect(unit.get('Service', 'Delegate')).toBe('yes');
    expect(unit.get('Service', 'SyslogIdentifier')).toBe('%N');
    expect(unit.get('Service', 'ExecStop')).toBe(`${TPOD} rm -v -f -i -t 10 systemd-%N`);
    expect(unit.get('Service', 'ExecStopPost')).toBe(`-${TPOD} rm -v -f -i -t 10 systemd-%N`);
    expect(unit.get('Unit', 'SourcePath')).toBe('/home/u/.config/tpod/systemd/web.container');
    expect(unit.section('Container')).toBeUndefined();
    expect(unit.get('X-Container', 'Image')).toBe('docker.io/library/nginx');
  });

  it('maps the keys users use most to tpod run options, Exec after the image', () => {
    const { args, unit } = container(
      [
        '[Container]',
        'Image=localhost/app',
        'ContainerName=app',
        'Exec=sh -c "echo $$HOME; sleep 1"',
        'Environment=B=2 "A=one two"',
        'Environment=C',
        'EnvironmentFile=app.env',
        'EnvironmentFile=/etc/app.env',
        'PublishPort=8080:80',
        'PublishPort=127.0.0.1::53/udp',
        'Network=pasta',
        'User=web',
        'Group=www',
        'UserNS=keep-id',
        'Label=tier=front',
        'WorkingDir=/srv',
        'ReadOnly=yes',
        'RunInit=true',
        'NoNewPrivileges=on',
        'AddCapability=NET_ADMIN SYS_TIME',
        'DropCapability=ALL',
        'PodmanArgs=--tty --hostname "my host"',
        'LogDriver=journald',
        'Notify=yes',
        '',
      ].join('\n'),
    );
    expect(args).toEqual([
      '--security-opt=no-new-privileges', '--cap-drop', 'all', '--cap-add', 'net_admin', '--cap-add', 'sys_time', '--read-only',
      '--user', 'web:www', '--userns', 'keep-id', '--publish', '8080:80', '--publish', '127.0.0.1::53/udp',
      '--env', 'A=one two', '--env', 'B=2', '--env', 'C', '--label', 'tier=front',
      '--env-file', '/home/u/.config/tpod/systemd/app.env', '--env-file', '/etc/app.env',
      '--tty', '--hostname', 'my host', 'localhost/app', 'sh', '-c', 'echo $$HOME; sleep 1',
    ]);
    const start = splitWords(unit.get('Service', 'ExecStart')!);
    expect(start.slice(0, 12)).toEqual([TPOD, 'run', '--name', 'app', '--replace', '--rm', '--log-driver', 'journald', '--cgroups=split', '--workdir', '/srv', '--init']);
    expect(start).toContain('--sdnotify=container');
    expect(start).toEqual(expect.arrayContaining(['--network', 'pasta']));
    expect(unit.get('Service', 'ExecStop')).toBe(`${TPOD} rm -v -f -i -t 10 app`);
  });

  it('turns Volume=NAME.volume into the volume that unit makes, and requires its service', () => {
    const vol = source('data.volume', '[Volume]\n');
    const { args, unit } = container('[Container]\nImage=x\nVolume=data.volume:/data:Z\nVolume=./site:/site:ro\nVolume=named:/n\nVolume=/anon\n', [vol]);
    expect(args.slice(0, 8)).toEqual(['-v', 'systemd-data:/data:Z', '-v', '/home/u/.config/tpod/systemd/site:/site:ro', '-v', 'named:/n', '-v', '/anon']);
    expect(unit.all('Unit', 'Requires')).toEqual(['data-volume.service']);
    expect(unit.all('Unit', 'After')).toEqual(['data-volume.service']);
    expect(unit.all('Unit', 'RequiresMountsFor')).toEqual(['%t/tpod', '/home/u/.config/tpod/systemd/site']);
  });

  it('passes [Unit], [Service] and [Install] through, and lets Type=oneshot run in the foreground', () => {
    const { unit, start } = container('[Unit]\nDescription=web\n[Container]\nImage=x\n[Service]\nType=oneshot\nRestart=on-failure\nSyslogIdentifier=mine\n[Install]\nWantedBy=default.target\n');
    expect(unit.get('Unit', 'Description')).toBe('web');
    expect(unit.get('Service', 'Restart')).toBe('on-failure');
    expect(unit.get('Service', 'SyslogIdentifier')).toBe('mine');
    expect(unit.get('Install', 'WantedBy')).toBe('default.target');
    expect(unit.get('Service', 'Type')).toBe('oneshot');
    expect(start).not.toContain('-d');
    expect(start.some((w) => w.startsWith('--sdnotify'))).toBe(false);
  });

  it('warns about keys tpod lacks and keys nobody knows, and still makes the service', () => {
    const { warnings, start } = container('[Container]\nImage=x\nHealthStartupCmd=true\nSecret=s\nFrobnicate=1\n[Service]\nUser=root\n');
    expect(warnings).toEqual([
      'web.container: HealthStartupCmd= is not supported by tpod: ignored',
      'web.container: Secret= is not supported by tpod: ignored',
      'web.container: unknown key Frobnicate= in [Container]: ignored',
      'web.container: User= in [Service] is not supported (the service runs as your user): use at your own risk',
    ]);
    expect(start.at(-1)).toBe('x');
  });

  it('gives the Health keys to the --health-* options, a command with spaces as one word', () => {
    const { warnings, run } = container('[Container]\nImage=x\nHealthCmd=test -f /tmp/ok\nHealthInterval=2s\nHealthOnFailure=kill\nHealthRetries=2\nHealthTimeout=5s\nHealthStartPeriod=1m\n');
    expect(warnings).toEqual([]);
    const after = (flag: string) => run[run.indexOf(flag) + 1];
    expect(after('--health-on-failure')).toBe('kill');
    expect(after('--health-cmd')).toBe('test -f /tmp/ok');
    expect(after('--health-interval')).toBe('2s');
    expect(after('--health-retries')).toBe('2');
    expect(after('--health-timeout')).toBe('5s');
    expect(after('--health-start-period')).toBe('1m');
  });

  it('gives Memory=, PidsLimit=, ShmSize=, Timezone=, Ulimit=, Sysctl=, GroupAdd=, DNSSearch=, DNSOption=, Annotation=, ExposeHostPort=, ReadOnlyTmpfs=, StopSignal= and StopTimeout= to their options, and StopTimeout= to the service\'s stop too', () => {
    const { warnings, run, start, unit } = container('[Container]\nImage=x\nMemory=64m\nPidsLimit=100\nShmSize=1g\nTimezone=Europe/Paris\nStopSignal=SIGINT\nStopTimeout=3\nUlimit=nofile=10:20\nUlimit=core=0\nSysctl=net.ipv4.ip_forward=1 kernel.shmmax=9\nGroupAdd=wheel\nDNSSearch=a.test\nDNSOption=ndots:2\nAnnotation=b=2 a=1\nExposeHostPort=7070\nReadOnlyTmpfs=false\n');
    expect(warnings).toEqual([]);
    expect(run.join(' ')).toContain('--memory 64m --pids-limit 100 --shm-size 1g --tz Europe/Paris --stop-signal SIGINT --stop-timeout 3');
    expect(run.join(' ')).toContain('--dns-search a.test --dns-option ndots:2 --ulimit nofile=10:20 --ulimit core=0 --group-add wheel --expose 7070 --sysctl net.ipv4.ip_forward=1 --sysctl kernel.shmmax=9');
    expect(start.join(' ')).toContain('--read-only-tmpfs=false');
    expect(start.join(' ')).toContain('--annotation a=1 --annotation b=2');
    expect(unit.get('Service', 'ExecStop')).toBe(`${TPOD} rm -v -f -i -t 3 systemd-%N`);
  });

  it('names a template\'s container by prefix and instance, and honours ServiceName=', () => {
    const src = source('web@.container', '[Container]\nImage=x\n');
    const out = convertContainer(src, { tpod: TPOD, sources: new Map() });
    expect(out.fileName).toBe('web@.service');
    expect(splitWords(out.unit.get('Service', 'ExecStart')!)).toContain('systemd-%p_%i');
    expect(container('[Container]\nImage=x\nServiceName=other\n').fileName).toBe('other.service');
  });

  it('refuses what cannot work: no Image, a named network, a missing .volume, Group without User, other Types and KillModes', () => {
    expect(() => container('[Container]\nExec=true\n')).toThrow(/no Image=/);
    expect(() => container('[Container]\nImage=x\nNetwork=mynet\n')).toThrow(/Network=mynet: tpod has no named networks/);
    expect(() => container('[Container]\nImage=x\nVolume=gone.volume:/d\n')).toThrow(/there is no gone.volume/);
    expect(() => container('[Container]\nImage=x\nGroup=g\n')).toThrow(/Group= needs User=/);
    expect(() => container('[Container]\nImage=x\n[Service]\nType=simple\n')).toThrow(/Type=simple/);
    expect(() => container('[Container]\nImage=x\n[Service]\nKillMode=process\n')).toThrow(QuadletError);
  });
});

describe('a .volume file', () => {
  it('becomes a oneshot service that runs tpod volume create --ignore', () => {
    const src = source('data.volume', '[Volume]\nLabel=a=1 b=2\nUser=1000\nGroup=100\nCopy=no\nPodmanArgs=--driver local\n');
    const out = convertVolume(src, { tpod: TPOD, sources: new Map() });
    expect(out.fileName).toBe('data-volume.service');
    expect(splitWords(out.unit.get('Service', 'ExecStart')!)).toEqual([
      TPOD, 'volume', 'create', '--ignore', '--opt', 'nocopy', '--opt', 'uid=1000', '--opt', 'gid=100', '--label', 'a=1', '--label', 'b=2', '--driver', 'local', 'systemd-data',
    ]);
    expect(out.unit.get('Service', 'Type')).toBe('oneshot');
    expect(out.unit.get('Service', 'RemainAfterExit')).toBe('yes');
    expect(convertVolume(source('d.volume', '[Volume]\nVolumeName=mine\n'), { tpod: TPOD, sources: new Map() }).unit.get('Service', 'ExecStart')).toMatch(/ mine$/);
  });
});

describe('the generator', () => {
  const top = mkdtempSync(join(tmpdir(), 'tpod-quadlet-'));
  afterAll(() => rmSync(top, { recursive: true, force: true }));
  const own = join(top, 'own');
  const shared = join(top, 'shared');
  for (const d of [own, shared, join(own, 'web.container.d'), join(shared, 'container.d')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(own, 'web.container'), '[Container]\nImage=x\nPublishPort=1:1\n[Install]\nWantedBy=default.target\nAlias=www.service\n');
  writeFileSync(join(shared, 'web.container'), '[Container]\nImage=shadowed\n');
  writeFileSync(join(own, 'web.container.d', '10-env.conf'), '[Container]\nEnvironment=FROM=dropin\n');
  writeFileSync(join(shared, 'container.d', '20-all.conf'), '[Container]\nLabel=all=yes\n');
  writeFileSync(join(shared, 'broken.container'), '[Container]\nImage=x\nNetwork=nope\n');
  writeFileSync(join(shared, 'bad.container'), 'no section\n');
  writeFileSync(join(shared, 'net.network'), '[Network]\n');
  const env = { TPOD_QUADLET_UNIT_DIRS: `${own}:${shared}` };

  function run(dryRun: boolean, outputDir?: string) {
    const out: string[] = [];
    const reports: string[] = [];
    const failed = generate({ dryRun, verbose: false, env, tpod: TPOD, write: (t) => out.push(t), report: (l) => reports.push(l), ...(outputDir ? { outputDir } : {}) });
    return { out: out.join(''), reports, failed };
  }

  it('prints each unit with -dryrun, the first file of a name winning, drop-ins merged; reports the bad ones and goes on', () => {
    const { out, reports, failed } = run(true);
    expect(out).toMatch(/^---web\.service---\n/);
    expect(out).not.toContain('shadowed');
    expect(out).toContain('--env FROM=dropin');
    expect(out).toContain('--label all=yes');
    expect(failed).toBe(2);
    expect(reports.join('\n')).toMatch(/broken\.container: Network=nope/);
    expect(reports.join('\n')).toMatch(/cannot load .*bad\.container: line 1/);
    expect(reports.join('\n')).toMatch(/net\.network: tpod makes services of \.container and \.volume files only/);
  });

  it('writes the units and the links [Install] asks for into the output directory', () => {
    const outDir = join(top, 'out');
    mkdirSync(outDir);
    run(false, outDir);
    expect(readFileSync(join(outDir, 'web.service'), 'utf8')).toContain('ExecStart=/opt/tpod/native/tpod run');
    expect(readlinkSync(join(outDir, 'default.target.wants', 'web.service'))).toBe('../web.service');
    expect(readlinkSync(join(outDir, 'www.service'))).toBe('web.service');
  });

  it('runs as a program, fast: dist/quadlet.cjs -dryrun', () => {
    const bundle = new URL('../../dist/quadlet.cjs', import.meta.url).pathname;
    const r = spawnSync(process.execPath, [bundle, '-dryrun'], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(r.stdout).toContain('---web.service---');
    expect(r.status).toBe(1);
    const bad = spawnSync(process.execPath, [bundle], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(bad.stderr).toMatch(/usage: tpod-user-generator/);
  });
});

describe('search path, drop-in directories and install links', () => {
  it('reads tpod\'s directory first, then Quadlet\'s rootless ones', () => {
    expect(searchPath({ XDG_RUNTIME_DIR: '/run/user/7' }, 7, '/home/u', () => false).dirs).toEqual([
      '/home/u/.config/tpod/systemd', '/run/user/7/containers/systemd', '/home/u/.config/containers/systemd', '/etc/containers/systemd/users/7', '/etc/containers/systemd/users',
    ]);
  });

  it('leaves containers/systemd to podman\'s generator when it is installed', () => {
    const path = searchPath({ XDG_CONFIG_HOME: '/c' }, 7, '/home/u', (p) => p === '/usr/lib/systemd/user-generators/podman-user-generator');
    expect(path.dirs).toEqual(['/c/tpod/systemd']);
    expect(path.note).toMatch(/podman's generator/);
  });

  it('looks for drop-ins from the most specific directory to the broadest', () => {
    expect(dropInDirs('foo-bar-baz.container')).toEqual(['foo-bar-baz.container.d', 'foo-bar-.container.d', 'foo-.container.d', 'container.d']);
  });

  it('links a template only through DefaultInstance=', () => {
    const unit = UnitFile.parse('[Install]\nWantedBy=default.target multi-user.target\nRequiredBy=x.target\n');
    expect(installLinks(unit, 'a.service')).toEqual(['default.target.wants/a.service', 'multi-user.target.wants/a.service', 'x.target.requires/a.service']);
    expect(installLinks(unit, 'a@.service')).toEqual([]);
    unit.add('Install', 'DefaultInstance', 'one');
    expect(installLinks(unit, 'a@.service')).toContain('default.target.wants/a@one.service');
  });
});
