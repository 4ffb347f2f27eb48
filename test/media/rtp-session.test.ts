import { afterEach, describe, expect, it } from 'vitest';
import { Pacer } from '../../src/media/pacer.js';
import { RtpSession, type RtpSessionOptions } from '../../src/media/rtp-session.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const open: RtpSession[] = [];

async function pair(a: RtpSessionOptions, b: RtpSessionOptions): Promise<[RtpSession, RtpSession]> {
  const pacer = new Pacer();
  const alice = await RtpSession.open({ pacer, ...a });
  const bob = await RtpSession.open({ pacer, ...b });
  open.push(alice, bob);
  alice.configure({ remote: bob.local, telephoneEventPt: 101 });
  bob.configure({ remote: alice.local, telephoneEventPt: 101 });
  return [alice, bob];
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('RTP session on loopback', () => {
  it('alice and bob hear each other’s tone (440 and 1000 Hz) within 1.5 s', async () => {
    const [alice, bob] = await pair({ toneHz: 440 }, { toneHz: 1000, codec: 'PCMA' });
    expect(alice.local.port % 2).toBe(0);
    alice.start();
    bob.start();
    await sleep(1000);
    const a = alice.stats();
    const b = bob.stats();
    expect(a.received.detectedHz).toBeGreaterThanOrEqual(998);
    expect(a.received.detectedHz).toBeLessThanOrEqual(1002);
    expect(b.received.detectedHz).toBeGreaterThanOrEqual(438);
    expect(b.received.detectedHz).toBeLessThanOrEqual(442);
    expect(a.received.packets).toBeGreaterThan(35);
    expect(a.received.lost).toBe(0);
    expect(a.received.mos).toBeGreaterThan(4);
    expect(a.sent).toMatchObject({ toneHz: 440 });
    expect(b.codec).toBe('PCMA');
    expect(a.received.firstPacketDelayMs).toBeGreaterThanOrEqual(0);
  });

  it('on hold (alice sendonly, bob recvonly) only alice’s audio flows', async () => {
    const [alice, bob] = await pair({ toneHz: 440 }, { toneHz: 1000 });
    alice.configure({ direction: 'sendonly' });
    bob.configure({ direction: 'recvonly' });
    alice.start();
    bob.start();
    await sleep(500);
    expect(bob.stats().received.packets).toBeGreaterThan(15);
    expect(bob.stats().sent.packets).toBe(0);
    expect(alice.stats().received.packets).toBe(0);
    // Unhold: bob resumes, his first packet carries the marker bit.
    bob.configure({ direction: 'sendrecv' });
    await sleep(300);
    expect(alice.stats().received.packets).toBeGreaterThan(5);
  });

  it('DTMF round trip: bob hears the digits alice sends (RFC 4733)', async () => {
    const [alice, bob] = await pair({ toneHz: 440 }, { toneHz: 1000 });
    alice.start();
    bob.start();
    expect(alice.sendDtmf('1*9#', { durationMs: 60, gapMs: 40 })).toBe(true);
    await sleep(900);
    expect(bob.stats().received.dtmf).toBe('1*9#');
    expect(bob.stats().received.lost).toBe(0);
    expect(bob.stats().received.jitterMs).toBeLessThan(5);
  });

  it('exchanges RTCP reports and keeps the peer’s, with a final report at close', async () => {
    const seen: { direction: string; rtcp: boolean }[] = [];
    const [alice, bob] = await pair({ toneHz: 440, rtcpIntervalMs: 100, onPacket: (direction, _l, _r, _b, rtcp) => seen.push({ direction, rtcp }) }, { toneHz: 1000, rtcpIntervalMs: 100 });
    alice.start();
    bob.start();
    await sleep(600);
    expect(alice.peerReports().reportsReceived).toBeGreaterThan(0);
    expect(alice.peerReports().lastSenderReport).toBeDefined();
    expect(alice.peerReports().roundTripMs).toBeLessThan(50);
    const before = seen.filter((p) => p.rtcp && p.direction === 'out').length;
    await alice.close();
    expect(seen.filter((p) => p.rtcp && p.direction === 'out').length).toBe(before + 1);
    expect(seen.some((p) => !p.rtcp && p.direction === 'in')).toBe(true);
  });

  it('close() is idempotent and frees both ports', async () => {
    const s = await RtpSession.open({ pacer: new Pacer() });
    await s.close();
    await s.close();
    const again = await RtpSession.open({ pacer: new Pacer(), portRange: [s.local.port, s.local.port + 1] });
    expect(again.local.port).toBe(s.local.port);
    await again.close();
  });
});
