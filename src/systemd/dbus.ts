/**
 * A minimal D-Bus client for the user's session bus, enough to ask the
 * user's systemd for a transient unit: connect, authenticate, Hello, method
 * calls and the signals asked for with AddMatch. The wire format is
 * dbus-wire.ts's.
 *
 * Authentication is SASL EXTERNAL with no identity, as sd-bus does it
 * (bus-socket.c): tpod runs in its user namespace, where it is uid 0, so it
 * cannot name its uid; the bus takes the one the kernel gives it through
 * SO_PEERCRED, which is the user's own. Everything up to the first call is
 * sent at once, without waiting for each answer, again as sd-bus does.
 */
import { type Socket, createConnection } from 'node:net';
import { TpodError } from '../errors.js';
import { type DBusValue, type Message, MessageType, decodeMessage, encodeMessage } from './dbus-wire.js';

/** The socket of the session bus: $DBUS_SESSION_BUS_ADDRESS's first unix: address, else $XDG_RUNTIME_DIR/bus. */
export function sessionBusSocket(env: NodeJS.ProcessEnv): string | undefined {
  for (const address of (env.DBUS_SESSION_BUS_ADDRESS ?? '').split(';')) {
    const m = /^unix:(.*)$/.exec(address.trim());
    if (!m) continue;
    const params = new Map(m[1]!.split(',').map((kv) => kv.split('=', 2).map(unescapeValue) as [string, string]));
    if (params.has('path')) return params.get('path');
    // Node names abstract sockets with a leading NUL.
    if (params.has('abstract')) return `\0${params.get('abstract')}`;
  }
  return env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/bus` : undefined;
}

/** The address syntax escapes bytes as %XX. */
const unescapeValue = (text: string | undefined) => decodeURIComponent(text ?? '');

export interface Call {
  readonly destination: string;
  readonly path: string;
  readonly interface: string;
  readonly member: string;
  readonly signature?: string;
  readonly body?: readonly DBusValue[];
}

/** A method's error reply: its D-Bus name, and its message. */
export class DBusError extends TpodError {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(message);
  }
}

const DBUS = { destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus' };

/**
 * One connection to a bus. Calls may be made at once: what is asked in one
 * go (one turn of the event loop) goes out in one write, as soon as the
 * socket is connected.
 */
export class Bus {
  /** Resolves once the socket is connected, by when what was asked before is written, or has failed. */
  readonly ready: Promise<void>;
  private serial = 0;
  private outgoing: Buffer[] = [];
  private readonly pending = new Map<number, { done: (m: Message) => void; fail: (e: Error) => void }>();
  private readonly signalHandlers = new Set<(m: Message) => void>();
  private buffered = Buffer.alloc(0);
  private authenticated = false;
  private failure: Error | undefined;
  private readonly socket: Socket;

  private constructor(readonly path: string) {
    this.socket = createConnection({ path });
    // Listening before the first write, whose own listener writes once this one has run.
    this.ready = new Promise((done) => {
      this.socket.once('connect', done);
      this.socket.once('error', () => done());
    });
    this.socket.on('data', (d: Buffer) => this.receive(d));
    this.socket.on('error', (err) => this.fail(new TpodError(`cannot talk to the session bus at ${path}: ${err.message}`)));
    this.socket.on('close', () => this.fail(new TpodError(`the session bus at ${path} closed the connection`)));
    // Authentication, then Hello, which a bus wants first.
    this.send(Buffer.from('\0AUTH EXTERNAL\r\nDATA\r\nBEGIN\r\n'));
  }

  private send(data: Buffer): void {
    if (!this.outgoing.length) {
      queueMicrotask(() => {
        const data = Buffer.concat(this.outgoing);
        this.outgoing = [];
        if (!this.failure) this.socket.write(data);
      });
    }
    this.outgoing.push(data);
  }

  /** Opens a connection to the bus at socket PATH; its Hello is on its way. */
  static open(path: string): Bus {
    const bus = new Bus(path);
    void bus.call({ ...DBUS, member: 'Hello' }).catch(() => undefined);
    return bus;
  }

  /** Sends a method call; resolves with the reply's body, or rejects with its error in one line. */
  call(c: Call): Promise<DBusValue[]> {
    if (this.failure) return Promise.reject(this.failure);
    const serial = ++this.serial;
    this.send(encodeMessage({ type: MessageType.methodCall, serial, ...c }));
    return new Promise<Message>((done, fail) => this.pending.set(serial, { done, fail })).then((m) => {
      if (m.type === MessageType.error) {
        const text = typeof m.body?.[0] === 'string' ? m.body[0] : m.errorName!;
        throw new DBusError(m.errorName ?? 'org.freedesktop.DBus.Error.Failed', text);
      }
      return [...(m.body ?? [])];
    });
  }

  /** HANDLER sees every signal that comes in; returns what removes it. */
  onSignal(handler: (m: Message) => void): () => void {
    this.signalHandlers.add(handler);
    return () => this.signalHandlers.delete(handler);
  }

  close(): void {
    this.failure ??= new TpodError('the bus connection is closed');
    this.socket.destroy();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const { fail } of this.pending.values()) fail(this.failure);
    this.pending.clear();
  }

  private receive(data: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, data]);
    try {
      if (!this.authenticated && !this.readAuthentication()) return;
      for (;;) {
        const decoded = decodeMessage(this.buffered);
        if (!decoded) return;
        this.buffered = this.buffered.subarray(decoded.length);
        this.dispatch(decoded.message);
      }
    } catch (err) {
      this.fail(err instanceof Error ? err : new Error(String(err)));
      this.socket.destroy();
    }
  }

  /** Reads the server's lines ("DATA", then "OK <guid>"); true once past them. */
  private readAuthentication(): boolean {
    for (;;) {
      const end = this.buffered.indexOf('\r\n');
      if (end < 0) return false;
      const line = this.buffered.toString('latin1', 0, end);
      this.buffered = this.buffered.subarray(end + 2);
      if (line.startsWith('OK ')) {
        this.authenticated = true;
        return true;
      }
      if (line !== 'DATA') throw new TpodError(`the session bus at ${this.path} refused tpod's authentication (${line})`);
    }
  }

  private dispatch(m: Message): void {
    if (m.type === MessageType.signal) {
      for (const handler of this.signalHandlers) handler(m);
      return;
    }
    const waiting = m.replySerial === undefined ? undefined : this.pending.get(m.replySerial);
    if (!waiting) return;
    this.pending.delete(m.replySerial!);
    waiting.done(m);
  }
}
