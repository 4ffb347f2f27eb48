import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import type { EmbeddedServer } from '../../src/lab/embedded-server.js';
import { startTestProxy } from '../support/test-proxy.js';
import { startUdpForwarder, type UdpForwarder } from '../support/udp-forwarder.js';

describe('2xx reliability over UDP (RFC 3261 §13.3.1.4)', () => {
  let server: EmbeddedServer | undefined;
  let forwarder: UdpForwarder | undefined;
  const bots: Bot[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.stop()));
    await forwarder?.stop();
    await server?.stop();
  });

  it('bob re-sends his 200 until alice\'s ACK gets through, and it stays one call', async () => {
    const events = new EventStream();
    const wire: SipMessageEvent[] = [];
    events.subscribe((e) => e.type === 'sip' && wire.push(e));
    const started = await startTestProxy({ events });
    server = started.server;
    const config = started.bots;
    // The first ACK for bob's 200 (end to end, so addressed to his Contact) is lost on its way to the proxy.
    let lost = 0;
    forwarder = await startUdpForwarder(server.endpoints.get('udp')!, (d) => d.startsWith('ACK sip:bob@127.0.0.1') && lost++ === 0);
    for (const name of ['alice', 'bob']) {
      const account = { ...config.bots.get(name)!, behaviour: { ...config.bots.get(name)!.behaviour, onInvite: 'answer' as const, ringForMs: 100 } };
      bots.push(new Bot({ account, server: forwarder.endpoint, events }));
    }
    const [alice, bob] = bots as [Bot, Bot];
    await Promise.all(bots.map((b) => b.start()));
    await Promise.all(bots.map((b) => b.register()));

    const call = alice.call('sip:bob@lab.test', { hangupAfter: 2500 });
    await call.reach('confirmed');
    await call.reach('terminated');

    const bobOks = wire.filter((e) => e.party === 'bob' && e.direction === 'out' && e.status === 200 && e.cseq?.endsWith('INVITE'));
    expect(lost).toBeGreaterThan(0);
    expect(bobOks.length).toBeGreaterThanOrEqual(2);
    expect(bobOks.slice(1).every((e) => e.retransmission)).toBe(true);
    const aliceAcks = wire.filter((e) => e.party === 'alice' && e.direction === 'out' && e.method === 'ACK' && e.startLine?.includes('@127.0.0.1'));
    expect(aliceAcks.length).toBeGreaterThanOrEqual(2);
    const bobCalls = [...bob.calls.values()].filter((c) => c.role === 'callee');
    expect(bobCalls).toHaveLength(1);
    expect(call.finalStatus).toBe(200);
    expect(call.endedBy).toBe('local');
  });
});
