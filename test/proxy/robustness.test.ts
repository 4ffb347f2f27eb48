import { afterEach, describe, expect, it } from 'vitest';
import { getHeader } from '../../src/sip/message/headers.js';
import { ProxyConfigError } from '../../src/proxy/proxy-options.js';
import { LabProxy } from '../../src/proxy/lab-proxy.js';
import { ProxyStateError } from '../../src/proxy/proxy-errors.js';
import { parseUsers, UsersFileErrors } from '../../src/proxy/users.js';
import { inviteWithAuth, register, startLab, type Lab } from './support/lab.js';
import { settle } from './support/phone.js';

let lab: Lab;
afterEach(async () => lab?.stop());

describe('malformed input', () => {
  it('answers a request without CSeq with a stateless 400 (RFC 3261 §16.3)', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    await alice.send(`OPTIONS sip:bob@lab.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${alice.socket.local.port};branch=z9hG4bKx\r\nFrom: <sip:alice@lab.test>;tag=1\r\nTo: <sip:bob@lab.test>\r\nCall-ID: c1\r\nContent-Length: 0\r\n\r\n`);
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 400 Bad Request (missing CSeq)']);
    expect(getHeader(alice.last().message, 'call-id')).toBe('c1');
  });

  it('answers a tel: Request-URI with 416', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    await alice.send(alice.request('MESSAGE', 'tel:+123'));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 416 Unsupported URI Scheme']);
  });

  it('drops garbage, requests without a Via and CRLF keep-alives silently, and keeps working', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    for (const junk of ['\r\n\r\n', 'HELLO\r\n\r\n', 'OPTIONS sip:lab.test SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n', '\u0000\u00ff', 'SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n', 'SIP/2.0 200 OK\r\n\r\n']) {
      await alice.send(junk);
    }
    await settle();
    expect(alice.inbox).toEqual([]);
    await alice.send(alice.request('OPTIONS', 'sip:lab.test'));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 200 OK']);
  });
});

describe('the proxy itself', () => {
  it('answers OPTIONS to its own address with 200 and an Allow list (health check), without a challenge', async () => {
    lab = await startLab();
    const alice = await lab.phone('alice');
    const [udp] = lab.proxy.endpoints();
    await alice.send(alice.request('OPTIONS', `sip:127.0.0.1:${udp!.local.port}`));
    await settle();
    expect(alice.ladder()).toEqual(['SIP/2.0 200 OK']);
    expect(getHeader(alice.last().message, 'allow')).toContain('INVITE');
  });

  it('reports every message it receives and sends as a proxy sip event', async () => {
    lab = await startLab();
    const bob = await lab.phone('bob');
    await register(bob);
    const proxyEvents = lab.events.filter((e) => e.type === 'sip' && e.party === 'proxy');
    expect(proxyEvents.map((e) => (e.type === 'sip' ? `${e.direction} ${e.startLine}` : ''))).toEqual([
      'in REGISTER sip:lab.test SIP/2.0',
      'out SIP/2.0 401 Unauthorized',
      'in REGISTER sip:lab.test SIP/2.0',
      'out SIP/2.0 200 OK',
    ]);
  });

  it('lets a call through with SHA-256 digest when configured so', async () => {
    lab = await startLab({ algorithm: 'SHA-256' });
    const alice = await lab.phone('alice');
    const bob = await lab.phone('bob');
    await register(bob);
    await inviteWithAuth(alice, 'bob');
    expect(getHeader(alice.lastResponse(407), 'proxy-authenticate')).toContain('algorithm=SHA-256');
    expect(bob.lastRequest('INVITE')).toBeDefined();
  });

  it('refuses to start twice', async () => {
    lab = await startLab();
    await expect(lab.proxy.start()).rejects.toThrow(ProxyStateError);
  });

  it('rejects options that cannot work, listing every problem', () => {
    expect(() => new LabProxy({ users: new Map(), listeners: [], inviteTimeoutMs: 0 })).toThrow(ProxyConfigError);
    try {
      new LabProxy({ users: new Map(), listeners: [], inviteTimeoutMs: 0 });
    } catch (error) {
      expect((error as ProxyConfigError).problems).toHaveLength(2);
    }
  });
});

describe('users file', () => {
  it('reads user=password and user:password lines, skipping comments and blanks', () => {
    expect(parseUsers('# lab users\nalice=a:b\n\nbob : pw=x\n')).toEqual(new Map([['alice', 'a:b'], ['bob', 'pw=x']]));
  });

  it('reports every bad line with its number', () => {
    try {
      parseUsers('alice=1\nnot a line\nalice=2\ncarol=\n', 'users.txt');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(UsersFileErrors);
      expect((error as UsersFileErrors).errors.map((e) => e.line)).toEqual([2, 3, 4]);
    }
  });
});
