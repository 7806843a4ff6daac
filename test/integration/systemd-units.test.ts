/**
 * Containers as systemd user services, in the Debian guest of ../shared/vm
 * (systemd as PID 1, a lingering user with its own manager), in one boot:
 * as root the boot installs tpod's user generator where systemd looks for
 * user generators, then runs the checks as the user `dev` in a login
 * session. Checked: the generator makes services of .container and .volume
 * files at daemon-reload; the .volume service makes its volume; a unit of
 * generate systemd starts its container, systemd restarts it after a crash
 * (Restart=), stops it leaving no mount, and the journal has its output
 * (--log-driver journald); the .container service (tpod run
 * --sdnotify=conmon --cgroups=split) starts, stops, and outlives the login
 * session that started it, since the user lingers.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxLayer } from '../registry/images.js';
import { tar } from '../registry/tar-writer.js';
import { bootGuest, noGuest } from './guest.js';

const skip = noGuest;
const project = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const rootfs = join(project, '.systemd-units-rootfs.tar');

// Each check prints one line "name<TAB>output".
const check = `check() { name=$1; shift; printf '%s\\t%s\\n' "$name" "$("$@" 2>&1 | tr '\\n' ' ')"; }`;

const webContainer = `[Unit]
Description=web, from a .container file

[Container]
Image=localhost/bb
ContainerName=web
Exec=sh -c "echo web-says-hello; sleep 1000"
Volume=data.volume:/data
LogDriver=journald
# The guest has only loopback, where pasta finds no interface to copy.
Network=none

[Service]
Restart=on-failure
RestartSec=1
`;

// As dev: everything a user does, with the generator already installed.
const asUser = `${check}
set -u
cd '${project}'
T=native/tpod
waitfor() { i=0; while [ $i -lt 60 ]; do if eval "$1" >/dev/null 2>&1; then return 0; fi; sleep 1; i=$((i+1)); done; return 1; }
$T import '${rootfs}' localhost/bb >/dev/null
mkdir -p ~/.config/containers/systemd ~/.config/systemd/user
printf '%s' '${webContainer}' > ~/.config/containers/systemd/web.container
printf '[Volume]\\nLabel=made-by=unit\\n' > ~/.config/containers/systemd/data.volume
systemctl --user daemon-reload
check web-exec systemctl --user show -p ExecStart --value web.service
check web-load systemctl --user show -p LoadState --value web.service
check volume-start systemctl --user start data-volume.service
check volume-ls $T volume ls --format '{{.Name}} {{.Labels}}'
check web-start systemctl --user start web.service
check web-ps $T ps --format '{{.Names}} {{.Status}}'
check web-stop systemctl --user stop web.service
check web-after $T ps -a --format '{{.Names}}'

# A container made by hand, then run by the unit generate systemd writes for it.
$T create --name gen --network none --log-driver journald localhost/bb sh -c 'echo gen-says-hello; sleep 1000' >/dev/null
id=$($T inspect --format '{{.Id}}' gen)
(cd ~/.config/systemd/user && '${project}/native/tpod' generate systemd --name --files gen >/dev/null)
check gen-file ls ~/.config/systemd/user
systemctl --user daemon-reload
check gen-start systemctl --user start container-gen.service
check gen-status sh -c 'journalctl --user -u container-gen.service -o cat --no-pager | tail -n 20'
check gen-ps $T ps --format '{{.Names}} {{.Status}}'
pid=$($T inspect --format '{{.State.Pid}}' gen)
# The container's own process, as a crash would end it (pid 0, of a container not running, would be our group).
[ "$pid" -gt 0 ] && kill -9 "$pid"
waitfor "[ \\$(systemctl --user show -p NRestarts --value container-gen.service) -ge 1 ] && $T ps --format '{{.Names}}' | grep -qx gen"
check gen-restarts systemctl --user show -p NRestarts --value container-gen.service
check gen-ps-again $T ps --format '{{.Names}} {{.Status}}'
check gen-stop systemctl --user stop container-gen.service
check gen-after $T ps -a --format '{{.Names}} {{.Status}}'
check gen-mounts sh -c "$T unshare cat /proc/self/mountinfo | grep -c $id; true"
check gen-journal journalctl --user -u container-gen.service -o cat --no-pager
check gen-logs $T logs gen
check gen-logs-tail $T logs --tail 1 -t gen

# tpod logs of a journald container: its streams apart, a last line without its newline, --follow to the end.
$T run -d --name jl --network none --log-driver journald localhost/bb sh -c 'echo to-out; echo to-err >&2; printf partial' >/dev/null
waitfor "$T ps -a --filter name=jl --format '{{.Status}}' | grep -q Exited"
check jl-out sh -c "$T logs jl 2>/dev/null"
check jl-err sh -c "$T logs jl 2>&1 >/dev/null"
check jl-follow timeout 60 $T logs -f jl
`;

const asRoot = `${check}
set -u
mkdir -p /etc/systemd/user-generators
printf '#!/bin/sh\\nexec %s %s "$@"\\n' "$(command -v node)" '${project}/dist/quadlet.cjs' > /etc/systemd/user-generators/tpod-user-generator
chmod 0755 /etc/systemd/user-generators/tpod-user-generator
# Inside the job's own login session (root's), su -l opens no new one: the user manager's places are given.
su -l dev -c 'XDG_RUNTIME_DIR=/run/user/1000 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus sh -s' <<'USER'
${asUser}
USER
# A logout: a system unit with PAMName= opens a login session of dev's, which starts the
# service and ends; with lingering, dev's manager and the service outlive the session.
systemd-run --wait --quiet -p PAMName=login -p User=dev /bin/sh -c 'systemctl --user start web.service'
check logout-sessions sh -c "loginctl list-sessions --no-legend | grep -c ' dev ' || true"
check logout-web su -l dev -c 'XDG_RUNTIME_DIR=/run/user/1000 systemctl --user is-active web.service'
check logout-ps su -l dev -c "cd '${project}' && XDG_RUNTIME_DIR=/run/user/1000 native/tpod ps --format '{{.Names}} {{.Status}}'"
su -l dev -c 'XDG_RUNTIME_DIR=/run/user/1000 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus systemctl --user stop web.service'
`;

describe.skipIf(skip)(`systemd user services${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const results = new Map<string, string>();
  let stderr = '';
  beforeAll(async () => {
    writeFileSync(rootfs, tar(busyboxLayer()));
    const booted = await bootGuest(['--root', '--share', project, '--', 'sh', '-c', asRoot]);
    stderr = booted.stderr;
    for (const [name, value] of booted.results) results.set(name, value);
  }, 1_100_000);
  afterAll(() => rmSync(rootfs, { force: true }));

  it('runs the generator at daemon-reload: a .container file is a loaded service running tpod run', () => {
    expect(results.get('web-load'), stderr).toBe('loaded');
    const exec = results.get('web-exec') ?? '';
    expect(exec).toContain(`${project}/native/tpod run --name web --replace --rm --log-driver journald --cgroups=split --network none --sdnotify=conmon -d -v systemd-data:/data localhost/bb sh -c`);
  });

  it('makes the volume of a .volume file with its oneshot service', () => {
    expect(results.get('volume-start')).toBe('');
    expect(results.get('volume-ls')).toContain('systemd-data map[made-by:unit]');
  });

  it('starts and stops the .container service', () => {
    expect(results.get('web-start')).toBe('');
    expect(results.get('web-ps')).toMatch(/^web Up/);
    expect(results.get('web-stop')).toBe('');
    expect(results.get('web-after')).toBe('');
  });

  it('starts the unit generate systemd wrote for a container', () => {
    expect(results.get('gen-file')).toContain('container-gen.service');
    expect(results.get('gen-start'), results.get('gen-status')).toBe('');
    expect(results.get('gen-ps')).toMatch(/^gen Up/);
  });

  it('restarts the container after a crash, as Restart=on-failure says', () => {
    expect(Number(results.get('gen-restarts'))).toBeGreaterThanOrEqual(1);
    expect(results.get('gen-ps-again')).toMatch(/^gen Up/);
  });

  it('stops it with systemctl --user stop, leaving no mount', () => {
    expect(results.get('gen-stop')).toBe('');
    expect(results.get('gen-after')).toMatch(/^gen Exited/);
    expect(results.get('gen-mounts')).toBe('0');
  });

  it('keeps the service running after the login session that started it ends, the user lingering', () => {
    expect(results.get('logout-sessions')).toBe('0');
    expect(results.get('logout-web')).toBe('active');
    expect(results.get('logout-ps')).toMatch(/^web Up/);
  });

  it('shows a journald container\'s output with tpod logs, as it shows a k8s-file log', () => {
    // Started twice by its unit: before and after the crash.
    expect(results.get('gen-logs')).toBe('gen-says-hello gen-says-hello');
    expect(results.get('gen-logs-tail')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+00:00 gen-says-hello$/);
    expect(results.get('jl-out')).toBe('to-out partial');
    expect(results.get('jl-err')).toBe('to-err');
    expect(results.get('jl-follow')?.split(' ').sort()).toEqual(['partial', 'to-err', 'to-out']);
  });

  it('has the container\'s output in the unit\'s journal with --log-driver journald', () => {
    expect(results.get('gen-journal')).toContain('gen-says-hello');
  });
});
