import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { usersFromBots } from '../../src/proxy/users.js';

describe('registration', () => {
  let server: EmbeddedServer | undefined;
  afterEach(async () => server?.stop());

  it('alice refreshes her registration at about 90 % of the expiry and unregisters when she stops', async () => {
    const config = await loadBotsFile('bots/lab.yaml', {});
    const events = new EventStream();
    const wire: SipMessageEvent[] = [];
    events.subscribe((e) => e.type === 'sip' && e.party === 'alice' && e.cseq?.endsWith('REGISTER') === true && wire.push(e));
    server = await startEmbeddedServer({ transports: ['udp'], users: usersFromBots(config.bots.values()), domain: 'lab.test', events: new EventStream() });
    const alice = new Bot({ account: { ...config.bots.get('alice')!, expires: 3 }, server: server.endpoints.get('udp')!, events });
    await alice.start();
    await alice.register();
    expect(server.proxy.location.lookup('alice')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 3300));
    const oks = wire.filter((e) => e.direction === 'in' && e.status === 200);
    expect(oks.length).toBeGreaterThanOrEqual(2);
    const refreshAfterMs = oks[1]!.at - oks[0]!.at;
    expect(refreshAfterMs).toBeGreaterThan(2000);
    expect(refreshAfterMs).toBeLessThan(3000);
    expect(server.proxy.location.lookup('alice')).toHaveLength(1);

    await alice.stop();
    const last = wire.filter((e) => e.direction === 'out').at(-1)!;
    expect(last.raw).toMatch(/^Expires: 0\r?$|;expires=0/m);
    expect(server.proxy.location.lookup('alice')).toHaveLength(0);
  });
});

describe('registration across a server outage', () => {
  let server: EmbeddedServer | undefined;
  afterEach(async () => server?.stop());

  it('a registrar that restarts within the registration interval (losing its bindings) gets alice back at her next refresh', async () => {
    const config = await loadBotsFile('bots/lab.yaml', {});
    const users = usersFromBots(config.bots.values());
    server = await startEmbeddedServer({ transports: ['udp'], users, domain: 'lab.test', events: new EventStream() });
    const endpoint = server.endpoints.get('udp')!;
    const alice = new Bot({ account: { ...config.bots.get('alice')!, expires: 4 }, server: endpoint, events: new EventStream() });
    await alice.start();
    await alice.register();
    await server.stop();
    server = await startEmbeddedServer({ transports: ['udp'], users, domain: 'lab.test', events: new EventStream(), port: endpoint.port });
    expect(server.proxy.location.lookup('alice')).toHaveLength(0);
    const deadline = Date.now() + 5000;
    while (server.proxy.location.lookup('alice').length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.proxy.location.lookup('alice')).toHaveLength(1);
    await alice.stop();
  });
});
