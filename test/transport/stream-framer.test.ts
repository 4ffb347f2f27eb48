import { describe, expect, it } from 'vitest';
import { FramingError, StreamFramer } from '../../src/sip/transport/stream-framer.js';

function sipMessage(body: string, lengthHeader = 'Content-Length'): string {
  return [
    'MESSAGE sip:bob@lab.test SIP/2.0',
    'Via: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bK-1',
    'Call-ID: framer@lab.test',
    'CSeq: 1 MESSAGE',
    `${lengthHeader}: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

function collect(maxMessageBytes?: number) {
  const messages: string[] = [];
  let pings = 0;
  const framer = new StreamFramer(
    {
      message: (raw) => messages.push(raw),
      ping: () => {
        pings++;
      },
    },
    maxMessageBytes,
  );
  return { framer, messages, pings: () => pings };
}

describe('StreamFramer', () => {
  it('reassembles a message that arrives one byte at a time', () => {
    const { framer, messages } = collect();
    const message = sipMessage('hello bob');
    for (const byte of Buffer.from(message)) framer.push(Buffer.from([byte]));
    expect(messages).toEqual([message]);
    expect(framer.midMessage).toBe(false);
  });

  it('splits coalesced messages, skipping CRLFs between them (RFC 3261 §7.5)', () => {
    const { framer, messages } = collect();
    const first = sipMessage('one');
    const second = sipMessage('', 'content-LENGTH');
    const third = sipMessage('three', 'l');
    framer.push(Buffer.from(`${first}\r\n${second}${third.slice(0, 20)}`));
    expect(messages).toEqual([first, second]);
    expect(framer.midMessage).toBe(true);
    framer.push(Buffer.from(third.slice(20)));
    expect(messages).toEqual([first, second, third]);
  });

  it('counts the body in bytes, not characters (multi-byte UTF-8 split mid-character)', () => {
    const { framer, messages } = collect();
    const message = sipMessage('Grüße, 日本 🎉');
    const bytes = Buffer.from(message);
    const cut = bytes.indexOf(Buffer.from('🎉')) + 2;
    framer.push(bytes.subarray(0, cut));
    expect(messages).toEqual([]);
    framer.push(bytes.subarray(cut));
    expect(messages).toEqual([message]);
  });

  it('reports a double-CRLF ping (RFC 5626 §4.4.1) and ignores a lone CRLF pong', () => {
    const { framer, messages, pings } = collect();
    framer.push(Buffer.from('\r\n'));
    expect(pings()).toBe(0);
    framer.push(Buffer.from('\r\n'));
    expect(pings()).toBe(1);
    const message = sipMessage('after ping');
    framer.push(Buffer.from(`\r\n${message}\r\n\r\n`));
    expect(pings()).toBe(2);
    expect(messages).toEqual([message]);
    expect(framer.midMessage).toBe(false);
  });

  it('fails a message without Content-Length, and keeps failing', () => {
    const { framer } = collect();
    const noLength = 'OPTIONS sip:bob@lab.test SIP/2.0\r\nCall-ID: x\r\n\r\n';
    expect(() => framer.push(Buffer.from(noLength))).toThrow(FramingError);
    expect(() => framer.push(Buffer.from('\r\n'))).toThrow(/Content-Length/);
  });

  it('fails a malformed or conflicting Content-Length', () => {
    const bad = collect();
    expect(() => bad.framer.push(Buffer.from('BYE sip:b SIP/2.0\r\nContent-Length: 1x\r\n\r\n'))).toThrow(
      expect.objectContaining({ reason: 'invalid-content-length' }),
    );
    const twice = collect();
    expect(() => twice.framer.push(Buffer.from('BYE sip:b SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab'))).toThrow(
      /conflicting/,
    );
  });

  it('cuts off a peer whose headers never end before the limit', () => {
    const { framer } = collect(100);
    framer.push(Buffer.from(`INVITE sip:bob@lab.test SIP/2.0\r\nX: ${'a'.repeat(60)}`));
    expect(() => framer.push(Buffer.from('b'.repeat(20)))).toThrow(
      expect.objectContaining({ reason: 'too-large' }),
    );
  });

  it('cuts off a message whose announced body would exceed the limit, before it arrives', () => {
    const { framer, messages } = collect(200);
    expect(() => framer.push(Buffer.from('MESSAGE sip:b SIP/2.0\r\nContent-Length: 500\r\n\r\n'))).toThrow(
      /exceeds the limit of 200 bytes/,
    );
    expect(messages).toEqual([]);
  });
});
