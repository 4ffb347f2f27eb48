import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Bot } from '../../src/bot/bot.js';
import { rtpMedia } from '../../src/bot/rtp-media.js';
import type { Call } from '../../src/bot/call.js';
import { readMessagesJsonlFile } from '../../src/capture/messages-jsonl.js';
import type { BotsFile } from '../../src/config/bots-schema.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { EventStream } from '../../src/events/event-stream.js';
import { JsonlWriter } from '../../src/events/jsonl-writer.js';
import type { FindingEvent, LogEvent, MediaStatsEvent, SipMessageEvent } from '../../src/events/types.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { locateSessionServer, type SessionServer } from '../../src/lab/session-server.js';
import { usersFromBots } from '../../src/proxy/users.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { startDnsmasq, type Dnsmasq } from '../support/dnsmasq.js';

/**
 * RFC 3263 §4.3 for calls: two embedded proxies sharing the lab's accounts, found through SRV
 * (priority 10 → A, 20 → B) over TCP, where a stopped proxy refuses the connection at once.
 * alice registers at A; A stops; bob, registering only now, fails over to B on his own. alice's
 * INVITE then cannot reach A: she moves to B, registers there and sends the call again, and bob
 * answers it. Everything is read back from messages.jsonl, as a run writes it.
 */
let config: BotsFile;
let proxyA: EmbeddedServer | undefined;
let proxyB: EmbeddedServer | undefined;
let dns: Dnsmasq | undefined;
let bots: Bot[] = [];
let events: EventStream;
let jsonl: JsonlWriter;
let jsonlPath: string;

beforeEach(async () => {
  config = await loadBotsFile('bots/lab.yaml', {});
  const users = usersFromBots(config.bots.values());
  proxyA = await startEmbeddedServer({ transports: ['tcp'], users, domain: 'lab.test', events: new EventStream() });
  proxyB = await startEmbeddedServer({ transports: ['tcp'], users, domain: 'lab.test', events: new EventStream() });
  dns = await startDnsmasq({
    hosts: ['a.lab.test,127.0.0.1', 'b.lab.test,127.0.0.1'],
    srv: [`_sip._tcp.lab.test,a.lab.test,${portOf(proxyA)},10,10`, `_sip._tcp.lab.test,b.lab.test,${portOf(proxyB)},20,10`],
  });
  events = new EventStream();
  jsonlPath = join(mkdtempSync(join(tmpdir(), 'sipbots-call-failover-')), 'messages.jsonl');
  jsonl = new JsonlWriter(jsonlPath, events);
});

afterEach(async () => {
  await Promise.all(bots.map((bot) => bot.stop()));
  bots = [];
  await proxyA?.stop();
  await proxyB?.stop();
  await dns?.stop();
  proxyA = proxyB = dns = undefined;
});

function portOf(proxy: EmbeddedServer): number {
  return proxy.endpoints.get('tcp')!.port;
}

async function startBot(server: SessionServer, name: string, expires?: number): Promise<Bot> {
  const account = config.bots.get(name)!;
  const media = rtpMedia({ events, clock: systemClock });
  const bot = new Bot({ account: { ...account, transport: 'tcp', expires: expires ?? account.expires }, server: server.first, locator: server.forBot(), events, media, registerTimeoutMs: 3000 });
  bots.push(bot);
  await bot.start();
  await bot.register();
  return bot;
}

async function located(): Promise<SessionServer> {
  return locateSessionServer({ server: 'sip:lab.test;transport=tcp', dns: dns!.server }, config, silentLogger);
}

/** Until the call has ended, or fail after `ms`. */
async function ended(call: Call, ms = 5000): Promise<void> {
  await Promise.race([call.reach('terminated'), new Promise((_, reject) => setTimeout(() => reject(new Error(`call still ${call.state} after ${ms} ms`)), ms))]);
}

/** The run's record as a run writes it: every event in messages.jsonl. */
async function recorded(): Promise<{ sip: SipMessageEvent[]; notes: Array<LogEvent | FindingEvent>; media: MediaStatsEvent[] }> {
  // The bots' media reports its statistics as it closes, with the bots stopping.
  await Promise.all(bots.map((bot) => bot.stop()));
  bots = [];
  await jsonl.close();
  const all = await readMessagesJsonlFile(jsonlPath);
  return {
    sip: all.filter((e): e is SipMessageEvent => e.type === 'sip'),
    // What the bots noted (a registration moved) and found (a request failed over), in order.
    notes: all.filter((e): e is LogEvent | FindingEvent => e.type === 'note' || e.type === 'finding'),
    media: all.filter((e): e is MediaStatsEvent => e.type === 'media-stats'),
  };
}

const request = (e: SipMessageEvent, method: string) => e.direction === 'out' && e.method === method;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const target = (port: number, name: string) => `SRV _sip._tcp.lab.test → tcp 127.0.0.1:${port} (${name})`;

describe('a call fails over to the next server target (RFC 3263 §4.3)', () => {
  it('A stopped after alice registered: her INVITE is refused there; she registers at B and the call goes through B', async () => {
    const server = await located();
    const [a, b] = [portOf(proxyA!), portOf(proxyB!)];
    const alice = await startBot(server, 'alice');
    expect(alice.serverTarget()).toBe(target(a, 'a.lab.test'));
    await proxyA!.stop();
    proxyA = undefined;
    const bob = await startBot(server, 'bob');
    expect(bob.serverTarget()).toBe(target(b, 'b.lab.test'));

    const call = alice.call('sip:bob@lab.test', { hangupAfter: 300 });
    await ended(call);
    expect(call.history).toEqual(['idle', 'calling', 'ringing', 'confirmed', 'terminating', 'terminated']);
    expect(call.finalStatus).toBe(200);
    expect([...bob.calls.values()].map((c) => c.answeredAt !== undefined)).toEqual([true]);
    // The run's output and summary name the target the bot uses now.
    expect(alice.serverTarget()).toBe(target(b, 'b.lab.test'));

    const { sip, notes, media } = await recorded();
    const mine = sip.filter((e) => e.party === 'alice');
    // One media report for the call (the refused attempt's offer never had media), and it heard bob.
    const aliceMedia = media.filter((e) => e.party === 'alice' && e.callId === call.callId);
    expect(aliceMedia).toHaveLength(1);
    expect(aliceMedia[0]!.received.packets).toBeGreaterThan(0);
    // What failed, where, and where the INVITE went next, for this call.
    // A finding: the case's findings list it, so the report and the case line show it.
    const failover = notes.filter((n): n is FindingEvent => n.party === 'alice' && n.type === 'finding');
    expect(notes.filter((n) => n.party === 'alice')).toHaveLength(1);
    expect(failover[0]!.callId).toBe(call.callId);
    expect(failover[0]!.message).toContain(`INVITE via ${target(a, 'a.lab.test')} failed: the transport could not send`);
    expect(failover[0]!.message).toMatch(/ECONNREFUSED|refused/);
    expect(failover[0]!.message).toContain(`next server target, ${target(b, 'b.lab.test')}`);
    // Registered at A first; after the failover, REGISTER at B (answered 200) before the INVITE there.
    const registers = mine.filter((e) => request(e, 'REGISTER'));
    expect(registers[0]!.remote.port).toBe(a);
    const afterFailover = mine.filter((e) => e.at >= failover[0]!.at);
    const firstRegisterAtB = afterFailover.findIndex((e) => request(e, 'REGISTER') && e.remote.port === b);
    const okAtB = afterFailover.findIndex((e) => e.direction === 'in' && e.status === 200 && e.cseq?.endsWith('REGISTER') === true);
    const inviteAtB = afterFailover.findIndex((e) => request(e, 'INVITE'));
    expect(firstRegisterAtB).toBeGreaterThanOrEqual(0);
    expect(okAtB).toBeGreaterThan(firstRegisterAtB);
    expect(inviteAtB).toBeGreaterThan(okAtB);
    // The refused INVITE never reached the wire; every INVITE sent went to B, as the same call
    // (its Call-ID) with a CSeq past the failed one's, and B's 200 answered it.
    const invites = mine.filter((e) => request(e, 'INVITE'));
    expect(invites.length).toBeGreaterThanOrEqual(1);
    expect(new Set(invites.map((e) => `${e.remote.port} ${e.callId}`))).toEqual(new Set([`${b} ${call.callId}`]));
    expect(Number(invites[0]!.cseq?.split(' ')[0])).toBeGreaterThan(1);
    expect(mine.some((e) => e.direction === 'in' && e.status === 200 && e.cseq?.endsWith('INVITE') === true && e.remote.port === b)).toBe(true);
    expect(mine.some((e) => e.remote.port === a && e.at > failover[0]!.at)).toBe(false);
  }, 30_000);

  it('both registered at A, A stops: bob’s refresh fails there and he moves to B; alice’s call fails over and reaches him', async () => {
    const server = await located();
    const [a, b] = [portOf(proxyA!), portOf(proxyB!)];
    const alice = await startBot(server, 'alice');
    const bob = await startBot(server, 'bob', 3);
    await proxyA!.stop();
    proxyA = undefined;
    // bob refreshes at 90 % of his 3 s, retries after a quarter of it, and moves on then.
    const deadline = Date.now() + 10_000;
    while (proxyB!.proxy.location.lookup('bob').length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bob.serverTarget()).toBe(target(b, 'b.lab.test'));
    const call = alice.call('sip:bob@lab.test', { hangupAfter: 300 });
    await ended(call);
    expect(call.history).toContain('confirmed');
    expect(alice.serverTarget()).toBe(target(b, 'b.lab.test'));
    const { sip, notes } = await recorded();
    expect(notes.map((n) => `${n.party}: ${n.message}`)).toEqual([
      expect.stringMatching(new RegExp(`^bob: REGISTER refresh: 503 Service Unavailable .*via ${escape(target(a, 'a.lab.test'))}; registering at the next server target, ${escape(target(b, 'b.lab.test'))}`)),
      expect.stringContaining(`alice: INVITE via ${target(a, 'a.lab.test')} failed`),
    ]);
    const bobsRegisters = sip.filter((e) => e.party === 'bob' && request(e, 'REGISTER')).map((e) => e.remote.port);
    expect(bobsRegisters[0]).toBe(a);
    expect(bobsRegisters.at(-1)).toBe(b);
    expect(sip.some((e) => e.party === 'bob' && e.direction === 'in' && e.method === 'INVITE' && e.remote.port === b)).toBe(true);
  }, 30_000);

  it('a MESSAGE outside a dialog fails over the same way: refused at A, registered at B, sent again there and answered', async () => {
    const server = await located();
    const [a, b] = [portOf(proxyA!), portOf(proxyB!)];
    const alice = await startBot(server, 'alice');
    await proxyA!.stop();
    proxyA = undefined;
    await startBot(server, 'bob');
    const response = await alice.request('MESSAGE', 'sip:bob@lab.test', { body: 'after the failover', contentType: 'text/plain' });
    expect(response.status).toBe(200);
    expect(alice.serverTarget()).toBe(target(b, 'b.lab.test'));
    const { sip, notes } = await recorded();
    expect(notes.map((n) => n.message)).toEqual([expect.stringContaining(`MESSAGE via ${target(a, 'a.lab.test')} failed: the transport could not send`)]);
    const messages = sip.filter((e) => e.party === 'alice' && request(e, 'MESSAGE'));
    expect(new Set(messages.map((e) => e.remote.port))).toEqual(new Set([b]));
    const registerAtB = sip.findIndex((e) => e.party === 'alice' && request(e, 'REGISTER') && e.remote.port === b);
    expect(registerAtB).toBeGreaterThanOrEqual(0);
    expect(sip.indexOf(messages[0]!)).toBeGreaterThan(registerAtB);
  }, 30_000);

  /** Both at A, which stays up; bob rejects with `status`: the call ends with it, every INVITE at A, nothing at B, no failover noted. */
  async function rejectedThroughA(status: number): Promise<SipMessageEvent[]> {
    const server = await located();
    const a = portOf(proxyA!);
    const alice = await startBot(server, 'alice');
    const bob = await startBot(server, 'bob');
    bob.behaviourOverride = { onInvite: 'reject', rejectWith: status };
    const call = alice.call('sip:bob@lab.test');
    await ended(call);
    expect(call.finalStatus).toBe(status);
    expect(alice.serverTarget()).toBe(target(a, 'a.lab.test'));
    const { sip, notes } = await recorded();
    expect(notes).toEqual([]);
    const invites = sip.filter((e) => e.party === 'alice' && request(e, 'INVITE'));
    expect(new Set(invites.map((e) => `${e.remote.port} ${e.callId}`))).toEqual(new Set([`${a} ${call.callId}`]));
    expect(sip.some((e) => e.remote.port === portOf(proxyB!))).toBe(false);
    return sip.filter((e) => e.party === 'alice' && e.direction === 'in' && e.cseq?.endsWith('INVITE') === true);
  }

  it('a 486 from the callee through A is the call’s outcome: no failover, one call at A', async () => {
    await rejectedThroughA(486);
  }, 30_000);

  it('a 503 after the proxy’s 100 Trying comes from beyond the server: the call fails with it, no failover', async () => {
    const statuses = (await rejectedThroughA(503)).map((e) => e.status);
    expect(statuses).toContain(100);
    expect(statuses.indexOf(100)).toBeLessThan(statuses.indexOf(503));
  }, 30_000);
});
