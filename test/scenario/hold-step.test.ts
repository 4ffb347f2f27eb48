import { afterEach, describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { rtpSent, scenarioFrom, startMediaLab, type MediaLab } from './support/media-bots.js';

/** Packets sent inside [from, to). */
function countBetween(packets: readonly { at: number }[], from: number, to: number): number {
  return packets.filter((p) => p.at >= from && p.at < to).length;
}

function direction(sdp: string): string | undefined {
  return /^a=(sendrecv|sendonly|recvonly|inactive)\r?$/m.exec(sdp)?.[1];
}

describe('hold and unhold by re-INVITE over real bots and the embedded proxy (RFC 3264 §8.4)', () => {
  let lab: MediaLab | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('alice holds: her re-INVITE says sendonly, bob answers recvonly and falls silent while she keeps sending; unhold resumes both', async () => {
    lab = await startMediaLab(['alice', 'bob']);
    const scenario = await scenarioFrom('hold', [
      'id: hold-unhold',
      'title: Alice puts Bob on hold and takes him back',
      'roles: { caller: alice, callee: bob }',
      'behaviour:',
      '  callee: { onInvite: answer, ringFor: 0.2s }',
      'steps:',
      '  - call: { from: caller, to: callee, name: main }',
      '    waitFor: confirmed',
      '  - wait: 1s',
      '  - hold: caller',
      '  - wait: 1s',
      '  - unhold: caller',
      '  - wait: 1s',
      '  - hangup: caller',
      'expect:',
      '  call: main',
      '  legs:',
      '    caller: [INVITE>, <100?, <407, ACK>, INVITE>, <100?, <180, <200/INVITE, ACK>, INVITE>, <100?, <200/INVITE, ACK>, INVITE>, <100?, <200/INVITE, ACK>, BYE>, <200/BYE]',
      '    callee: [<INVITE, 180>, 200/INVITE>, <ACK, <INVITE, 200/INVITE>, <ACK, <INVITE, 200/INVITE>, <ACK, <BYE, 200/BYE>]',
    ]);
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toBeUndefined();

    // The re-INVITEs on the wire: alice's in-dialog INVITEs (To has a tag) and bob's 200s to them.
    const sip = lab.recorded.filter((e): e is SipMessageEvent => e.type === 'sip');
    const reinvites = sip.filter((e) => e.party === 'alice' && e.direction === 'out' && e.method === 'INVITE' && !e.retransmission && /^To:[^\r\n]*;tag=/im.test(e.raw));
    expect(reinvites).toHaveLength(2);
    const answers = sip.filter((e) => e.party === 'bob' && e.direction === 'out' && e.status === 200 && e.cseq?.endsWith('INVITE') && !e.retransmission);
    expect(answers).toHaveLength(3);
    expect(reinvites.map((e) => direction(e.raw))).toEqual(['sendonly', 'sendrecv']);
    expect(answers.slice(1).map((e) => direction(e.raw))).toEqual(['recvonly', 'sendrecv']);

    // Phases, each measured over a window that starts 150 ms after the exchange that began it.
    const acks = sip.filter((e) => e.party === 'alice' && e.direction === 'out' && e.method === 'ACK' && !e.retransmission && /^To:[^\r\n]*;tag=/im.test(e.raw) && e.cseq !== undefined);
    const [hold, unhold] = reinvites as [SipMessageEvent, SipMessageEvent];
    const holdAck = acks.find((e) => e.at > hold.at)!;
    const unholdAck = acks.find((e) => e.at > unhold.at)!;
    const bye = sip.find((e) => e.party === 'alice' && e.direction === 'out' && e.method === 'BYE')!;
    const alice = rtpSent(lab.recorded, 'alice');
    const bob = rtpSent(lab.recorded, 'bob');
    const phases = {
      talking: [hold.at - 700, hold.at],
      held: [holdAck.at + 150, unhold.at],
      resumed: [unholdAck.at + 150, bye.at],
    } as const;
    const counts = Object.fromEntries(
      Object.entries(phases).map(([name, [from, to]]) => [name, { ms: Math.round(to - from), alice: countBetween(alice, from, to), bob: countBetween(bob, from, to) }]),
    );
    // 50 packets/s each way while talking; while held only the holder sends.
    const expected = (ms: number) => Math.floor((ms / 20) * 0.8);
    expect(counts.talking!.alice, JSON.stringify(counts)).toBeGreaterThanOrEqual(expected(counts.talking!.ms));
    expect(counts.talking!.bob, JSON.stringify(counts)).toBeGreaterThanOrEqual(expected(counts.talking!.ms));
    expect(counts.held!.alice, JSON.stringify(counts)).toBeGreaterThanOrEqual(expected(counts.held!.ms));
    expect(counts.held!.bob, JSON.stringify(counts)).toBe(0);
    expect(counts.resumed!.alice, JSON.stringify(counts)).toBeGreaterThanOrEqual(expected(counts.resumed!.ms));
    expect(counts.resumed!.bob, JSON.stringify(counts)).toBeGreaterThanOrEqual(expected(counts.resumed!.ms));
  });
});
