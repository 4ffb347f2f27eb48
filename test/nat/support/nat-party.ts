// One bot as a process of its own, to run inside a namespace of the NAT test bed:
//   ip netns exec sipbots-nat-home node --import tsx test/nat/support/nat-party.ts '<json PartySpec>'
// It registers, then either waits for calls (callee) or places one call (caller), and prints
// one JSON object per line on stdout: {"event":"registered"}, {"event":"call",…},
// {"event":"media",…}, {"event":"done"}. Every event also goes to `jsonl` when given.
import { Bot } from '../../../src/bot/bot.js';
import { rtpMedia } from '../../../src/bot/rtp-media.js';
import { DEFAULT_BEHAVIOUR } from '../../../src/config/behaviour.js';
import { DEFAULT_NAT, type BotConfig, type NatSettings } from '../../../src/config/bots-schema.js';
import { EventStream } from '../../../src/events/event-stream.js';
import { JsonlWriter } from '../../../src/events/jsonl-writer.js';
import { systemClock } from '../../../src/util/clock.js';

export interface PartySpec {
  user: string;
  password: string;
  bindAddress: string;
  server: { address: string; port: number };
  tone: number;
  nat?: Partial<NatSettings>;
  /** callee: answer every call, stay up `stayMs`. caller: call `target` after `callAfterMs`, hang up after `holdMs`. */
  role: 'callee' | 'caller';
  stayMs?: number;
  target?: string;
  callAfterMs?: number;
  holdMs?: number;
  jsonl?: string;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as PartySpec;
const print = (line: object): void => void process.stdout.write(JSON.stringify(line) + '\n');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const events = new EventStream();
const writer = spec.jsonl ? new JsonlWriter(spec.jsonl, events, (e) => e.type !== 'rtp') : undefined;
events.subscribe((e) => {
  if (e.type === 'media-stats') print({ event: 'media', party: e.party, sent: e.sent, received: { packets: e.received.packets, detectedHz: e.received.detectedHz } });
});
const account: BotConfig = {
  name: spec.user,
  user: spec.user,
  authUser: spec.user,
  password: spec.password,
  domain: 'lab.test',
  transport: 'udp',
  expires: 60,
  tone: spec.tone,
  behaviour: { ...DEFAULT_BEHAVIOUR, onInvite: 'answer', ringForMs: 200 },
  bindAddress: spec.bindAddress,
  nat: { ...DEFAULT_NAT, ...spec.nat },
};
const bot = new Bot({ account, server: spec.server, events, clock: systemClock, media: rtpMedia({ events, clock: systemClock }) });
let code = 0;
try {
  await bot.start();
  await bot.register();
  print({ event: 'registered' });
  if (spec.role === 'callee') {
    await sleep(spec.stayMs ?? 30_000);
  } else {
    await sleep(spec.callAfterMs ?? 0);
    const call = bot.call(spec.target ?? '', { hangupAfter: spec.holdMs ?? 3000 });
    const deadline = sleep(20_000).then(() => 'still-going');
    const ended = await Promise.race([call.reach('terminated').then(() => 'ended'), deadline]);
    print({ event: 'call', ended, finalStatus: call.finalStatus ?? null, finalReason: call.finalReason ?? null });
    // Let the media-stats of the closed call reach stdout.
    await sleep(300);
  }
} catch (error) {
  code = 1;
  print({ event: 'error', message: error instanceof Error ? error.message : String(error) });
} finally {
  await bot.stop().catch(() => undefined);
  await writer?.close();
  print({ event: 'done' });
}
process.exit(code);
