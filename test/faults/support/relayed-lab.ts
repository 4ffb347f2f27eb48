import { Bot } from '../../../src/bot/bot.js';
import type { Call } from '../../../src/bot/call.js';
import { DEFAULT_BEHAVIOUR, type CalleeBehaviour } from '../../../src/config/behaviour.js';
import { DEFAULT_NAT, type BotConfig } from '../../../src/config/bots-schema.js';
import { EventStream } from '../../../src/events/event-stream.js';
import type { SipbotsEvent, SipMessageEvent } from '../../../src/events/types.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../../src/lab/embedded-server.js';
import { startRelay, type Relay, type RelayDatagramEvent } from '../../../src/relay/udp-relay.js';

const USERS = ['alice', 'bob', 'carol', ...Array.from({ length: 8 }, (_, i) => [`alice${i}`, `bob${i}`]).flat()];
export const PASSWORDS: Record<string, string> = Object.fromEntries(USERS.map((u) => [u, `${u}-relay-pw`]));

export function botConfig(user: string, behaviour: Partial<CalleeBehaviour> = {}): BotConfig {
  return {
    name: user,
    user,
    authUser: user,
    password: PASSWORDS[user]!,
    domain: 'lab.test',
    transport: 'udp',
    expires: 60,
    tone: 440,
    behaviour: { ...DEFAULT_BEHAVIOUR, ...behaviour },
    // The relay looks like a NAT to the bot (the proxy sees the relay's address in received/rport),
    // but the proxy already reaches each bot over the flow it registered on: no Contact rewrite.
    nat: { ...DEFAULT_NAT, rewriteContact: false, keepAliveSeconds: 0 },
  };
}

export interface RelayedLab {
  server: EmbeddedServer;
  relay: Relay;
  events: EventStream;
  recorded: SipbotsEvent[];
  /** Datagrams the relay dropped, for proving that a difference was the network's doing. */
  dropped: RelayDatagramEvent[];
  bot(user: string, behaviour?: Partial<CalleeBehaviour>): Bot;
  stop(): Promise<void>;
}

/**
 * The embedded lab proxy on UDP with the relay in front: bots send to the relay, the relay
 * forwards (lossily) to the proxy, and the proxy answers the relay's per-client source address.
 */
export async function startRelayedLab(options: { loss: number; seed: number; duplicate?: number; delayMs?: number; jitterMs?: number; reorder?: number; t1?: number }): Promise<RelayedLab> {
  const events = new EventStream();
  const recorded: SipbotsEvent[] = [];
  events.subscribe((e) => {
    if (e.type !== 'rtp') recorded.push(e);
  });
  // A real proxy's INVITE timer (Kamailio's fr_inv_timer defaults to 120 s), not the lab's 3 s:
  // at 20-30 % loss three lost copies of a 200 in a row are routine, and the 3 s timer would
  // then end a call the endpoints are still completing.
  const server = await startEmbeddedServer({ transports: ['udp'], users: new Map(Object.entries(PASSWORDS)), domain: 'lab.test', events, inviteTimeoutMs: 60_000 });
  const dropped: RelayDatagramEvent[] = [];
  const relay = await startRelay({
    target: server.endpoints.get('udp')!,
    seed: options.seed,
    faults: { loss: options.loss, duplicate: options.duplicate ?? 0, delayMs: options.delayMs ?? 0, jitterMs: options.jitterMs ?? 0, reorder: options.reorder ?? 0 },
    observer: (e) => {
      if (e.action === 'dropped') dropped.push(e);
    },
  });
  const bots: Bot[] = [];
  return {
    server,
    relay,
    events,
    recorded,
    dropped,
    bot(user, behaviour) {
      // Timer F (64·T1 = 32 s) is the RFC's bound for a REGISTER; the bot's default 8 s is
      // meant for "is anybody there", not for a network losing one datagram in five.
      const bot = new Bot({ account: botConfig(user, behaviour), server: relay.endpoint, events, registerTimeoutMs: 32_000, timers: options.t1 ? { t1: options.t1 } : undefined });
      bots.push(bot);
      return bot;
    },
    async stop() {
      await Promise.all(bots.map((b) => b.stop().catch(() => undefined)));
      await relay.stop();
      await server.stop();
    },
  };
}

/** Resolves when the call ends, or rejects after `ms` with what state it was stuck in. */
export async function ended(call: Call, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    call.reach('terminated'),
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`call ${call.callId} still ${call.state} after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Waits until the recorded events hold a message matching `match` (a BYE's 200 arrives after sip.js ended the call). */
export async function recordedWithin(lab: RelayedLab, match: (e: SipMessageEvent) => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (lab.recorded.some((e) => e.type === 'sip' && match(e))) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}
