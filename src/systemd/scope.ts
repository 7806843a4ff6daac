/**
 * Moving a process into a transient systemd scope of its own, in the user's
 * systemd instance, over the session bus: what podman does for each
 * container's conmon (libpod moveConmonToCgroupAndSignal, through common's
 * systemd.RunUnderSystemdScope), so that conmon leaves the cgroup of the
 * shell or unit that started it, and a logout's cleanup of that session
 * does not take it along.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { CgroupPlan } from '../cgroups/plan.js';
import { TpodError, errorLine } from '../errors.js';
import { log } from '../log.js';
import { Bus, DBusError, sessionBusSocket } from './dbus.js';
import { type DBusValue, variant } from './dbus-wire.js';

const SYSTEMD = { destination: 'org.freedesktop.systemd1', path: '/org/freedesktop/systemd1', interface: 'org.freedesktop.systemd1.Manager' };
const DBUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };
const JOB_REMOVED = "type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.systemd1.Manager',member='JobRemoved'";
// A scope's start job takes milliseconds; this only keeps a wedged bus from hanging tpod.
const TIMEOUT_MS = 30_000;

export interface ScopeRequest {
  readonly pid: number;
  /** name.scope */
  readonly unit: string;
  readonly description: string;
  /** The slice it goes in; podman's conmon goes where its container goes. */
  readonly slice: string;
}

/** StartTransientUnit's arguments for REQ: name, mode, properties a(sv), auxiliary units a(sa(sv)). Pure. */
export function transientScopeCall(req: ScopeRequest): DBusValue[] {
  return [
    req.unit,
    // podman's mode: an older job for the same unit gives way.
    'replace',
    [
      ['Description', variant('s', req.description)],
      ['Slice', variant('s', req.slice)],
      ['PIDs', variant('au', [req.pid])],
      // Its processes may make cgroups below it (conmon does not, but podman asks for it).
      ['Delegate', variant('b', true)],
      // No ordering after basic.target, nor a stop at shutdown.target: only its processes matter.
      ['DefaultDependencies', variant('b', false)],
    ],
    [],
  ];
}

/** A move asked of systemd: DONE resolves once systemd has started the scope, or rejects. */
export interface ScopeMove {
  readonly done: Promise<void>;
}

/**
 * Asks for REQ.pid to be moved into a new scope REQ.unit, and returns once
 * the request is on its way, so that the caller can work while systemd
 * does; DONE follows once systemd has started the scope (its job ended). If
 * the unit exists (a restarted container's conmon, started from its
 * predecessor's scope), the process joins that unit's cgroup instead, as
 * podman does. Given up after TIMEOUT_MS.
 */
export async function moveToScope(busSocket: string, req: ScopeRequest, timeoutMs = TIMEOUT_MS): Promise<ScopeMove> {
  const bus = Bus.open(busSocket);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(() => fail(new TpodError(`systemd did not start ${req.unit} within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  const done = Promise.race([startScope(bus, req), timeout]).finally(() => {
    clearTimeout(timer);
    bus.close();
  });
  // The caller may block the event loop next (the runtime's start): the requests must be out first.
  await bus.ready;
  return { done };
}

async function startScope(bus: Bus, req: ScopeRequest): Promise<void> {
  const began = performance.now();
  const since = () => `${(performance.now() - began).toFixed(1)} ms`;
  const ended = new Map<string, string>();
  let job: string | undefined;
  let jobEnded: ((result: string) => void) | undefined;
  bus.onSignal((m) => {
    if (m.member !== 'JobRemoved') return;
    // JobRemoved(u id, o job, s unit, s result)
    const [, path, , result] = m.body as [number, string, string, string];
    if (path === job) jobEnded?.(result);
    else ended.set(path, result);
  });
  // Both sent at once: the bus applies the match before it passes the call on.
  const matched = bus.call({ ...DBUS, member: 'AddMatch', signature: 's', body: [JOB_REMOVED] });
  const started = bus.call({ ...SYSTEMD, member: 'StartTransientUnit', signature: 'ssa(sv)a(sa(sv))', body: transientScopeCall(req) });
  started.catch(() => undefined);
  await matched;
  log.debug(`${req.unit}: connected, authenticated and subscribed after ${since()}`);
  let reply: DBusValue[];
  try {
    reply = await started;
  } catch (err) {
    if (err instanceof DBusError && err.errorName === 'org.freedesktop.systemd1.UnitExists') return joinUnit(bus, req);
    throw err;
  }
  job = reply[0] as string;
  log.debug(`${req.unit}: StartTransientUnit answered after ${since()}`);
  // The signal may have come before the reply was read.
  const result = ended.get(job) ?? (await new Promise<string>((done) => (jobEnded = done)));
  if (result !== 'done') throw new TpodError(`systemd did not start ${req.unit}: its job ended "${result}"`);
  log.debug(`${req.unit}: started after ${since()}`);
}

/** Puts REQ.pid in the cgroup of the existing scope REQ.unit. */
async function joinUnit(bus: Bus, req: ScopeRequest): Promise<void> {
  const [unitPath] = await bus.call({ ...SYSTEMD, member: 'GetUnit', signature: 's', body: [req.unit] });
  const [cgroup] = await bus.call({
    destination: SYSTEMD.destination,
    path: unitPath as string,
    interface: 'org.freedesktop.DBus.Properties',
    member: 'Get',
    signature: 'ss',
    body: ['org.freedesktop.systemd1.Scope', 'ControlGroup'],
  });
  const path = (cgroup as { value: DBusValue }).value;
  if (typeof path !== 'string' || !path) throw new TpodError(`${req.unit} exists but has no cgroup`);
  writeFileSync(`/sys/fs/cgroup${path}/cgroup.procs`, `${req.pid}\n`);
}

/** conmon's scope for container ID (podman's is libpod-conmon-ID.scope). Pure. */
export const conmonScopeName = (id: string): string => `tpod-conmon-${id}.scope`;

/**
 * Whether conmon gets a scope of its own: with --cgroups=enabled (PLAN), and
 * not when tpod runs as a systemd service ($INVOCATION_ID), whose cgroup
 * conmon stays in, so that the unit keeps its main process (podman's rule).
 * Pure.
 */
export function conmonNeedsScope(plan: CgroupPlan | undefined, env: NodeJS.ProcessEnv): boolean {
  return Boolean(plan?.conmonScope) && !env.INVOCATION_ID;
}

/**
 * Asks for conmon PID of container ID (named NAME) to be moved into its
 * scope, and returns once asked (see moveToScope). DONE never rejects: a
 * failure is a warning, as with podman, and the container runs all the same.
 */
export async function moveConmon(env: NodeJS.ProcessEnv, id: string, name: string, pid: number): Promise<ScopeMove> {
  const warn = (err: unknown) => log.warn(`conmon stays in tpod's cgroup: ${errorLine(err)}`);
  try {
    const socket = sessionBusSocket(env);
    if (!socket) throw new TpodError('no session bus ($DBUS_SESSION_BUS_ADDRESS and $XDG_RUNTIME_DIR are unset)');
    const move = await moveToScope(socket, { pid, unit: conmonScopeName(id), description: `tpod conmon of container ${name}`, slice: 'user.slice' });
    return { done: move.done.catch(warn) };
  } catch (err) {
    warn(err);
    return { done: Promise.resolve() };
  }
}

/**
 * Moves this tpod into a scope of its own when its cgroup is outside the
 * user's systemd instance (a login session's scope): a runtime's exec writes
 * its process into the container's cgroup, which the kernel allows only when
 * the user may write to the common ancestor of both cgroups, and
 * user-UID.slice is root's. podman's exec runs under conmon, in conmon's
 * scope, for the same reason. A failure leaves the runtime to say what fails.
 */
export async function leaveSessionCgroup(env: NodeJS.ProcessEnv, hostUid: number, id: string): Promise<void> {
  let own: string;
  try {
    own = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return;
  }
  if (own.includes(`/user@${hostUid}.service/`)) return;
  try {
    const socket = sessionBusSocket(env);
    if (!socket) throw new TpodError('no session bus ($DBUS_SESSION_BUS_ADDRESS and $XDG_RUNTIME_DIR are unset)');
    const unit = `tpod-exec-${id.slice(0, 12)}-${process.pid}.scope`;
    await (await moveToScope(socket, { pid: process.pid, unit, description: `tpod exec in container ${id.slice(0, 12)}`, slice: 'user.slice' })).done;
  } catch (err) {
    log.warn(`tpod stays in its session's cgroup, where the runtime may not reach the container's: ${errorLine(err)}`);
  }
}
