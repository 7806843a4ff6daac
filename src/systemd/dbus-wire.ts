/**
 * The D-Bus wire format, little-endian only, as the specification
 * ("Message Protocol: Marshaling") lays it out: values by their signature,
 * and whole messages (a fixed header, the header fields a(yv), the body).
 * Pure: tpod's bus client (dbus.ts) sends what this builds and reads what
 * this parses. Types: y b n q i u x t s o g a ( ) { } v; no unix fds.
 */
import { TpodError } from '../errors.js';

/** A variant's value, with the signature of what it holds. */
export interface Variant {
  readonly signature: string;
  readonly value: DBusValue;
}

/** y n q i u: number; x t: bigint; b: boolean; s o g: string; a: array; ( ) and { }: array of the members; v: Variant. */
export type DBusValue = number | bigint | boolean | string | Variant | readonly DBusValue[];

export const variant = (signature: string, value: DBusValue): Variant => ({ signature, value });

const ALIGN: Record<string, number> = { y: 1, b: 4, n: 2, q: 2, i: 4, u: 4, x: 8, t: 8, s: 4, o: 4, g: 1, a: 4, '(': 8, '{': 8, v: 1 };

const bad = (what: string) => new TpodError(`malformed D-Bus message: ${what}`);

/** The complete types SIGNATURE is made of, in order ("sa(sv)" -> "s", "a(sv)"). */
export function splitSignature(signature: string): string[] {
  const types: string[] = [];
  for (let i = 0; i < signature.length; ) {
    const end = completeTypeEnd(signature, i);
    types.push(signature.slice(i, end));
    i = end;
  }
  return types;
}

function completeTypeEnd(sig: string, start: number): number {
  const c = sig[start];
  if (c === 'a') return completeTypeEnd(sig, start + 1);
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}';
    let i = start + 1;
    while (sig[i] !== close) {
      if (i >= sig.length) throw bad(`unclosed ${c} in signature "${sig}"`);
      i = completeTypeEnd(sig, i);
    }
    return i + 1;
  }
  if (c === undefined || !(c in ALIGN)) throw bad(`unknown type "${c ?? ''}" in signature "${sig}"`);
  return start + 1;
}

/** Builds a message; offsets count from its first byte, which is where alignment counts from. */
class Writer {
  private buf = Buffer.alloc(256);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(bigger, 0, 0, this.length);
    this.buf = bigger;
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.room(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  byte(v: number): void {
    this.room(1);
    this.buf.writeUInt8(v, this.length++);
  }

  uint32(v: number): void {
    this.align(4);
    this.room(4);
    this.buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
  }

  setUint32(at: number, v: number): void {
    this.buf.writeUInt32LE(v, at);
  }

  bytes(b: Buffer): void {
    this.room(b.length);
    b.copy(this.buf, this.length);
    this.length += b.length;
  }

  value(type: string, v: DBusValue): void {
    const c = type[0];
    switch (c) {
      case 'y':
        return this.byte(Number(v));
      case 'b':
        return this.uint32(v ? 1 : 0);
      case 'n':
      case 'q':
        this.align(2);
        this.room(2);
        if (c === 'n') this.buf.writeInt16LE(Number(v), this.length);
        else this.buf.writeUInt16LE(Number(v), this.length);
        this.length += 2;
        return;
      case 'i':
        this.align(4);
        this.room(4);
        this.buf.writeInt32LE(Number(v), this.length);
        this.length += 4;
        return;
      case 'u':
        return this.uint32(Number(v));
      case 'x':
      case 't':
        this.align(8);
        this.room(8);
        if (c === 'x') this.buf.writeBigInt64LE(BigInt(v as number | bigint), this.length);
        else this.buf.writeBigUInt64LE(BigInt(v as number | bigint), this.length);
        this.length += 8;
        return;
      case 's':
      case 'o': {
        const text = Buffer.from(String(v));
        this.uint32(text.length);
        this.bytes(text);
        return this.byte(0);
      }
      case 'g': {
        const text = Buffer.from(String(v));
        this.byte(text.length);
        this.bytes(text);
        return this.byte(0);
      }
      case 'v': {
        const { signature, value } = v as Variant;
        this.value('g', signature);
        return this.value(signature, value);
      }
      case 'a': {
        const element = type.slice(1);
        this.uint32(0);
        const lengthAt = this.length - 4;
        // The padding to the first element is not part of the array's length, even when it is empty.
        this.align(ALIGN[element[0]!]!);
        const start = this.length;
        for (const item of v as readonly DBusValue[]) this.value(element, item);
        this.setUint32(lengthAt, this.length - start);
        return;
      }
      case '(':
      case '{': {
        this.align(8);
        const members = splitSignature(type.slice(1, -1));
        const values = v as readonly DBusValue[];
        if (values.length !== members.length) throw bad(`${values.length} values for the struct ${type}`);
        members.forEach((m, i) => this.value(m, values[i]!));
        return;
      }
      default:
        throw bad(`unknown type "${type}"`);
    }
  }

  take(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** Reads values from BUF, aligned from its start (a whole message). */
class Reader {
  constructor(
    private readonly buf: Buffer,
    public offset: number,
  ) {}

  private need(n: number): void {
    if (this.offset + n > this.buf.length) throw bad('it ends too early');
  }

  align(n: number): void {
    this.offset += (n - (this.offset % n)) % n;
  }

  value(type: string): DBusValue {
    const c = type[0];
    this.align(ALIGN[c!] ?? 1);
    switch (c) {
      case 'y':
        this.need(1);
        return this.buf.readUInt8(this.offset++);
      case 'b':
      case 'u':
      case 'i': {
        this.need(4);
        const n = c === 'i' ? this.buf.readInt32LE(this.offset) : this.buf.readUInt32LE(this.offset);
        this.offset += 4;
        return c === 'b' ? n !== 0 : n;
      }
      case 'n':
      case 'q': {
        this.need(2);
        const n = c === 'n' ? this.buf.readInt16LE(this.offset) : this.buf.readUInt16LE(this.offset);
        this.offset += 2;
        return n;
      }
      case 'x':
      case 't': {
        this.need(8);
        const n = c === 'x' ? this.buf.readBigInt64LE(this.offset) : this.buf.readBigUInt64LE(this.offset);
        this.offset += 8;
        return n;
      }
      case 's':
      case 'o':
      case 'g': {
        let length: number;
        if (c === 'g') {
          this.need(1);
          length = this.buf.readUInt8(this.offset++);
        } else {
          this.need(4);
          length = this.buf.readUInt32LE(this.offset);
          this.offset += 4;
        }
        this.need(length + 1);
        const text = this.buf.toString('utf8', this.offset, this.offset + length);
        this.offset += length + 1;
        return text;
      }
      case 'v': {
        const signature = this.value('g') as string;
        if (splitSignature(signature).length !== 1) throw bad(`a variant of signature "${signature}"`);
        return variant(signature, this.value(signature));
      }
      case 'a': {
        this.need(4);
        const length = this.buf.readUInt32LE(this.offset);
        this.offset += 4;
        const element = type.slice(1);
        this.align(ALIGN[element[0]!]!);
        const end = this.offset + length;
        if (end > this.buf.length) throw bad('an array runs past its end');
        const items: DBusValue[] = [];
        while (this.offset < end) items.push(this.value(element));
        if (this.offset !== end) throw bad('an array\'s length splits an element');
        return items;
      }
      case '(':
      case '{':
        return splitSignature(type.slice(1, -1)).map((m) => this.value(m));
      default:
        throw bad(`unknown type "${type}"`);
    }
  }
}

/** VALUES, one per complete type of SIGNATURE, as a body starting at an 8-aligned offset. */
export function marshal(signature: string, values: readonly DBusValue[]): Buffer {
  const types = splitSignature(signature);
  if (types.length !== values.length) throw bad(`${values.length} values for the signature "${signature}"`);
  const w = new Writer();
  types.forEach((t, i) => w.value(t, values[i]!));
  return Buffer.from(w.take());
}

/** The values of a body of SIGNATURE. */
export function unmarshal(signature: string, body: Buffer): DBusValue[] {
  const r = new Reader(body, 0);
  return splitSignature(signature).map((t) => r.value(t));
}

export const MessageType = { methodCall: 1, methodReturn: 2, error: 3, signal: 4 } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export interface Message {
  readonly type: MessageType;
  readonly flags?: number;
  readonly serial: number;
  readonly path?: string;
  readonly interface?: string;
  readonly member?: string;
  readonly errorName?: string;
  readonly replySerial?: number;
  readonly destination?: string;
  readonly sender?: string;
  /** The body's signature; "" (or none) for no body. */
  readonly signature?: string;
  readonly body?: readonly DBusValue[];
}

// Header field codes and the types of their values.
const FIELDS = [
  [1, 'path', 'o'],
  [2, 'interface', 's'],
  [3, 'member', 's'],
  [4, 'errorName', 's'],
  [5, 'replySerial', 'u'],
  [6, 'destination', 's'],
  [7, 'sender', 's'],
  [8, 'signature', 'g'],
] as const;

/** MESSAGE in the wire format. */
export function encodeMessage(message: Message): Buffer {
  const signature = message.signature ?? '';
  const body = marshal(signature, message.body ?? []);
  const fields: DBusValue[] = [];
  for (const [code, key, type] of FIELDS) {
    const v = key === 'signature' ? (signature || undefined) : message[key];
    if (v !== undefined) fields.push([code, variant(type, v)]);
  }
  const w = new Writer();
  // 'l': little-endian; protocol version 1.
  w.bytes(Buffer.from([0x6c, message.type, message.flags ?? 0, 1]));
  w.uint32(body.length);
  w.uint32(message.serial);
  w.value('a(yv)', fields);
  w.align(8);
  w.bytes(body);
  return Buffer.from(w.take());
}

/** The length of the message at the start of BUF, once its first 16 bytes are there. */
export function messageLength(buf: Buffer): number | undefined {
  if (buf.length < 16) return undefined;
  if (buf[0] !== 0x6c) throw bad('not little-endian (tpod reads only those)');
  const fieldsEnd = 16 + buf.readUInt32LE(12);
  return fieldsEnd + ((8 - (fieldsEnd % 8)) % 8) + buf.readUInt32LE(4);
}

/** The message at the start of BUF and its length, or undefined while it is incomplete. */
export function decodeMessage(buf: Buffer): { message: Message; length: number } | undefined {
  const length = messageLength(buf);
  if (length === undefined || buf.length < length) return undefined;
  const type = buf[1] as MessageType;
  const r = new Reader(buf, 12);
  const header: Record<string, DBusValue> = {};
  for (const field of r.value('a(yv)') as [number, Variant][]) {
    const known = FIELDS.find(([code]) => code === field[0]);
    if (known) header[known[1]] = field[1].value;
  }
  r.align(8);
  const signature = (header.signature as string | undefined) ?? '';
  const body = unmarshal(signature, buf.subarray(r.offset, length));
  const message: Message = {
    type,
    flags: buf[2]!,
    serial: buf.readUInt32LE(8),
    ...(header as Omit<Message, 'type' | 'serial'>),
    signature,
    body,
  };
  return { message, length };
}
