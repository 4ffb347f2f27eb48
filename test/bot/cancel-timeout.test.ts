import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { EventStream } from '../../src/events/event-stream.js';
import type { EmbeddedServer } from '../../src/lab/embedded-server.js';
import { startTestProxy } from '../support/test-proxy.js';
import { startUdpForwarder, type UdpForwarder } from '../support/udp-forwarder.js';

describe('a CANCEL that is never answered (RFC 3261 §9.1)', () => {
  let server: EmbeddedServer | undefined;
  let forwarder: UdpForwarder | undefined;
  const bots: Bot[] = [];
  afterEach(async () => {
    await Promise.all(bots.splice(0).map((b) => b.stop()));
    await forwarder?.stop();
    await server?.stop();
  });

  it('alice gives up on the INVITE 64·T1 after her CANCEL instead of hanging in "terminating"', async () => {
    const events = new EventStream();
    const started = await startTestProxy({ events, inviteTimeoutMs: 60_000 });
    server = started.server;
    const config = started.bots;
    forwarder = await startUdpForwarder(server.endpoints.get('udp')!, (d) => d.startsWith('CANCEL '));
    const t1 = 40; // 64·T1 = 2.56 s
    const bob = new Bot({ account: { ...config.bots.get('bob')!, behaviour: { ...config.bots.get('bob')!.behaviour, onInvite: 'ring' } }, server: server.endpoints.get('udp')!, events });
    const alice = new Bot({ account: config.bots.get('alice')!, server: forwarder.endpoint, events, timers: { t1 } });
    bots.push(alice, bob);
    await Promise.all(bots.map((b) => b.start()));
    await Promise.all(bots.map((b) => b.register()));

    const call = alice.call('sip:bob@lab.test', { cancelAfter: 300 });
    await call.reach('terminating');
    const cancelledAt = Date.now();
    await call.reach('terminated');
    expect(forwarder.dropped.some((line) => line.startsWith('CANCEL'))).toBe(true);
    expect(Date.now() - cancelledAt).toBeGreaterThanOrEqual(64 * t1 - 50);
    expect(call.state).toBe('terminated');
    expect(call.finalReason).toBe('no final response to the INVITE after CANCEL');
  });
});
