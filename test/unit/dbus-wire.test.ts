import { describe, expect, it } from 'vitest';
import { MessageType, decodeMessage, encodeMessage, marshal, messageLength, splitSignature, unmarshal, variant } from '../../src/systemd/dbus-wire.js';
import { transientScopeCall } from '../../src/systemd/scope.js';

/** Bytes from hex written in groups, with spaces and | for reading. */
const hex = (text: string) => Buffer.from(text.replace(/[\s|]/g, ''), 'hex');
const ascii = (text: string) => Buffer.from(text).toString('hex');

describe('D-Bus marshalling', () => {
  it('splits signatures into complete types', () => {
    expect(splitSignature('ssa(sv)a(sa(sv))')).toEqual(['s', 's', 'a(sv)', 'a(sa(sv))']);
    expect(splitSignature('a{sv}u')).toEqual(['a{sv}', 'u']);
    expect(() => splitSignature('a(s')).toThrow('unclosed ( in signature "a(s"');
  });

  it('pads each value to its alignment', () => {
    // y at 0, three bytes of padding, u at 4.
    expect(marshal('yu', [1, 2])).toEqual(hex('01 000000 | 02000000'));
    // A string: its length, its bytes, a NUL; a signature: a byte of length.
    expect(marshal('sg', ['ab', 'au'])).toEqual(hex(`02000000 ${ascii('ab')} 00 | 02 ${ascii('au')} 00`));
    expect(marshal('b', [true])).toEqual(hex('01000000'));
  });

  it('writes a(sv) with the padding to the first struct outside the array\'s length', () => {
    // length 20 | 4 bytes to reach 8 | "Delegate" | variant: signature "b", padding, true
    const expected = hex(`14000000 | 00000000 | 08000000 ${ascii('Delegate')} 00 | 01 ${ascii('b')} 00 | 01000000`);
    expect(marshal('a(sv)', [[['Delegate', variant('b', true)]]])).toEqual(expected);
    // An empty array of structs still pads to 8 after its length.
    expect(marshal('a(sv)', [[]])).toEqual(hex('00000000 | 00000000'));
    expect(marshal('a(sv)a(sa(sv))', [[['Delegate', variant('b', true)]], []])).toEqual(Buffer.concat([expected, hex('00000000')]));
  });

  it('writes a variant holding an array of uint32 (PIDs)', () => {
    // "PIDs" at 8 (after length and padding); variant signature "au" at 17; padding; the array at 24: length 4, one pid.
    expect(marshal('a(sv)', [[['PIDs', variant('au', [4660])]]])).toEqual(
      hex(`18000000 | 00000000 | 04000000 ${ascii('PIDs')} 00 | 02 ${ascii('au')} 00 | 000000 | 04000000 | 34120000`),
    );
  });

  it('reads back what it writes', () => {
    const body = transientScopeCall({ pid: 42, unit: 'tpod-conmon-abc.scope', description: 'tpod conmon of container web', slice: 'user.slice' });
    const signature = 'ssa(sv)a(sa(sv))';
    expect(unmarshal(signature, marshal(signature, body))).toEqual(body);
    expect(unmarshal('a{sv}xt', marshal('a{sv}xt', [[['k', variant('n', -2)]], -5n, 7n]))).toEqual([[['k', variant('n', -2)]], -5n, 7n]);
  });

  it('refuses a body that ends too early', () => {
    expect(() => unmarshal('s', hex('05000000 6162'))).toThrow('malformed D-Bus message: it ends too early');
  });
});

describe('D-Bus messages', () => {
  // The bus's Hello, as every client sends it first: 128 bytes, well known from the spec's examples.
  const hello = hex(
    [
      '6c 01 00 01 | 00000000 | 01000000 | 6d000000',
      `01 01 ${ascii('o')} 00 | 15000000 ${ascii('/org/freedesktop/DBus')} 00 | 0000`,
      `02 01 ${ascii('s')} 00 | 14000000 ${ascii('org.freedesktop.DBus')} 00 | 000000`,
      `03 01 ${ascii('s')} 00 | 05000000 ${ascii('Hello')} 00 | 0000`,
      `06 01 ${ascii('s')} 00 | 14000000 ${ascii('org.freedesktop.DBus')} 00 | 000000`,
    ].join(' '),
  );

  it('encodes a method call byte for byte', () => {
    const encoded = encodeMessage({ type: MessageType.methodCall, serial: 1, path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'Hello', destination: 'org.freedesktop.DBus' });
    expect(encoded.length).toBe(128);
    expect(encoded).toEqual(hello);
  });

  it('decodes a reply once it is whole, and says how long it is from its first 16 bytes', () => {
    // A method return: reply serial 1, signature "o", body "/a".
    const reply = hex(
      [
        '6c 02 01 01 | 07000000 | 09000000 | 0f000000',
        `05 01 ${ascii('u')} 00 | 01000000`,
        `08 01 ${ascii('g')} 00 | 01 ${ascii('o')} 00 | 00`,
        `02000000 ${ascii('/a')} 00`,
      ].join(' '),
    );
    expect(messageLength(reply.subarray(0, 16))).toBe(reply.length);
    expect(decodeMessage(reply.subarray(0, reply.length - 1))).toBeUndefined();
    const decoded = decodeMessage(Buffer.concat([reply, hello]));
    expect(decoded?.length).toBe(reply.length);
    expect(decoded?.message).toEqual({ type: MessageType.methodReturn, flags: 1, serial: 9, replySerial: 1, signature: 'o', body: ['/a'] });
  });

  it('round-trips an error and a signal', () => {
    const error = { type: MessageType.error, flags: 0, serial: 3, replySerial: 2, errorName: 'org.freedesktop.systemd1.UnitExists', destination: ':1.5', signature: 's', body: ['Unit x.scope already exists.'] };
    expect(decodeMessage(encodeMessage(error))?.message).toEqual(error);
    const signal = { type: MessageType.signal, flags: 0, serial: 7, path: '/org/freedesktop/systemd1', interface: 'org.freedesktop.systemd1.Manager', member: 'JobRemoved', sender: ':1.2', signature: 'uoss', body: [12, '/org/freedesktop/systemd1/job/12', 'x.scope', 'done'] };
    expect(decodeMessage(encodeMessage(signal))?.message).toEqual(signal);
  });

  it('reads only little-endian messages', () => {
    expect(() => messageLength(Buffer.alloc(16, 0x42))).toThrow('not little-endian');
  });
});
