import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { runSession } from '../../src/lab/run-session.js';
import { candidatesOf } from '../../src/media/webrtc/webrtc-sdp.js';
import { failures, readJsonl, runLabJson } from '../support/lab-run.js';

const dir = mkdtempSync(join(tmpdir(), 'sipbots-webrtc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two bots that are browser-style endpoints: WebRTC media, SIP over secure WebSocket (RFC 7118). */
const botsFile = join(dir, 'webrtc-bots.yaml');
writeFileSync(
  botsFile,
  [
    'defaults: { domain: lab.test, transport: wss, media: webrtc }',
    'bots:',
    '  alice: { user: alice, password: alice-secret, tone: 440 }',
    '  bob: { user: bob, password: bob-secret, tone: 1000 }',
    '',
  ].join('\n'),
);

/**
 * An answered call with two-way tone, judged like the lab's answer cases, and DTMF keyed the
 * moment the call is confirmed (while ICE and DTLS may still be connecting).
 */
const scenarioFile = join(dir, 'webrtc-answer.yaml');
writeFileSync(
  scenarioFile,
  [
    'id: webrtc-answer',
    'title: Answered WebRTC call, each side hears the other',
    'roles: { caller: alice, callee: bob }',
    'behaviour:',
    '  callee: { onInvite: answer, ringFor: 0.2s }',
    'steps:',
    '  - call: { from: caller, to: callee, name: main }',
    '    waitFor: confirmed',
    '  - dtmf: { from: caller, digits: "1234#" }',
    '  - wait: 1.5s',
    '  - hangup: caller',
    'expect:',
    '  call: main',
    '  outcome: answered',
    '  status: 200',
    '  media:',
    '    caller: { hears: callee, minPackets: 50, maxLoss: 1% }',
    '    callee: { hears: caller, digits: "1234#", minPackets: 50, maxLoss: 1% }',
    '',
  ].join('\n'),
);

/** Alice holds bob for a second by re-INVITE, then takes him back. */
const holdFile = join(dir, 'webrtc-hold.yaml');
writeFileSync(
  holdFile,
  [
    'id: webrtc-hold',
    'title: Hold and unhold on a WebRTC call',
    'roles: { caller: alice, callee: bob }',
    'behaviour:',
    '  callee: { onInvite: answer, ringFor: 0.2s }',
    'steps:',
    '  - call: { from: caller, to: callee, name: main }',
    '    waitFor: confirmed',
    '  - wait: 0.8s',
    '  - hold: caller',
    '  - wait: 1.2s',
    '  - unhold: caller',
    '  - wait: 0.8s',
    '  - hangup: caller',
    'expect:',
    '  call: main',
    '  outcome: answered',
    '  media:',
    '    caller: { hears: callee }',
    '    callee: { hears: caller }',
    '',
  ].join('\n'),
);

interface MediaStats {
  party: string;
  codec: string;
  sent: { packets: number; toneHz?: number };
  received: { packets: number; lost: number; detectedHz?: number; dtmf?: string };
}

/** The SDP bodies of the INVITE that reached bob and of the 200 that reached alice. */
function sdpsOnTheWire(events: Array<Record<string, unknown>>): { offer: string; answer: string } {
  const sip = events.filter((e) => e.type === 'sip' && e.direction === 'in');
  const body = (raw: unknown) => String(raw).split(/\r\n\r\n/)[1] ?? '';
  const invite = sip.find((e) => e.method === 'INVITE' && String(e.raw).includes('m=audio'));
  const ok = sip.find((e) => e.status === 200 && /^CSeq: \d+ INVITE/m.test(String(e.raw)) && String(e.raw).includes('m=audio'));
  return { offer: body(invite?.raw), answer: body(ok?.raw) };
}

function expectLoopbackWebRtcSdp(sdp: string, address = '127.0.0.1'): void {
  expect(sdp).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0 8 101\r$/m);
  expect(sdp).toMatch(/^a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\r$/m);
  expect(sdp).toMatch(/^a=rtcp-mux\r$/m);
  const candidates = candidatesOf(sdp);
  expect(candidates.length).toBeGreaterThan(0);
  expect(candidates.map((c) => c.address)).toEqual(candidates.map(() => address));
  // No address outside 127.0.0.0/8 anywhere a peer could send to.
  for (const line of sdp.split('\r\n').filter((l) => l.startsWith('c=') || l.startsWith('a=rtcp:'))) expect(line.endsWith(` ${address}`), line).toBe(true);
}

describe('WebRTC media between bots, through the embedded proxy over WSS', () => {
  it('media: webrtc bots place an answered call; each hears the other’s tone and the DTMF over DTLS-SRTP', async () => {
    // Each party on its own loopback address, as the lab places them: ICE candidates follow.
    const { summary, runDir } = await runSession({ botsFile, scenarioFiles: [scenarioFile], transport: 'wss', outDir: join(dir, 'bots-run'), registerTimeoutMs: 8000, partyAddresses: true });
    expect(failures(summary)).toBe('');
    expect(summary.passed).toBe(true);
    const events = readJsonl(runDir);
    expect(new Set(events.filter((e) => e.type === 'sip').map((e) => e.transport))).toEqual(new Set(['wss']));
    const { offer, answer } = sdpsOnTheWire(events);
    expectLoopbackWebRtcSdp(offer, '127.0.1.1');
    expectLoopbackWebRtcSdp(answer, '127.0.1.2');
    expect(offer).toMatch(/^a=setup:actpass\r$/m);
    const stats = events.filter((e) => e.type === 'media-stats') as unknown as MediaStats[];
    const alice = stats.find((s) => s.party === 'alice')!;
    const bob = stats.find((s) => s.party === 'bob')!;
    expect(alice.codec).toBe('PCMU');
    expect(Math.abs(alice.received.detectedHz! - 1000)).toBeLessThanOrEqual(25);
    expect(Math.abs(bob.received.detectedHz! - 440)).toBeLessThanOrEqual(25);
    expect(alice.received.packets).toBeGreaterThan(50);
    expect(bob.received.packets).toBeGreaterThan(50);
    expect(bob.received.dtmf).toBe('1234#');
    expect(offer).toMatch(/^a=rtpmap:101 telephone-event\/8000\r$/m);
    // SRTP is not captured as plain RTP.
    expect(events.some((e) => e.type === 'rtp')).toBe(false);
  }, 30_000);

  it('hold re-offers sendonly and bob, answering recvonly, stops sending until unhold', async () => {
    const { summary, runDir } = await runSession({ botsFile, scenarioFiles: [holdFile], transport: 'wss', outDir: join(dir, 'hold-run'), registerTimeoutMs: 8000 });
    expect(failures(summary)).toBe('');
    const events = readJsonl(runDir);
    const direction = (raw: unknown) => /^a=(sendrecv|sendonly|recvonly|inactive)\r$/m.exec(String(raw))?.[1];
    const invites = events.filter((e) => e.type === 'sip' && e.party === 'bob' && e.direction === 'in' && e.method === 'INVITE');
    const answers = events.filter((e) => e.type === 'sip' && e.party === 'alice' && e.direction === 'in' && e.status === 200 && /^CSeq: \d+ INVITE/m.test(String(e.raw)));
    expect(invites.map((e) => direction(e.raw))).toEqual(['sendrecv', 'sendonly', 'sendrecv']);
    expect(answers.map((e) => direction(e.raw))).toEqual(['sendrecv', 'recvonly', 'sendrecv']);
    const stats = events.filter((e) => e.type === 'media-stats') as unknown as MediaStats[];
    const alice = stats.find((s) => s.party === 'alice')!;
    const bob = stats.find((s) => s.party === 'bob')!;
    // About 1.2 s (60 frames) of bob's side is missing: he was held, alice kept talking.
    expect(alice.sent.packets - bob.sent.packets).toBeGreaterThan(35);
    expect(bob.received.packets).toBeGreaterThan(alice.received.packets + 35);
  }, 30_000);

  it('sipbots lab --transport wss --media webrtc: answer-bye-caller passes its expect.media', async () => {
    const { code, summary, dir: runDir } = await runLabJson(['--transport', 'wss', '--media', 'webrtc', '--only', 'answer-bye-caller']);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    const { offer, answer } = sdpsOnTheWire(readJsonl(runDir));
    expectLoopbackWebRtcSdp(offer, '127.0.1.1');
    expectLoopbackWebRtcSdp(answer, '127.0.1.2');
  }, 30_000);

  it('--media webrtc over UDP is a configuration error before anything starts', async () => {
    const error = await runSession({ botsFile: 'bots/lab.yaml', scenarioFiles: [], transport: 'udp', media: 'webrtc', outDir: join(dir, 'never') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(/--media webrtc needs a WebSocket transport, but this run uses udp/);
  });
});
