import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Pacer } from '../../src/media/pacer.js';
import { createWebRtcSdhFactory, type WebRtcSessionDescriptionHandler } from '../../src/media/webrtc/webrtc-session-description-handler.js';
import { NoLoopbackCandidateError, NotWebRtcSdpError, WebRtcCodecError } from '../../src/media/webrtc/webrtc-errors.js';
import { candidatesOf, keepLoopbackCandidates } from '../../src/media/webrtc/webrtc-sdp.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pacer = new Pacer();
const handlers: WebRtcSessionDescriptionHandler[] = [];

afterEach(async () => {
  for (const h of handlers.splice(0)) {
    h.close();
    await h.whenClosed();
  }
});

function handler(toneHz: number): WebRtcSessionDescriptionHandler {
  const h = createWebRtcSdhFactory({ toneHz, pacer })({ id: `call-${toneHz}` });
  handlers.push(h);
  return h;
}

/** UDP sockets this process holds right now (ICE sockets are the only ones these tests open). */
function udpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
}

/**
 * Local addresses of the UDP sockets this process holds, from the kernel's own tables
 * (/proc/self/fd socket inodes joined with /proc/net/udp and udp6): what werift really bound.
 */
function boundUdpAddresses(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // The fd closed between readdir and readlink: it is not one of ours any more.
    }
  }
  const addresses: string[] = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const row of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = row.trim().split(/\s+/);
      if (!inodes.has(fields[9]!)) continue;
      const hex = fields[1]!.split(':')[0]!;
      // IPv4 in /proc/net/udp is little-endian hex; anything from udp6 is kept as is and fails the test.
      addresses.push(hex.length === 8 ? [3, 2, 1, 0].map((i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.') : `udp6:${hex}`);
    }
  }
  return addresses;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

/** One INVITE/200 exchange as sip.js drives it, returning both SDPs as they would go on the wire. */
async function call(caller: WebRtcSessionDescriptionHandler, callee: WebRtcSessionDescriptionHandler): Promise<{ offer: string; answer: string }> {
  const offer = await caller.getDescription();
  await callee.setDescription(offer.body);
  const answer = await callee.getDescription();
  await caller.setDescription(answer.body);
  return { offer: offer.body, answer: answer.body };
}

/** A browser-style offer (Chrome's shape) with the given audio formats and candidates. */
function browserOffer(formats: string, rtpmaps: string[], candidates: string[]): string {
  return [
    'v=0',
    'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'a=group:BUNDLE 0',
    `m=audio 9 UDP/TLS/RTP/SAVPF ${formats}`,
    'c=IN IP4 0.0.0.0',
    ...candidates.map((address, i) => `a=candidate:${i + 1} 1 udp 2122260223 ${address} ${50000 + i} typ host`),
    'a=ice-ufrag:Wq3J',
    'a=ice-pwd:Ekx8e9TVtBDm6Bw1G2ksfYHa',
    'a=fingerprint:sha-256 12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD',
    'a=setup:actpass',
    'a=mid:0',
    'a=sendrecv',
    'a=rtcp-mux',
    ...rtpmaps,
    '',
  ].join('\r\n');
}

describe('WebRtcSessionDescriptionHandler (sip.js SDH contract over werift)', () => {
  it('alice offers, bob answers: ICE + DTLS-SRTP on 127.0.0.1 only, PCMU, and each hears the other’s tone', async () => {
    const before = udpSockets();
    const alice = handler(440);
    const bob = handler(1000);
    const { offer, answer } = await call(alice, bob);
    for (const sdp of [offer, answer]) {
      expect(sdp).toMatch(/^m=audio [1-9]\d* UDP\/TLS\/RTP\/SAVPF 0 8 101\r$/m);
      expect(sdp).toMatch(/^a=fingerprint:sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\r$/m);
      expect(sdp).toMatch(/^a=rtcp-mux\r$/m);
      expect(sdp).toMatch(/^a=ice-ufrag:\S+\r$/m);
      expect(sdp).toMatch(/^c=IN IP4 127\.0\.0\.1\r$/m);
      const candidates = candidatesOf(sdp);
      expect(candidates.length).toBeGreaterThan(0);
      for (const c of candidates) expect(c.address).toBe('127.0.0.1');
    }
    expect(offer).toMatch(/^a=setup:actpass\r$/m);
    expect(answer).toMatch(/^a=setup:active\r$/m);
    await waitFor(() => alice.connectionState === 'connected' && bob.connectionState === 'connected', 5000);
    await sleep(800);
    const a = alice.stats()!;
    const b = bob.stats()!;
    expect(a.codec).toBe('PCMU');
    expect(b.codec).toBe('PCMU');
    expect(Math.abs((a.received.detectedHz ?? 0) - 1000)).toBeLessThanOrEqual(25);
    expect(Math.abs((b.received.detectedHz ?? 0) - 440)).toBeLessThanOrEqual(25);
    expect(a.received.packets).toBeGreaterThan(20);
    expect(b.received.packets).toBeGreaterThan(20);
    expect(udpSockets()).toBeGreaterThan(before);
    const bound = boundUdpAddresses();
    expect(bound.length).toBeGreaterThanOrEqual(2);
    expect(bound).toEqual(bound.map(() => '127.0.0.1'));
    alice.close();
    bob.close();
    const [aliceFinal, bobFinal] = await Promise.all([alice.whenClosed(), bob.whenClosed()]);
    expect(aliceFinal?.sent.packets).toBeGreaterThan(20);
    expect(bobFinal?.sent.packets).toBeGreaterThan(20);
    expect(alice.connectionState).toBe('closed');
    expect(pacer.size).toBe(0);
    await waitFor(() => udpSockets() === before, 2000);
  });

  it('re-INVITE with { hold: true } stops bob sending (sendonly/recvonly); { hold: false } resumes', async () => {
    const alice = handler(440);
    const bob = handler(1000);
    await call(alice, bob);
    await waitFor(() => alice.connectionState === 'connected' && bob.connectionState === 'connected', 5000);
    await sleep(300);
    const hold = await alice.getDescription({ hold: true });
    expect(hold.body).toMatch(/^a=sendonly\r$/m);
    await bob.setDescription(hold.body);
    const held = await bob.getDescription();
    expect(held.body).toMatch(/^a=recvonly\r$/m);
    await alice.setDescription(held.body, { hold: true });
    await sleep(100);
    const heardByAlice = alice.stats()!.received.packets;
    const heardByBob = bob.stats()!.received.packets;
    await sleep(500);
    expect(alice.stats()!.received.packets - heardByAlice).toBeLessThanOrEqual(1);
    expect(bob.stats()!.received.packets - heardByBob).toBeGreaterThan(15);
    const resume = await alice.getDescription({ hold: false });
    expect(resume.body).toMatch(/^a=sendrecv\r$/m);
    await bob.setDescription(resume.body);
    await alice.setDescription((await bob.getDescription()).body);
    const resumedAt = alice.stats()!.received.packets;
    await sleep(500);
    expect(alice.stats()!.received.packets - resumedAt).toBeGreaterThan(15);
  });

  it('RFC 4733 DTMF goes through SRTP as telephone-event and is received once per digit', async () => {
    const alice = handler(440);
    const bob = handler(1000);
    const { offer, answer } = await call(alice, bob);
    expect(offer).toMatch(/^a=rtpmap:101 telephone-event\/8000\r$/m);
    expect(answer).toMatch(/^a=rtpmap:101 telephone-event\/8000\r$/m);
    // Asked for before ICE and DTLS are up: the digits wait for media instead of failing.
    expect(alice.connectionState).not.toBe('connected');
    expect(alice.sendDtmf('12', { duration: 100, interToneGap: 60 })).toBe(true);
    await alice.whenDtmfSent();
    expect(alice.rtpSession!.running).toBe(true);
    expect(alice.sendDtmf('34#', { duration: 100, interToneGap: 60 })).toBe(true);
    await alice.whenDtmfSent();
    await sleep(100);
    expect(bob.stats()!.received.dtmf).toBe('1234#');
    expect(bob.sendDtmf('9')).toBe(true);
    await bob.whenDtmfSent();
    await sleep(100);
    expect(alice.stats()!.received.dtmf).toBe('9');
    // The tone resumes after the events and is what bob hears.
    await sleep(600);
    expect(Math.abs((bob.stats()!.received.detectedHz ?? 0) - 440)).toBeLessThanOrEqual(25);
  });

  it('answers PCMU to a browser offer that prefers Opus', async () => {
    const bob = handler(1000);
    const offer = browserOffer('111 0 8 126', ['a=rtpmap:111 opus/48000/2', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:126 telephone-event/8000'], ['127.0.0.1']);
    await bob.setDescription(offer);
    const answer = (await bob.getDescription()).body;
    expect(answer).toMatch(/^m=audio \d+ UDP\/TLS\/RTP\/SAVPF 0 8 126\r$/m);
    expect(answer).toMatch(/^a=rtpmap:126 telephone-event\/8000\r$/m);
    expect(answer).not.toMatch(/opus/i);
  });

  it('an Opus-only offer fails with WebRtcCodecError (no G.711 to send) and leaves the handler stable', async () => {
    const bob = handler(1000);
    const offer = browserOffer('111', ['a=rtpmap:111 opus/48000/2'], ['127.0.0.1']);
    const error = await bob.setDescription(offer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebRtcCodecError);
    expect((error as WebRtcCodecError).offeredCodecs).toEqual(['opus/48000/2']);
    expect(bob.signalingState).toBe('stable');
  });

  it('refuses an offer whose candidates are all off loopback (LAN, IPv6, mDNS)', async () => {
    const bob = handler(1000);
    const offer = browserOffer('0', ['a=rtpmap:0 PCMU/8000'], ['192.168.1.20', 'fe80::1', '4f5d8e2a-0a7c-4c3e-9d1e-3a2b1c0d9e8f.local']);
    const error = await bob.setDescription(offer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoLoopbackCandidateError);
    expect((error as NoLoopbackCandidateError).refusedAddresses).toEqual(['192.168.1.20', 'fe80::1', '4f5d8e2a-0a7c-4c3e-9d1e-3a2b1c0d9e8f.local']);
  });

  it('keeps only the loopback candidates of an offer that also lists LAN and mDNS ones', () => {
    const offer = browserOffer('0', ['a=rtpmap:0 PCMU/8000'], ['192.168.1.20', '127.0.0.1', 'abc.local']);
    const { sdp, remote } = keepLoopbackCandidates(offer);
    expect(candidatesOf(sdp).map((c) => c.address)).toEqual(['127.0.0.1']);
    expect(remote).toMatchObject({ address: '127.0.0.1', port: 50001, type: 'host' });
    expect(sdp.replace(/^a=candidate:.*\r\n/gm, '')).toBe(offer.replace(/^a=candidate:.*\r\n/gm, ''));
  });

  it('refuses a plain RTP/AVP offer with NotWebRtcSdpError', async () => {
    const bob = handler(1000);
    const plain = 'v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n';
    await expect(bob.setDescription(plain)).rejects.toBeInstanceOf(NotWebRtcSdpError);
  });
});
