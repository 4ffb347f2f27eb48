import { describe, expect, it } from 'vitest';
import { getHeader, getHeaderValues, grantedExpires, parseCSeq, tagOf, topVia, uriOf } from '../../src/sip/message/headers.js';
import { parseSipMessage, SipParseError } from '../../src/sip/message/parse-message.js';
import { serializeSipMessage } from '../../src/sip/message/serialize-message.js';

const invite = [
  'INVITE sip:bob@lab.test SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bK776asdhds',
  'v: SIP/2.0/TCP 10.0.0.1;branch=z9hG4bKsecond, SIP/2.0/UDP [::1]:5090;branch=z9hG4bKthird',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@lab.test>',
  'f: "Alice, A." <sip:alice@lab.test>;tag=1928301774',
  'i: a84b4c76e66710@pc33',
  'CSeq: 314159 INVITE',
  'Subject: folded',
  '  across lines',
  'Content-Type: application/sdp',
  'l: 4',
  '',
  'v=0\r\nextra bytes beyond Content-Length',
].join('\r\n');

/** The error `parseSipMessage` throws for `raw`; fails the test if it parses. */
function parseErrorOf(raw: string): SipParseError {
  try {
    parseSipMessage(raw);
  } catch (error) {
    if (error instanceof SipParseError) return error;
    throw error;
  }
  throw new Error(`parsed: ${JSON.stringify(raw)}`);
}

describe('parseSipMessage', () => {
  it('reads the request line, compact headers, folding and every Via', () => {
    const message = parseSipMessage(invite);
    expect(message.kind).toBe('request');
    if (message.kind !== 'request') return;
    expect(message.method).toBe('INVITE');
    expect(message.uri).toBe('sip:bob@lab.test');
    expect(getHeader(message, 'Call-ID')).toBe('a84b4c76e66710@pc33');
    expect(getHeader(message, 'subject')).toBe('folded across lines');
    expect(getHeaderValues(message, 'via')).toHaveLength(3);
    expect(topVia(message)).toMatchObject({ transport: 'UDP', host: '127.0.0.1', port: 5070, branch: 'z9hG4bK776asdhds' });
    expect(topVia(message).params.has('rport')).toBe(true);
    expect(parseCSeq(message)).toEqual({ seq: 314159, method: 'INVITE' });
    expect(tagOf(getHeader(message, 'from'))).toBe('1928301774');
    expect(uriOf(getHeader(message, 'from')!)).toBe('sip:alice@lab.test');
    expect(message.body).toBe('v=0\r');
  });

  it('reads a CSeq whose method is any RFC 3261 token (RFC 4475 intmeth)', () => {
    const message = parseSipMessage("!interesting-Method0123456789_*+`.%indeed'~ sip:a SIP/2.0\r\nCSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~\r\n\r\n");
    expect(parseCSeq(message)).toEqual({ seq: 139122385, method: "!INTERESTING-METHOD0123456789_*+`.%INDEED'~" });
  });

  it('reads a status line', () => {
    const message = parseSipMessage('SIP/2.0 486 Busy Here\r\nCSeq: 2 INVITE\r\nContent-Length: 0\r\n\r\n');
    expect(message).toMatchObject({ kind: 'response', status: 486, reason: 'Busy Here' });
  });

  it('splits IPv6 Via hosts', () => {
    const message = parseSipMessage(invite);
    const third = getHeaderValues(message, 'via')[2]!;
    expect(third).toContain('[::1]:5090');
  });

  it.each([
    ['no blank line', 'INVITE sip:a SIP/2.0\r\nVia: x'],
    ['a bad start line', 'HELLO\r\n\r\n'],
    ['a header without colon', 'OPTIONS sip:a SIP/2.0\r\nBroken\r\n\r\n'],
    ['a Content-Length beyond the body', 'OPTIONS sip:a SIP/2.0\r\nContent-Length: 10\r\n\r\nabc'],
    ['a non-numeric Content-Length', 'OPTIONS sip:a SIP/2.0\r\nContent-Length: x\r\n\r\n'],
  ])('rejects %s with a SipParseError', (_name, raw) => {
    expect(() => parseSipMessage(raw)).toThrow(SipParseError);
  });

  it.each([
    ['Content-Length past the datagram (RFC 4475 clerr)', 'INVITE sip:a@b SIP/2.0', 'Content-Length: 9999', 'INVITE', 'sip:a@b', 'SIP/2.0', /^Content-Length 9999 is larger than the 3-byte body$/],
    ['a negative Content-Length (ncl)', 'INVITE sip:a@b SIP/2.0', 'Content-Length: -999', 'INVITE', 'sip:a@b', 'SIP/2.0', /^negative Content-Length "-999"$/],
    ['a space inside the Request-URI (lwsruri)', 'INVITE sip:a@b; lr SIP/2.0', 'Content-Length: 3', 'INVITE', undefined, 'SIP/2.0', /^malformed Request-Line$/],
    ['runs of spaces in the Request-Line (lwsstart)', 'invite  sip:a@b  SIP/2.0', 'Content-Length: 3', 'INVITE', 'sip:a@b', 'SIP/2.0', /^malformed Request-Line$/],
    ['another SIP version (badvers)', 'OPTIONS sip:a@b SIP/7.0', 'l: 3', 'OPTIONS', 'sip:a@b', 'SIP/7.0', /^unsupported SIP version SIP\/7\.0$/],
  ])('salvages the start line and every header of a request with %s', (_name, first, length, method, uri, version, reason) => {
    const raw = [first, 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKs', 'From: <sip:c@d>;tag=1', 'To: <sip:a@b>', 'i: salvage-1', 'CSeq: 7 INVITE', length, '', 'v=0'].join('\r\n');
    const { reason: said, partial } = parseErrorOf(raw);
    expect(said).toMatch(reason);
    expect(partial).toMatchObject({ startLine: first, kind: 'request', method, version });
    expect(partial?.uri).toBe(uri);
    const salvaged = { kind: 'request' as const, method: '', uri: '', headers: partial!.headers!, body: '' };
    expect(topVia(salvaged).branch).toBe('z9hG4bKs');
    expect(getHeader(salvaged, 'call-id')).toBe('salvage-1');
    expect(parseCSeq(salvaged)).toEqual({ seq: 7, method: 'INVITE' });
    expect(tagOf(getHeader(salvaged, 'from'))).toBe('1');
  });

  it('salvages a status line as a response, and garbage as neither', () => {
    const partialOf = (raw: string) => parseErrorOf(raw).partial;
    expect(partialOf('SIP/2.0 200 OK\r\nContent-Length: 9\r\n\r\n')).toMatchObject({ kind: 'response', headers: [{ key: 'content-length' }] });
    expect(partialOf('SIP/7.0 200 OK\r\nVia: SIP/7.0/UDP h\r\n\r\n')?.kind).toBe('response');
    expect(partialOf('HELLO\r\nVia: SIP/2.0/UDP h\r\n\r\n')).toEqual({ startLine: 'HELLO', headers: [{ key: 'via', name: 'Via', value: 'SIP/2.0/UDP h' }] });
  });

  it('salvages no headers when the header block is broken or has no end', () => {
    const partialOf = (raw: string) => parseErrorOf(raw).partial;
    expect(partialOf('OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h\r\nBroken\r\n\r\n')).toEqual({ startLine: 'OPTIONS sip:a SIP/2.0', kind: 'request', method: 'OPTIONS', uri: 'sip:a', version: 'SIP/2.0' });
    expect(partialOf('OPTIONS sip:a SIP/2.0\r\nVia: SIP/2.0/UDP h')?.headers).toBeUndefined();
  });

  it('serializes back with a correct Content-Length', () => {
    const message = parseSipMessage(invite);
    message.body = 'v=0\r\no=é\r\n';
    const text = serializeSipMessage(message);
    expect(text).toContain('l: 11\r\n');
    expect(parseSipMessage(text).body).toBe('v=0\r\no=é\r\n');
  });

  it('reads what a registrar granted a binding: its Contact expires among several, else the Expires header (RFC 3261 §10.2.4)', () => {
    const ok = (lines: string[]): ReturnType<typeof parseSipMessage> =>
      parseSipMessage(['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKr1', 'To: <sip:u1@lab.test>;tag=x', 'From: <sip:u1@lab.test>;tag=y', 'Call-ID: r1', 'CSeq: 2 REGISTER', ...lines, 'Content-Length: 0', '', ''].join('\r\n'));
    const ours = 'sip:u1@127.0.0.1:5070;transport=tcp';
    // Ours is the second binding, written in another case and with its parameter in the URI.
    const two = ok(['Contact: <sip:u1@10.0.0.9:5060>;expires=3600, <SIP:u1@127.0.0.1:5070;transport=TCP>;expires=60', 'Expires: 900']);
    expect(grantedExpires(two, ours)).toBe(60);
    // m: compact form, no expires parameter on ours: the Expires header.
    expect(grantedExpires(ok(['m: <sip:u1@127.0.0.1:5070;transport=tcp>', 'Expires: 120']), ours)).toBe(120);
    expect(grantedExpires(ok(['Contact: <sip:u1@127.0.0.1:5070>;expires=0']), 'sip:u1@127.0.0.1:5070')).toBe(0);
    expect(grantedExpires(ok(['Contact: <sip:u1@10.0.0.9:5060>;expires=30']), ours)).toBeUndefined();
  });
});
