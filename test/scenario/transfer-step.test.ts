import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getHeader } from '../../src/sip/message/headers.js';
import { parseSipMessage } from '../../src/sip/message/parse-message.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { scenarioFrom, startMediaLab, wire, type MediaLab } from './support/media-bots.js';


const lines = (to: string, extra: string[]) => [
  `id: transfer-to-${to.replace(/\W+/g, '-').replace(/^-|-$/g, '')}`,
  'title: Bob transfers Alice',
  'roles: { caller: alice, callee: bob, target: carol }',
  'behaviour: { callee: { onInvite: answer, ringFor: 0.1s } }',
  'steps:',
  '  - call: { from: caller, to: callee, name: main }',
  '    waitFor: confirmed',
  `  - transfer: { from: callee, to: ${to} }`,
  ...extra,
];

describe('blind transfer (REFER, RFC 3515) over real bots and the embedded proxy', () => {
  let lab: MediaLab;
  beforeAll(async () => {
    lab = await startMediaLab(['alice', 'bob', 'carol']);
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('bob REFERs alice to carol: 202, NOTIFYs 100, 180 (active) and 200 (terminated) as sipfrag, bob leaves with BYE, carol receives the call with Referred-By', async () => {
    const from = Date.now();
    const scenario = await scenarioFrom('transfer-ok', lines('target', [
      '  - await: { call: to-carol, state: confirmed, within: 5s }',
      '  - wait: 0.5s',
      '  - hangup: caller',
      'expect:',
      '  call: main',
      '  calls:',
      '    to-carol: { to: target, from: alice, within: 10s, behaviour: { onInvite: answer, ringFor: 0.2s }, status: 200, leg: [<INVITE, 180>, 200/INVITE>, <ACK, <BYE, 200/BYE>] }',
      '  headers:',
      '    target: { "<INVITE": { Referred-By: "~ <sip:bob@lab\\\\.test>" } }',
      '    caller: { "<REFER": { Refer-To: "~ sip:carol@lab\\\\.test" } }',
    ]));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300, stepTimeoutMs: 5000 });
    expect(result.difference).toBeUndefined();
    expect(result.calls?.['to-carol']).toMatchObject({ arrived: true, finalStatus: 200, passed: true });
    const bob = wire(lab, 'bob', 'in', from);
    expect(bob.find((e) => e.cseq?.endsWith('REFER'))?.status).toBe(202);
    const notifies = bob.filter((e) => e.method === 'NOTIFY').map((e) => parseSipMessage(e.raw));
    expect(notifies.map((m) => [m.body.trim(), getHeader(m, 'Content-Type'), getHeader(m, 'Event'), getHeader(m, 'Subscription-State')])).toEqual([
      ['SIP/2.0 100 Trying', 'message/sipfrag', 'refer', 'active;expires=60'],
      ['SIP/2.0 180 Ringing', 'message/sipfrag', 'refer', 'active;expires=60'],
      ['SIP/2.0 200 OK', 'message/sipfrag', 'refer', 'terminated;reason=noresource'],
    ]);
    const bobSent = wire(lab, 'bob', 'out', from).map((e) => e.method ?? `${e.status}/${e.cseq?.split(' ')[1]}`);
    expect(bobSent.indexOf('BYE')).toBeGreaterThan(bobSent.lastIndexOf('200/NOTIFY'));
  });

  it('broken twin: a transfer to a user nobody registered fails naming the sipfrag status', async () => {
    const scenario = await scenarioFrom('transfer-bad', lines('"sip:nobody@lab.test"', ['  - hangup: caller', 'expect: { call: main }']));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300, stepTimeoutMs: 5000 });
    expect(result.difference).toBe('transfer by callee (bob) to sip:nobody@lab.test (NOTIFY sipfrag): expected a 2xx, got 404 Not Found');
  });
});
