import { describe, expect, it } from 'vitest';
import {
  answerChallenge,
  computeDigestResponse,
  formatDigestChallenge,
  formatDigestCredentials,
  parseDigestChallenge,
  parseDigestCredentials,
} from '../../src/sip/auth/digest.js';
import { DigestParseError, parseDigestHeader } from '../../src/sip/auth/digest-header.js';

describe('digest responses', () => {
  it('reproduces the RFC 2617 §3.5 example (MD5, qop=auth)', () => {
    expect(
      computeDigestResponse({
        algorithm: 'MD5',
        username: 'Mufasa',
        realm: 'testrealm@host.com',
        password: 'Circle Of Life',
        method: 'GET',
        uri: '/dir/index.html',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        qop: 'auth',
        nc: '00000001',
        cnonce: '0a4f113b',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });

  const rfc7616 = {
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    qop: 'auth' as const,
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  };

  it('reproduces the RFC 7616 §3.9.1 example with SHA-256', () => {
    expect(computeDigestResponse({ ...rfc7616, algorithm: 'SHA-256' })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  it('reproduces the RFC 7616 §3.9.1 example with MD5', () => {
    expect(computeDigestResponse({ ...rfc7616, algorithm: 'MD5' })).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('computes the RFC 2069 form when no qop is used', () => {
    const withoutQop = computeDigestResponse({ ...rfc7616, algorithm: 'MD5', qop: undefined });
    expect(withoutQop).toMatch(/^[0-9a-f]{32}$/);
    expect(withoutQop).not.toBe('8ca523f5e9506fed4657c9700eebdbec');
  });
});

describe('digest header values', () => {
  it('parses quoted strings holding commas and escaped quotes', () => {
    const params = parseDigestHeader('Digest realm="a, b", nonce="x\\"y",algorithm=SHA-256 , qop="auth,auth-int"');
    expect(params.get('realm')).toBe('a, b');
    expect(params.get('nonce')).toBe('x"y');
    expect(params.get('algorithm')).toBe('SHA-256');
    expect(params.get('qop')).toBe('auth,auth-int');
  });

  it('rejects other schemes and unterminated quotes', () => {
    expect(() => parseDigestHeader('Basic abc')).toThrow(DigestParseError);
    expect(() => parseDigestHeader('Digest realm="open')).toThrow(DigestParseError);
  });

  it('round-trips a challenge and answers it', () => {
    const text = formatDigestChallenge({ realm: 'lab.test', nonce: 'n1', opaque: 'o', algorithm: 'SHA-256', qop: ['auth'], stale: true });
    expect(text).toBe('Digest realm="lab.test", nonce="n1", opaque="o", stale=true, algorithm=SHA-256, qop="auth"');
    const challenge = parseDigestChallenge(text);
    expect(challenge).toEqual({ realm: 'lab.test', nonce: 'n1', opaque: 'o', algorithm: 'SHA-256', qop: ['auth'], stale: true });

    const credentials = answerChallenge(challenge, { username: 'alice', password: 'pw', method: 'INVITE', uri: 'sip:bob@lab.test', cnonce: 'c0' });
    const header = formatDigestCredentials(credentials);
    expect(header).toContain('qop=auth, nc=00000001, cnonce="c0"');
    expect(parseDigestCredentials(header)).toEqual(credentials);
  });

  it('treats a challenge without algorithm as MD5 and without qop as RFC 2069', () => {
    expect(parseDigestChallenge('Digest realm="iptel.org", nonce="abc"')).toMatchObject({ algorithm: 'MD5', qop: [], stale: false });
  });
});
