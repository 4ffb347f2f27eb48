import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Call } from '../../src/bot/call.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { scenarioFrom, startMediaLab, type MediaLab } from './support/media-bots.js';

async function connectedCall(lab: MediaLab, bot: string): Promise<Call> {
  for (let i = 0; i < 100; i += 1) {
    const call = [...lab.bots.get(bot)!.calls.values()].find((c) => c.state === 'confirmed');
    if (call) return call;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${bot} has no connected call`);
}

describe('UPDATE glare (RFC 3311 §5.2): two offers crossing in the dialog', () => {
  let lab: MediaLab;
  beforeAll(async () => {
    lab = await startMediaLab(['alice', 'bob']);
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('alice and bob send UPDATE at once: each answers the other 491, both roll back, and a later UPDATE is answered 200', async () => {
    const from = Date.now();
    const scenario = await scenarioFrom('update-glare', [
      'id: update-glare',
      'title: update glare',
      'roles: { caller: alice, callee: bob }',
      'behaviour: { callee: { onInvite: answer, ringFor: 0.1s } }',
      'steps:',
      '  - call: { from: caller, to: callee, name: main }',
      '    waitFor: confirmed',
      '  - wait: 2s',
      '  - hangup: caller',
    ]);
    const played = runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 200, stepTimeoutMs: 5000 });
    const alice = await connectedCall(lab, 'alice');
    const bob = await connectedCall(lab, 'bob');
    const crossed = await Promise.all([alice.renegotiate('UPDATE', { codecs: ['PCMA'] }), bob.renegotiate('UPDATE', { direction: 'sendonly' })]);
    expect(crossed.map((r) => r.status)).toEqual([491, 491]);
    const later = await alice.renegotiate('UPDATE', { codecs: ['PCMA'] });
    expect(later.status).toBe(200);
    expect(later.answer).toMatch(/^m=audio \d+ RTP\/AVP 8( 101)?\r$/m);
    expect((await played).difference).toBeUndefined();
    const sent491 = lab.recorded.filter((e): e is SipMessageEvent => e.type === 'sip' && e.direction === 'out' && e.status === 491 && !e.retransmission && e.at >= from && e.party !== 'proxy');
    expect(sent491.map((e) => [e.party, e.cseq?.split(' ')[1]]).sort()).toEqual([['alice', 'UPDATE'], ['bob', 'UPDATE']]);
  });
});
