/**
 * tpod's D-Bus client against a real bus: a private dbus-daemon started here
 * (systemd's side is in systemd-scope.test.ts, in the guest).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus, DBusError, sessionBusSocket } from '../../src/systemd/dbus.js';
import type { Message } from '../../src/systemd/dbus-wire.js';
import { moveToScope } from '../../src/systemd/scope.js';
import { findProgram } from '../../src/sys/programs.js';

const daemon = findProgram('dbus-daemon');
const skip = daemon ? undefined : 'dbus-daemon is not installed (Debian: dbus-daemon)';
const DBUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };

describe.skipIf(skip)(`the D-Bus client${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'tpod-dbus-'));
  const socket = join(dir, 'bus');
  let server: ChildProcess;

  beforeAll(async () => {
    server = spawn(daemon!, ['--session', '--nofork', '--nopidfile', '--print-address', `--address=unix:path=${socket}`], { stdio: ['ignore', 'pipe', 'ignore'] });
    // It prints its address once it listens.
    await new Promise((done) => server.stdout!.once('data', done));
  });

  afterAll(() => {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds the session bus as sd-bus does', () => {
    expect(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus', XDG_RUNTIME_DIR: '/x' })).toBe('/run/user/1000/bus');
    expect(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'tcp:host=a,port=1;unix:abstract=/tmp/dbus-x,guid=00' })).toBe('\0/tmp/dbus-x');
    expect(sessionBusSocket({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/a%20b' })).toBe('/tmp/a b');
    expect(sessionBusSocket({ XDG_RUNTIME_DIR: '/run/user/7' })).toBe('/run/user/7/bus');
    expect(sessionBusSocket({})).toBeUndefined();
  });

  it('authenticates, says Hello and gets a reply', async () => {
    const bus = Bus.open(socket);
    try {
      const [id] = await bus.call({ ...DBUS, member: 'GetId' });
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      const [names] = await bus.call({ ...DBUS, member: 'ListNames' });
      expect(names).toContain('org.freedesktop.DBus');
    } finally {
      bus.close();
    }
  });

  it('turns an error reply into one line with its D-Bus name', async () => {
    const bus = Bus.open(socket);
    try {
      const failed = bus.call({ ...DBUS, member: 'NoSuchMethod' });
      await expect(failed).rejects.toBeInstanceOf(DBusError);
      await expect(failed).rejects.toMatchObject({ errorName: 'org.freedesktop.DBus.Error.UnknownMethod', message: expect.stringContaining('NoSuchMethod') });
    } finally {
      bus.close();
    }
  });

  it('delivers the signals asked for with AddMatch', async () => {
    const bus = Bus.open(socket);
    try {
      const seen = new Promise<Message>((done) => bus.onSignal((m) => m.member === 'NameOwnerChanged' && done(m)));
      await bus.call({ ...DBUS, member: 'AddMatch', signature: 's', body: ["type='signal',member='NameOwnerChanged'"] });
      const other = Bus.open(socket);
      await other.call({ ...DBUS, member: 'GetId' });
      other.close();
      const signal = await seen;
      expect(signal.body?.[0]).toMatch(/^:1\.\d+$/);
    } finally {
      bus.close();
    }
  });

  it('says in one line that nothing listens', async () => {
    const bus = Bus.open(join(dir, 'none'));
    await expect(bus.call({ ...DBUS, member: 'GetId' })).rejects.toThrow(`cannot talk to the session bus at ${join(dir, 'none')}: connect ENOENT`);
    bus.close();
  });

  it('gives up on a scope that a silent bus never answers for, in one line, and closes the connection', async () => {
    const silent = join(dir, 'silent');
    let closed!: Promise<unknown>;
    const server = createServer((peer) => {
      // Read (and ignore) what tpod sends, so that its end is seen.
      peer.resume();
      closed = once(peer, 'close');
    });
    await new Promise<void>((done) => server.listen(silent, done));
    try {
      const move = await moveToScope(silent, { pid: process.pid, unit: 'tpod-test.scope', description: 'test', slice: 'user.slice' }, 300);
      await expect(move.done).rejects.toThrow(/^systemd did not start tpod-test.scope within 0.3 s$/);
      await closed;
    } finally {
      server.close();
    }
  });

  it('asks a bus without systemd and says in one line what the bus answered', async () => {
    const move = await moveToScope(socket, { pid: process.pid, unit: 'tpod-test.scope', description: 'test', slice: 'user.slice' });
    await expect(move.done).rejects.toThrow(/org\.freedesktop\.systemd1/);
  });
});
