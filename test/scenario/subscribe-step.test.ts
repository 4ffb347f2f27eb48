import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getHeader } from '../../src/sip/message/headers.js';
import { parseSipMessage } from '../../src/sip/message/parse-message.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { scenarioFrom, startMediaLab, wire, type MediaLab } from './support/media-bots.js';


const lines = (id: string, subscribe: string) => [
  `id: ${id}`,
  'title: Alice watches Bob',
  'roles: { caller: alice, callee: bob }',
  'steps:',
  `  - subscribe: { from: caller, to: callee, ${subscribe} }`,
];

const LEG = 'leg: [SUBSCRIBE>, <407?, SUBSCRIBE>?, <200/SUBSCRIBE, <NOTIFY, 200/NOTIFY>, SUBSCRIBE>, <200/SUBSCRIBE, <NOTIFY, 200/NOTIFY>]';

describe('SUBSCRIBE/NOTIFY (RFC 6665) between bots over the embedded proxy', () => {
  let lab: MediaLab;
  beforeAll(async () => {
    lab = await startMediaLab(['alice', 'bob']);
  });
  afterAll(async () => {
    await lab.stop();
  });

  it('alice subscribes to bob\'s presence: 200 with Expires and Contact, NOTIFY active with PIDF open, unsubscribe (Expires: 0) answered 200 and NOTIFY terminated', async () => {
    const from = Date.now();
    const scenario = await scenarioFrom('subscribe-ok', lines('subscribe-presence', `event: presence, expires: 120, notify: "<basic>open</basic>", ${LEG}`));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 100, stepTimeoutMs: 5000 });
    expect(result.difference).toBeUndefined();
    const subscribes = wire(lab, 'bob', 'in', from).filter((e) => e.method === 'SUBSCRIBE').map((e) => parseSipMessage(e.raw));
    expect(subscribes.map((m) => [getHeader(m, 'Event'), getHeader(m, 'Expires')])).toEqual([['presence', '120'], ['presence', '0']]);
    const bobOut = wire(lab, 'bob', 'out', from);
    const ok = parseSipMessage(bobOut.find((e) => e.status === 200 && e.cseq?.endsWith('SUBSCRIBE'))!.raw);
    expect(getHeader(ok, 'Expires')).toBe('120');
    expect(getHeader(ok, 'Contact')).toMatch(/^<sip:bob@/);
    const notifies = bobOut.filter((e) => e.method === 'NOTIFY').map((e) => parseSipMessage(e.raw));
    expect(notifies.map((m) => [getHeader(m, 'Event'), getHeader(m, 'Subscription-State'), getHeader(m, 'Content-Type')])).toEqual([
      ['presence', 'active;expires=120', 'application/pidf+xml'],
      ['presence', 'terminated;reason=timeout', 'application/pidf+xml'],
    ]);
    expect(notifies[0]!.body).toContain('entity="sip:bob@lab.test"');
  });

  it('message-summary: the NOTIFY says no messages waiting', async () => {
    const scenario = await scenarioFrom('subscribe-mwi', lines('subscribe-mwi', 'event: message-summary, notify: "^Messages-Waiting: no"'));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 100, stepTimeoutMs: 5000 });
    expect(result.difference).toBeUndefined();
  });

  it('broken twin: a package bob does not serve is refused 489 Bad Event, and the step names it', async () => {
    const scenario = await scenarioFrom('subscribe-bad-event', lines('subscribe-bad-event', 'event: conference'));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 100, stepTimeoutMs: 5000 });
    expect(result.difference).toBe('subscribe conference by caller (alice) to callee: expected 200 or 202, got 489 Bad Event');
  });

  it('broken twin: a NOTIFY body that does not match fails quoting the body', async () => {
    const scenario = await scenarioFrom('subscribe-bad-body', lines('subscribe-bad-body', 'event: presence, notify: "<basic>closed</basic>"'));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 100, stepTimeoutMs: 5000 });
    expect(result.difference).toMatch(/^subscribe presence by caller \(alice\) to callee: the NOTIFY body does not match \/<basic>closed<\/basic>\/: <\?xml .*<basic>open</);
  });

  it('broken twin: a leg expecting 202 fails naming the 200 that came', async () => {
    const scenario = await scenarioFrom('subscribe-bad-leg', lines('subscribe-bad-leg', 'event: presence, unsubscribe: false, leg: [SUBSCRIBE>, <407?, SUBSCRIBE>?, <202, <NOTIFY, 200/NOTIFY>]'));
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 100, stepTimeoutMs: 5000 });
    expect(result.difference).toMatch(/^expected <202 on the caller \(alice\) subscription leg after SUBSCRIBE>\?, saw 200 OK \(SUBSCRIBE\) received$/);
  });
});
