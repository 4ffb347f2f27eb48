import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, getHeaderValues, tagOf } from '../../src/sip/message/headers.js';
import { startLab, type Lab } from './support/lab.js';
import { settle, type TestPhone } from './support/phone.js';

let lab: Lab;
afterEach(async () => lab?.stop());

/** A request from `phone` whose start line and Content-Length are given verbatim. */
function broken(phone: TestPhone, startLine: string, contentLength: string, options: { via?: string; cseq?: string } = {}): string {
  const port = phone.socket.local.port;
  return [
    startLine,
    `Via: ${options.via ?? `SIP/2.0/UDP 127.0.0.1:${port};rport;branch=z9hG4bKbroken`}`,
    'Max-Forwards: 70',
    `From: <sip:${phone.user}@lab.test>;tag=${phone.fromTag}`,
    'To: <sip:bob@lab.test>',
    `Call-ID: ${phone.callId}`,
    `CSeq: ${options.cseq ?? '5 INVITE'}`,
    `Content-Length: ${contentLength}`,
    '',
    'v=0\r\n',
  ].join('\r\n');
}

describe('requests the parser refuses, with a readable Via', () => {
  it('alice sends Content-Length past the datagram: she gets 400 naming it, with her Via, tags, Call-ID and CSeq (RFC 3261 §18.3)', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    await alice.send(broken(alice, 'INVITE sip:bob@lab.test SIP/2.0', '9999'));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 400 Bad Request (Content-Length 9999 is larger than the 5-byte body)']);
    const answer = alice.last().message;
    expect(getHeaderValues(answer, 'via')).toEqual([`SIP/2.0/UDP 127.0.0.1:${alice.socket.local.port};rport;branch=z9hG4bKbroken`]);
    expect(tagOf(getHeader(answer, 'from'))).toBe(alice.fromTag);
    expect(tagOf(getHeader(answer, 'to'))).toBeDefined();
    expect(getHeader(answer, 'call-id')).toBe(alice.callId);
    expect(getHeader(answer, 'cseq')).toBe('5 INVITE');
  });

  it('alice sends a negative Content-Length: 400', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    await alice.send(broken(alice, 'INVITE sip:bob@lab.test SIP/2.0', '-999'));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 400 Bad Request (negative Content-Length "-999")']);
  });

  it('alice sends a malformed Request-Line: 400, and her ACK, as malformed, gets no answer', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    await alice.send(broken(alice, 'INVITE  sip:bob@lab.test  SIP/2.0', '5'));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 400 Bad Request (malformed Request-Line)']);
    await alice.send(broken(alice, 'ACK  sip:bob@lab.test  SIP/2.0', '5', { cseq: '5 ACK' }));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 400 Bad Request (malformed Request-Line)']);
  });

  it('alice speaks SIP/7.0: 505 Version Not Supported, her SIP/7.0 Via copied back (RFC 3261 §8.2.1)', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    const via = `SIP/7.0/UDP 127.0.0.1:${alice.socket.local.port};branch=z9hG4bKv7`;
    await alice.send(broken(alice, 'OPTIONS sip:bob@lab.test SIP/7.0', '5', { via, cseq: '1 OPTIONS' }));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 505 Version Not Supported']);
    expect(getHeaderValues(alice.last().message, 'via')).toEqual([via]);
  });

  it('answers over TCP on the flow the request came in on', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice', 'tcp');
    await alice.send(broken(alice, 'MESSAGE sip:bob@lab.test; lr SIP/2.0', '5', { via: `SIP/2.0/TCP 127.0.0.1:${alice.socket.local.port};branch=z9hG4bKt`, cseq: '2 MESSAGE' }));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 400 Bad Request (malformed Request-Line)']);
  });
});

describe('unparsable messages that stay unanswered', () => {
  it('drops an unparsable ACK, response, Via-less request and request with an unreadable Via, and keeps working', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    const noVia = broken(alice, 'INVITE sip:bob@lab.test SIP/2.0', '9999').replace(/^Via: .*\r\n/m, '');
    for (const junk of [
      broken(alice, 'ACK sip:bob@lab.test SIP/2.0', '9999', { cseq: '5 ACK' }),
      broken(alice, 'SIP/2.0 200 OK', '9999'),
      broken(alice, 'SIP/2.0  200  OK', '5'),
      noVia,
      broken(alice, 'INVITE sip:bob@lab.test SIP/2.0', '9999', { via: 'nonsense' }),
      broken(alice, 'HELLO', '5'),
      'INVITE sip:bob@lab.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKx\r\nBroken line\r\n\r\n',
    ]) {
      await alice.send(junk);
    }
    await settle();
    expect(alice.inbox).toEqual([]);
    await alice.send(alice.request('OPTIONS', 'sip:lab.test'));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 200 OK']);
  });
});
