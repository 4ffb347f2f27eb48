import { describe, expect, it } from 'vitest';
import { NatTraversal, type ContactTarget, type NatBindingState } from '../../src/bot/nat/nat-traversal.js';
import { keepAlivePayload } from '../../src/bot/nat/keep-alive.js';
import { registerResponseBinding } from '../../src/bot/nat/public-binding.js';
import type { Endpoint } from '../../src/sip/transport/types.js';
import { FakeClock } from '../../src/util/fake-clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { FakeNetwork } from '../support/fake-network.js';

const PRIVATE: Endpoint = { address: '192.168.2.120', port: 53597 };
const PUBLIC: Endpoint = { address: '223.88.60.20', port: 45613 };

function register200(via: string, expires = 60): string {
  return [
    'SIP/2.0 200 OK',
    `Via: ${via}`,
    'From: <sip:axin@lab.test>;tag=a1',
    'To: <sip:axin@lab.test>;tag=b2',
    'Call-ID: reg-1',
    'CSeq: 2 REGISTER',
    `Contact: <sip:axin@${PRIVATE.address}:${PRIVATE.port};transport=udp>;expires=${expires}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** Records what the traversal asks of the user agent; "registrar" answers come from the test. */
class FakeTarget implements ContactTarget {
  contact: Endpoint = PRIVATE;
  readonly steps: string[] = [];
  registerReply: (() => void) | undefined;

  contactEndpoint(): Endpoint {
    return this.contact;
  }
  rewrite(endpoint: Endpoint): void {
    this.steps.push(`rewrite ${endpoint.address}:${endpoint.port}`);
    this.contact = endpoint;
  }
  async unregister(): Promise<void> {
    this.steps.push(`unregister ${this.contact.address}:${this.contact.port}`);
  }
  async register(): Promise<void> {
    this.steps.push(`register ${this.contact.address}:${this.contact.port}`);
    this.registerReply?.();
  }
}

function setUp(options: { keepAliveSeconds?: number; rewriteContact?: boolean } = {}) {
  const network = new FakeNetwork();
  const phone = network.socket();
  const registrar = network.socket();
  const clock = new FakeClock();
  const states: NatBindingState[] = [];
  const nat = new NatTraversal({
    party: 'axin',
    protocol: 'udp',
    socket: phone,
    server: registrar.local,
    keepAliveSeconds: options.keepAliveSeconds ?? 25,
    rewriteContact: options.rewriteContact ?? true,
    clock,
    logger: silentLogger,
    onStateChange: (state) => states.push(state),
  });
  const answer = (raw: string) => void registrar.send(raw, { remote: phone.local });
  return { network, phone, registrar, clock, nat, states, answer };
}

const viaFromNat = `SIP/2.0/UDP ${PRIVATE.address}:${PRIVATE.port};rport=${PUBLIC.port};received=${PUBLIC.address};branch=z9hG4bK1`;

describe('reading received/rport off a REGISTER 2xx', () => {
  it('gives the public address and port the registrar saw', () => {
    expect(registerResponseBinding(register200(viaFromNat))).toEqual(PUBLIC);
  });
  it('uses the Via host when the server saw no other address (received absent)', () => {
    expect(registerResponseBinding(register200(`SIP/2.0/UDP ${PUBLIC.address}:${PUBLIC.port};rport=${PUBLIC.port};branch=z9hG4bK1`))).toEqual(PUBLIC);
  });
  it('learns nothing without an rport value, or from other responses', () => {
    expect(registerResponseBinding(register200(`SIP/2.0/UDP ${PRIVATE.address}:${PRIVATE.port};rport;branch=z9hG4bK1`))).toBeUndefined();
    expect(registerResponseBinding(register200(viaFromNat).replace('CSeq: 2 REGISTER', 'CSeq: 2 INVITE'))).toBeUndefined();
    expect(registerResponseBinding(register200(viaFromNat).replace('200 OK', '401 Unauthorized'))).toBeUndefined();
  });
});

describe('contact rewriting (PJSIP-style) behind NAT', () => {
  it('axin registers from 192.168.2.120, the 200 says 223.88.60.20:45613: unregister, rewrite, register again', async () => {
    const { nat, states, answer } = setUp();
    const target = new FakeTarget();
    answer(register200(viaFromNat));
    await nat.afterRegistered(target);
    expect(target.steps).toEqual(['unregister 192.168.2.120:53597', 'rewrite 223.88.60.20:45613', 'register 223.88.60.20:45613']);
    expect(states).toEqual(['rewriting', 'public']);
    expect(nat.publicAddress()).toBe('223.88.60.20');
  });

  it('a bot not behind NAT (Via matches) keeps its Contact', async () => {
    const { nat, states, answer } = setUp();
    const target = new FakeTarget();
    answer(register200(`SIP/2.0/UDP ${PRIVATE.address}:${PRIVATE.port};rport=${PRIVATE.port};received=${PRIVATE.address};branch=z9hG4bK1`));
    await nat.afterRegistered(target);
    expect(target.steps).toEqual([]);
    expect(states).toEqual(['direct']);
    expect(nat.publicAddress()).toBeUndefined();
  });

  it('with rewriteContact off the Contact stays private even behind NAT', async () => {
    const { nat, answer } = setUp({ rewriteContact: false });
    const target = new FakeTarget();
    answer(register200(viaFromNat));
    await nat.afterRegistered(target);
    expect(target.steps).toEqual([]);
    expect(nat.state).toBe('direct');
  });

  it('a refresh whose 200 shows a new rport (the NAT rebound us) triggers another rewrite', async () => {
    const { nat, states, answer, clock } = setUp();
    const target = new FakeTarget();
    answer(register200(viaFromNat));
    await nat.afterRegistered(target);
    target.steps.length = 0;
    answer(register200(`SIP/2.0/UDP ${PUBLIC.address}:${PUBLIC.port};rport=40001;received=${PUBLIC.address};branch=z9hG4bK9`));
    clock.advance(1);
    await Promise.resolve();
    await Promise.resolve();
    expect(target.steps).toEqual(['unregister 223.88.60.20:45613', 'rewrite 223.88.60.20:40001', 'register 223.88.60.20:40001']);
    expect(states).toEqual(['rewriting', 'public', 'rewriting', 'public']);
  });

  it('a refresh showing the same binding changes nothing', async () => {
    const { nat, answer, clock } = setUp();
    const target = new FakeTarget();
    answer(register200(viaFromNat));
    await nat.afterRegistered(target);
    target.steps.length = 0;
    answer(register200(`SIP/2.0/UDP ${PUBLIC.address}:${PUBLIC.port};rport=${PUBLIC.port};branch=z9hG4bK9`));
    clock.advance(1);
    await Promise.resolve();
    expect(target.steps).toEqual([]);
    expect(nat.state).toBe('public');
  });
});

describe('keep-alives', () => {
  it('a CRLF goes to the registrar every 25 s once registered, and stops with the bot', async () => {
    const { nat, answer, clock, network, registrar } = setUp();
    answer(register200(viaFromNat));
    await nat.afterRegistered(new FakeTarget());
    const keepAlives = () => network.delivered.filter((d) => d.to.port === registrar.local.port && d.raw === '\r\n').length;
    clock.advance(24_999);
    expect(keepAlives()).toBe(0);
    clock.advance(1);
    await Promise.resolve();
    expect(keepAlives()).toBe(1);
    for (let i = 0; i < 4; i++) {
      clock.advance(25_000);
      await Promise.resolve();
    }
    expect(keepAlives()).toBe(5);
    nat.stop();
    clock.advance(100_000);
    expect(keepAlives()).toBe(5);
    expect(nat.state).toBe('stopped');
  });

  it('UDP sends a bare CRLF; TCP and TLS the RFC 5626 double-CRLF ping', () => {
    expect(keepAlivePayload('udp')).toBe('\r\n');
    expect(keepAlivePayload('tcp')).toBe('\r\n\r\n');
    expect(keepAlivePayload('tls')).toBe('\r\n\r\n');
  });

  it('keepAliveSeconds 0 sends none', async () => {
    const { nat, answer, clock, network } = setUp({ keepAliveSeconds: 0 });
    answer(register200(viaFromNat));
    await nat.afterRegistered(new FakeTarget());
    clock.advance(600_000);
    expect(network.delivered.filter((d) => d.raw === '\r\n')).toEqual([]);
  });
});
