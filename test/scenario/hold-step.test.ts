import { afterEach, describe, expect, it } from 'vitest';
import type { SipbotsEvent, SipMessageEvent } from '../../src/events/types.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { rtpSent, scenarioFrom, startMediaLab, type MediaLab } from './support/media-bots.js';

/** Packets sent inside [from, to). */
function countBetween(packets: readonly { at: number }[], from: number, to: number): number {
  return packets.filter((p) => p.at >= from && p.at < to).length;
}

function direction(sdp: string): string | undefined {
  return /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(sdp)?.[1];
}

const hasToTag = (e: SipMessageEvent) => /^To:[^\r\n]*;tag=/im.test(e.raw);

/**
 * The holder's re-INVITEs and the other side's 200s to them, and RTP packets each bot sent
 * while talking, while held and after unhold. Each phase is measured from 150 ms after the
 * exchange that began it (ACK sent) to the next re-INVITE or the BYE.
 */
function holdPhases(recorded: readonly SipbotsEvent[], holder: string, held: string) {
  const sip = recorded.filter((e): e is SipMessageEvent => e.type === 'sip' && !e.retransmission);
  const reinvites = sip.filter((e) => e.party === holder && e.direction === 'out' && e.method === 'INVITE' && hasToTag(e));
  const answers = sip.filter((e) => e.party === held && e.direction === 'out' && e.status === 200 && e.cseq?.endsWith('INVITE') && reinvites.some((r) => r.cseq === e.cseq));
  const acks = sip.filter((e) => e.party === holder && e.direction === 'out' && e.method === 'ACK' && hasToTag(e));
  const [hold, unhold] = reinvites as [SipMessageEvent, SipMessageEvent];
  const holdAck = acks.find((e) => e.at > hold.at)!;
  const unholdAck = acks.find((e) => e.at > unhold.at)!;
  const bye = sip.find((e) => e.direction === 'out' && e.method === 'BYE')!;
  const windows = { talking: [hold.at - 700, hold.at], held: [holdAck.at + 150, unhold.at], resumed: [unholdAck.at + 150, bye.at] } as const;
  const byHolder = rtpSent(recorded, holder);
  const byHeld = rtpSent(recorded, held);
  const counts = Object.fromEntries(
    Object.entries(windows).map(([name, [from, to]]) => [name, { ms: Math.round(to - from), holder: countBetween(byHolder, from, to), held: countBetween(byHeld, from, to) }]),
  ) as Record<keyof typeof windows, { ms: number; holder: number; held: number }>;
  return { reinvites, answers, counts };
}

/** 50 packets/s: at least 80 % of that in a window. */
const flowing = (ms: number) => Math.floor((ms / 20) * 0.8);

describe('hold and unhold by re-INVITE over real bots and the embedded proxy (RFC 3264 §8.4)', () => {
  let lab: MediaLab | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  const scenarioLines = (holder: 'caller' | 'callee', legs: string[]) => [
    `id: hold-by-${holder}`,
    `title: The ${holder} holds and resumes`,
    'roles: { caller: alice, callee: bob }',
    'behaviour:',
    '  callee: { onInvite: answer, ringFor: 0.2s }',
    'steps:',
    '  - call: { from: caller, to: callee, name: main }',
    '    waitFor: confirmed',
    '  - wait: 1s',
    `  - hold: ${holder}`,
    '  - wait: 1s',
    `  - unhold: ${holder}`,
    '  - wait: 1s',
    '  - hangup: caller',
    'expect:',
    '  call: main',
    ...legs,
  ];

  it('alice holds: her re-INVITE says sendonly, bob answers recvonly and falls silent while she keeps sending; unhold resumes both', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('hold-caller', scenarioLines('caller', [
      '  legs:',
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, <200/INVITE, ACK>, INVITE>, <100?, <200/INVITE, ACK>, INVITE>, <100?, <200/INVITE, ACK>, BYE>, <200/BYE]',
      '    callee: [<INVITE, 180>, 200/INVITE>, <ACK, <INVITE, 200/INVITE>, <ACK, <INVITE, 200/INVITE>, <ACK, <BYE, 200/BYE>]',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toBeUndefined();

    const { reinvites, answers, counts } = holdPhases(lab.recorded, 'alice', 'bob');
    expect(reinvites.map((e) => direction(e.raw))).toEqual(['sendonly', 'sendrecv']);
    expect(answers.map((e) => direction(e.raw))).toEqual(['recvonly', 'sendrecv']);
    const figures = JSON.stringify(counts);
    expect(counts.talking.holder, figures).toBeGreaterThanOrEqual(flowing(counts.talking.ms));
    expect(counts.talking.held, figures).toBeGreaterThanOrEqual(flowing(counts.talking.ms));
    expect(counts.held.holder, figures).toBeGreaterThanOrEqual(flowing(counts.held.ms));
    expect(counts.held.held, figures).toBe(0);
    expect(counts.resumed.holder, figures).toBeGreaterThanOrEqual(flowing(counts.resumed.ms));
    expect(counts.resumed.held, figures).toBeGreaterThanOrEqual(flowing(counts.resumed.ms));
  });

  it('bob (the callee) holds: his re-INVITE goes back through the proxy, alice answers recvonly and only bob sends until unhold', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('hold-callee', scenarioLines('callee', [
      '  legs:',
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, <200/INVITE, ACK>, <INVITE, 200/INVITE>, <ACK, <INVITE, 200/INVITE>, <ACK, BYE>, <200/BYE]',
      '    callee: [<INVITE, 180>, 200/INVITE>, <ACK, INVITE>, <100?, <200/INVITE, ACK>, INVITE>, <100?, <200/INVITE, ACK>, <BYE, 200/BYE>]',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toBeUndefined();

    const { reinvites, answers, counts } = holdPhases(lab.recorded, 'bob', 'alice');
    expect(reinvites.map((e) => direction(e.raw))).toEqual(['sendonly', 'sendrecv']);
    expect(answers.map((e) => direction(e.raw))).toEqual(['recvonly', 'sendrecv']);
    const figures = JSON.stringify(counts);
    expect(counts.held.holder, figures).toBeGreaterThanOrEqual(flowing(counts.held.ms));
    expect(counts.held.held, figures).toBe(0);
    expect(counts.resumed.holder, figures).toBeGreaterThanOrEqual(flowing(counts.resumed.ms));
    expect(counts.resumed.held, figures).toBeGreaterThanOrEqual(flowing(counts.resumed.ms));
  });
});
