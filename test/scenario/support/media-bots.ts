import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bot } from '../../../src/bot/bot.js';
import { rtpMedia } from '../../../src/bot/rtp-media.js';
import type { BotConfig } from '../../../src/config/bots-schema.js';
import { loadScenarioFile } from '../../../src/config/load-scenario.js';
import type { Scenario } from '../../../src/config/scenario-types.js';
import { EventStream } from '../../../src/events/event-stream.js';
import type { RtpPacketEvent, SipbotsEvent, SipMessageEvent } from '../../../src/events/types.js';
import type { EmbeddedServer } from '../../../src/lab/embedded-server.js';
import { systemClock } from '../../../src/util/clock.js';
import { startTestProxy } from '../../support/test-proxy.js';

/** The lab's embedded UDP proxy and tone-sending bots registered with it; everything they do is in `recorded`. */
export interface MediaLab {
  events: EventStream;
  recorded: SipbotsEvent[];
  bots: Map<string, Bot>;
  server: EmbeddedServer;
  stop(): Promise<void>;
}

export async function startMediaLab(names: string[], tweak: (config: BotConfig) => BotConfig = (c) => c): Promise<MediaLab> {
  const events = new EventStream();
  const recorded: SipbotsEvent[] = [];
  events.subscribe((event) => {
    recorded.push(event);
  });
  const { server, bots: config } = await startTestProxy({ events });
  const media = rtpMedia({ events, clock: systemClock });
  const bots = new Map<string, Bot>();
  for (const name of names) bots.set(name, new Bot({ account: tweak(config.bots.get(name)!), server: server.endpoints.get('udp')!, events, media }));
  await Promise.all([...bots.values()].map((b) => b.start()));
  await Promise.all([...bots.values()].map((b) => b.register()));
  return {
    events,
    recorded,
    bots,
    server,
    async stop() {
      await Promise.all([...bots.values()].map((b) => b.stop()));
      await server.stop();
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sipbots-media-steps-'));

/** Writes a scenario YAML and loads it the way `sipbots run` does. */
export async function scenarioFrom(name: string, lines: string[]): Promise<Scenario> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return loadScenarioFile(file, {});
}

/** RTP (not RTCP) packets a party sent, by send time. */
export function rtpSent(recorded: readonly SipbotsEvent[], party: string): RtpPacketEvent[] {
  return recorded.filter((e): e is RtpPacketEvent => e.type === 'rtp' && e.party === party && e.direction === 'out' && !e.rtcp);
}

/** RTP payload type (RFC 3550 §5.1: the low 7 bits of the second byte). */
export function payloadType(packet: RtpPacketEvent): number {
  return packet.bytes[1]! & 0x7f;
}

/** SIP messages a party sent or received since `from` (epoch ms), retransmissions left out. */
export function wire(lab: MediaLab, party: string, direction: 'in' | 'out', from: number): SipMessageEvent[] {
  return lab.recorded.filter((e): e is SipMessageEvent => e.type === 'sip' && e.party === party && e.direction === direction && !e.retransmission && e.at >= from);
}
