import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { startKamailio, type KamailioPeer } from './support/kamailio.js';
import { cleanupRuns, describeRun, readRunEvents, runSipbots, type SipbotsRun } from './support/sipbots-cli.js';

// `sipbots lab` against a real Kamailio instead of the embedded proxy: every lab case must pass
// on every transport, with Kamailio's own timers deciding no-answer-proxy-408.

const FR_INV_TIMER_MS = 3_000;

/**
 * Every case but no-answer-as-captured: it replays iptel.org answering a cancelled INVITE 408,
 * which only the embedded proxy imitates (proxy.cancelledInviteStatus); Kamailio, like RFC 3261
 * §16.7, relays the callee's 487.
 */
const KAMAILIO_CASES = LAB_CASE_IDS.filter((id) => id !== 'no-answer-as-captured');

let kamailio: KamailioPeer;

beforeAll(async () => {
  kamailio = await startKamailio({ frInvTimerMs: FR_INV_TIMER_MS });
});

afterAll(async () => {
  await kamailio?.stop();
  await cleanupRuns();
});

type Transport = 'udp' | 'tcp' | 'ws' | 'tls' | 'wss';

function serverUri(transport: Transport): string {
  switch (transport) {
    case 'udp':
    case 'tcp':
      return `sip:127.0.0.1:${kamailio.udpPort}`;
    case 'ws':
      return `sip:127.0.0.1:${kamailio.wsPort};transport=ws`;
    case 'tls':
      return `sip:127.0.0.1:${kamailio.tlsPort};transport=tls`;
    case 'wss':
      return `sip:127.0.0.1:${kamailio.wssPort};transport=wss`;
  }
}

/** sipbots lab over `transport`; TLS and WSS trust Kamailio's self-signed certificate via --ca. */
function lab(transport: Transport): Promise<SipbotsRun> {
  const secure = transport === 'tls' || transport === 'wss';
  return runSipbots(
    ['lab', '--server', serverUri(transport), '--transport', transport, '--only', KAMAILIO_CASES.join(','), '--json', ...(secure ? ['--ca', kamailio.certPath] : [])],
    { timeoutMs: 60_000 },
  );
}

describe.each<Transport>(['udp', 'tcp', 'ws', 'tls', 'wss'])('sipbots lab against Kamailio over %s', (transport) => {
  it('passes every lab case; Kamailio fr_inv_timer ends no-answer-proxy-408 on time', async () => {
    const run = await lab(transport);

    if (run.exitCode !== 0) {
      const log = await readFile(kamailio.logPath, 'utf8').catch(() => '');
      expect.fail(`${describeRun(run)}\n---- kamailio log tail ----\n${log.split('\n').slice(-40).join('\n')}`);
    }
    const summary = run.summary!;
    expect(summary.serverKind).toBe('external');
    expect(summary.cases.map((c) => c.id)).toEqual(KAMAILIO_CASES);
    for (const result of summary.cases) expect(result.passed, `${result.id}: ${result.difference}`).toBe(true);

    // Kamailio, not a bot, ended it: alice sees 180 then a 408 from Kamailio, without CANCEL.
    const proxy408 = summary.cases.find((c) => c.id === 'no-answer-proxy-408')!;
    expect(proxy408.endedBy).toBe('proxy');
    expect(proxy408.finalStatus).toBe(408);
    expect(proxy408.legs.caller).not.toContain('CANCEL>');
    // bob's branch was cancelled by Kamailio: he answered CANCEL 200 and the INVITE 487.
    expect(proxy408.legs.callee).toEqual(expect.arrayContaining(['<CANCEL', '487>']));

    // fr_inv_timer runs from bob's 180 (as seen at alice) to the 408. Over TCP/TLS/WS the
    // timer only wakes at fr_timer, so fr_timer > fr_inv_timer would make this 5 s.
    const events = await readRunEvents(run.runDir);
    const atAlice = events.filter(
      (e): e is SipMessageEvent =>
        e.type === 'sip' && e.party === 'alice' && e.direction === 'in' && proxy408.callIds.includes(e.callId ?? ''),
    );
    const ringing = atAlice.find((e) => e.status === 180)!;
    const timeout = atAlice.find((e) => e.status === 408)!;
    expect(ringing, 'alice got no 180 in no-answer-proxy-408').toBeDefined();
    expect(timeout, 'alice got no 408 in no-answer-proxy-408').toBeDefined();
    const waited = timeout.at - ringing.at;
    expect(waited).toBeGreaterThanOrEqual(FR_INV_TIMER_MS - 150);
    expect(waited).toBeLessThan(FR_INV_TIMER_MS + 1_200);

    // The caller gave up first in no-answer: Kamailio answered her CANCEL 200 and relayed
    // bob's 487, as the embedded proxy does.
    const noAnswer = summary.cases.find((c) => c.id === 'no-answer')!;
    expect(noAnswer.endedBy).toBe('caller');
    expect(noAnswer.legs.caller).toEqual(expect.arrayContaining(['CANCEL>', '<200/CANCEL', '<487']));
  }, 90_000);
});

/**
 * The same lab against Kamailio's [::1] listeners (docker/kamailio/kamailio.cfg LISTEN_IP6):
 * every message of the bots goes over IPv6, and Kamailio's Record-Route and the bots' Via name
 * bracketed addresses (RFC 3261 §25.1).
 */
describe.each<'udp' | 'tcp'>(['udp', 'tcp'])('sipbots lab against Kamailio on [::1] over %s', (transport) => {
  it('passes every lab case an external server can play, all of it over IPv6', async () => {
    expect(kamailio.host6, 'this host has no IPv6 loopback (::1), so Kamailio did not listen there').toBe('::1');
    const run = await runSipbots(['lab', '--server', `sip:[::1]:${kamailio.udpPort}`, '--transport', transport, '--only', KAMAILIO_CASES.join(','), '--json'], { timeoutMs: 60_000 });
    if (run.exitCode !== 0) {
      const log = await readFile(kamailio.logPath, 'utf8').catch(() => '');
      expect.fail(`${describeRun(run)}\n---- kamailio log tail ----\n${log.split('\n').slice(-40).join('\n')}`);
    }
    const summary = run.summary!;
    expect(summary.transport).toBe(transport);
    expect(summary.cases.map((c) => c.id)).toEqual(KAMAILIO_CASES);
    for (const result of summary.cases) expect(result.passed, `${result.id}: ${result.difference}`).toBe(true);

    const sip = (await readRunEvents(run.runDir)).filter((e): e is SipMessageEvent => e.type === 'sip');
    expect(sip.length).toBeGreaterThan(100);
    expect(new Set(sip.map((e) => `${e.transport} ${e.local.address} ${e.remote.address}`))).toEqual(new Set([`${transport} ::1 ::1`]));
    const invite = sip.find((e) => e.direction === 'in' && e.method === 'INVITE')!;
    expect(invite.raw).toMatch(new RegExp(`^Record-Route: <sip:\\[::1\\]:${kamailio.udpPort};`, 'mi'));
    expect(invite.raw).toMatch(new RegExp(`^Via: SIP/2.0/${transport.toUpperCase()} \\[::1\\]:\\d+`, 'mi'));
    expect(invite.raw).toMatch(/^c=IN IP6 ::1\r?$/m);
  }, 90_000);
});

describe('sipbots lab through Kamailio as an outbound proxy (RFC 3261 §8.1.2)', () => {
  it('every request outside a dialog carries Route: <kamailio;lr>, the Request-URIs keep lab.test, and the cases pass', async () => {
    const proxy = `sip:127.0.0.1:${kamailio.udpPort}`;
    const run = await runSipbots(['lab', '--outbound-proxy', proxy, '--only', 'reject,cancel,answer-bye-caller', '--json'], { timeoutMs: 60_000 });
    if (run.exitCode !== 0) expect.fail(describeRun(run));
    expect(run.summary!.outboundProxy).toBe(proxy);
    const sent = (await readRunEvents(run.runDir)).filter((e): e is SipMessageEvent => e.type === 'sip' && e.direction === 'out' && e.method !== undefined);
    const outOfDialog = sent.filter((e) => !/^To: [^\r\n]*;tag=/im.test(e.raw));
    for (const method of ['REGISTER', 'INVITE', 'CANCEL']) expect(outOfDialog.some((e) => e.method === method), method).toBe(true);
    for (const e of outOfDialog) expect([...e.raw.matchAll(/^Route: (.*?)\r?$/gim)].map((m) => m[1]), e.startLine).toEqual([`<${proxy};lr>`]);
    expect(outOfDialog.find((e) => e.method === 'REGISTER')!.startLine).toBe('REGISTER sip:lab.test SIP/2.0');
  }, 90_000);
});
