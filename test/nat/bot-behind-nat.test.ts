/**
 * A real Bot (sip.js) behind a user-space NAT on loopback, registering at the embedded lab
 * proxy: the contact rewriting and binding-change handling end to end, without root.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { DEFAULT_BEHAVIOUR } from '../../src/config/behaviour.js';
import { DEFAULT_NAT, type BotConfig, type NatSettings } from '../../src/config/bots-schema.js';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipbotsEvent } from '../../src/events/types.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { UdpNat } from './support/udp-nat.js';

const PASSWORDS = { alice: 'alice-nat-pw', bob: 'bob-nat-pw' };

function account(user: 'alice' | 'bob', nat: Partial<NatSettings> = {}, expires = 60): BotConfig {
  return {
    name: user,
    user,
    authUser: user,
    password: PASSWORDS[user],
    domain: 'lab.test',
    transport: 'udp',
    expires,
    tone: 440,
    behaviour: { ...DEFAULT_BEHAVIOUR, onInvite: 'answer', ringForMs: 50 },
    nat: { ...DEFAULT_NAT, ...nat },
  };
}

interface Lab {
  server: EmbeddedServer;
  nat: UdpNat;
  events: EventStream;
  wire: Array<Extract<SipbotsEvent, { type: 'sip' }>>;
  bots: Bot[];
}

let lab: Lab | undefined;

async function startLab(): Promise<Lab> {
  const events = new EventStream();
  const wire: Lab['wire'] = [];
  events.subscribe((e) => {
    if (e.type === 'sip') wire.push(e);
  });
  const server = await startEmbeddedServer({ transports: ['udp'], users: new Map(Object.entries(PASSWORDS)), domain: 'lab.test', events });
  const nat = new UdpNat(server.endpoints.get('udp')!);
  await nat.start();
  lab = { server, nat, events, wire, bots: [] };
  return lab;
}

afterEach(async () => {
  if (!lab) return;
  await Promise.all(lab.bots.map((b) => b.stop().catch(() => undefined)));
  await lab.nat.stop();
  await lab.server.stop();
  lab = undefined;
});

function contactsRegisteredBy(l: Lab, party: string): string[] {
  return l.wire
    .filter((e) => e.party === party && e.direction === 'out' && e.raw.startsWith('REGISTER'))
    .map((e) => /^Contact:\s*(.*)$/im.exec(e.raw)?.[1] ?? '');
}

async function callAnswered(caller: Bot, target: string): Promise<number | undefined> {
  const call = caller.call(target, { hangupAfter: 200 });
  await Promise.race([call.reach('terminated'), new Promise((resolve) => setTimeout(resolve, 8_000))]);
  return call.finalStatus;
}

describe('a bot behind a (user-space) NAT', () => {
  it('alice learns 127.0.0.2:PORT from received/rport and registers <sip:alice@127.0.0.2:PORT;transport=udp;ob>', async () => {
    const l = await startLab();
    const alice = new Bot({ account: account('alice'), server: l.nat.inside, events: l.events });
    l.bots.push(alice);
    await alice.start();
    await alice.register();
    const contacts = contactsRegisteredBy(l, 'alice');
    expect(contacts[0]).toMatch(/^<sip:alice@127\.0\.0\.1:\d+;transport=udp>;expires=60$/);
    const publicContact = contacts.find((c) => c.includes('@127.0.0.2:'));
    expect(publicContact).toMatch(/^<sip:alice@127\.0\.0\.2:\d+;transport=udp;ob>;expires=60$/);
    // The private Contact was removed first.
    expect(contacts).toContain(contacts[0]!.replace('expires=60', 'expires=0'));

    const bob = new Bot({ account: account('bob'), server: l.server.endpoints.get('udp')!, events: l.events });
    l.bots.push(bob);
    await bob.start();
    await bob.register();
    expect(await callAnswered(bob, 'sip:alice@lab.test')).toBe(200);
    const invite = l.wire.find((e) => e.party === 'alice' && e.direction === 'in' && e.raw.startsWith('INVITE'));
    expect(invite?.raw.split('\r\n')[0]).toMatch(/^INVITE sip:alice@127\.0\.0\.2:\d+;transport=udp;ob SIP\/2\.0$/);
  });

  it('after the NAT rebinds, the next refresh shows a new rport and alice re-registers there', async () => {
    const l = await startLab();
    // Expires 10 s: sip.js refreshes at 90 %, 9 s in.
    const alice = new Bot({ account: account('alice', { keepAliveSeconds: 0 }, 10), server: l.nat.inside, events: l.events });
    l.bots.push(alice);
    await alice.start();
    await alice.register();
    const first = contactsRegisteredBy(l, 'alice').find((c) => c.includes('@127.0.0.2:'))!;
    await l.nat.rebind();
    await new Promise((resolve) => setTimeout(resolve, 10_500));
    const contacts = contactsRegisteredBy(l, 'alice');
    const latest = contacts[contacts.length - 1]!;
    expect(latest).toMatch(/^<sip:alice@127\.0\.0\.2:\d+;transport=udp;ob>;expires=10$/);
    expect(latest).not.toBe(first);
    expect(contacts).toContain(first.replace('expires=10', 'expires=0'));

    const bob = new Bot({ account: account('bob'), server: l.server.endpoints.get('udp')!, events: l.events });
    l.bots.push(bob);
    await bob.start();
    await bob.register();
    expect(await callAnswered(bob, 'sip:alice@lab.test')).toBe(200);
  }, 25_000);

  it('a bot not behind NAT keeps its Contact and sends no extra REGISTER', async () => {
    const l = await startLab();
    const bob = new Bot({ account: account('bob'), server: l.server.endpoints.get('udp')!, events: l.events });
    l.bots.push(bob);
    await bob.start();
    await bob.register();
    expect(contactsRegisteredBy(l, 'bob')).toHaveLength(2); // without and with credentials
    expect(new Set(contactsRegisteredBy(l, 'bob')).size).toBe(1);
  });
});
