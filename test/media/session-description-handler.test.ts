import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Pacer } from '../../src/media/pacer.js';
import type { RtpMediaStats } from '../../src/media/rtp-session.js';
import { createRtpSdhFactory, type RtpSessionDescriptionHandler } from '../../src/media/session-description-handler.js';
import { decodeWav } from '../../src/media/wav.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const handlers: RtpSessionDescriptionHandler[] = [];

afterEach(async () => {
  for (const h of handlers.splice(0)) {
    h.close();
    await h.whenClosed();
  }
});

function handler(toneHz: number, extra: Partial<Parameters<typeof createRtpSdhFactory>[0]> = {}): RtpSessionDescriptionHandler {
  const h = createRtpSdhFactory({ toneHz, pacer: sharedTestPacer, ...extra })({ id: `call-${toneHz}` });
  handlers.push(h);
  return h;
}
const sharedTestPacer = new Pacer();

/** One INVITE/200 exchange as sip.js drives it: offer from the caller, answer from the callee. */
async function call(caller: RtpSessionDescriptionHandler, callee: RtpSessionDescriptionHandler, options: { hold?: boolean } = {}): Promise<void> {
  const offer = await caller.getDescription(options);
  expect(offer.contentType).toBe('application/sdp');
  await callee.setDescription(offer.body);
  const answer = await callee.getDescription();
  await caller.setDescription(answer.body, options);
}

describe('RtpSessionDescriptionHandler (sip.js SDH contract)', () => {
  it('alice offers, bob answers, both hear the other’s tone', async () => {
    const alice = handler(440);
    const bob = handler(1000);
    expect(alice.hasDescription('application/sdp')).toBe(true);
    expect(alice.hasDescription('text/plain')).toBe(false);
    await call(alice, bob);
    expect(alice.signalingState).toBe('stable');
    expect(bob.signalingState).toBe('stable');
    await sleep(800);
    expect(Math.round((alice.stats()?.received.detectedHz ?? 0) / 10)).toBe(100);
    expect(Math.round((bob.stats()?.received.detectedHz ?? 0) / 10)).toBe(44);
  });

  it('a PCMA-only caller gets PCMA from a PCMU-first callee', async () => {
    const alice = handler(440, { codecs: ['PCMA'] });
    const bob = handler(1000);
    await call(alice, bob);
    expect(alice.negotiated?.codec).toBe('PCMA');
    expect(bob.negotiated?.codec).toBe('PCMA');
  });

  it('re-INVITE with { hold: true } puts bob on hold (sendonly/recvonly); { hold: false } resumes', async () => {
    const alice = handler(440);
    const bob = handler(1000);
    await call(alice, bob);
    const offer = await alice.getDescription({ hold: true });
    expect(offer.body).toContain('a=sendonly');
    await bob.setDescription(offer.body);
    const answer = await bob.getDescription();
    expect(answer.body).toContain('a=recvonly');
    await alice.setDescription(answer.body, { hold: true });
    await sleep(100);
    const heardBefore = alice.stats()?.received.packets ?? 0;
    await sleep(300);
    expect(alice.stats()?.received.packets).toBe(heardBefore);
    expect(bob.stats()?.received.packets).toBeGreaterThan(15);

    await call(alice, bob, { hold: false });
    await sleep(300);
    expect(alice.stats()?.received.packets).toBeGreaterThan(heardBefore + 5);
  });

  it('rollbackDescription returns to stable after an offer that was never answered', async () => {
    const alice = handler(440);
    await alice.getDescription();
    expect(alice.signalingState).toBe('have-local-offer');
    await alice.rollbackDescription();
    expect(alice.signalingState).toBe('stable');
  });

  it('sendDtmf goes out as RFC 4733 events; digits land in the peer’s final stats', async () => {
    const finals: RtpMediaStats[] = [];
    const alice = handler(440);
    const bob = handler(1000, { onStats: (stats) => finals.push(stats) });
    expect(alice.sendDtmf('5')).toBe(false); // no media yet
    await call(alice, bob);
    expect(alice.sendDtmf('42', { duration: 80, interToneGap: 50 })).toBe(true);
    await sleep(600);
    bob.close();
    await bob.whenClosed();
    expect(finals).toHaveLength(1);
    expect(finals[0]?.received.dtmf).toBe('42');
  });

  it('records what it heard as a WAV at close', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sipbots-media-'));
    try {
      const path = join(dir, 'bob.wav');
      const alice = handler(440);
      const bob = handler(1000, { recordWavPath: path });
      await call(alice, bob);
      await sleep(400);
      bob.close();
      await bob.whenClosed();
      const { sampleRate, samples } = decodeWav(await readFile(path));
      expect(sampleRate).toBe(8000);
      expect(samples.length).toBeGreaterThan(8000 * 0.25);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an offer with no common codec rejects setDescription (sip.js answers 488)', async () => {
    const bob = handler(1000);
    const g729 = 'v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18\r\n';
    await expect(bob.setDescription(g729)).rejects.toThrow(/no common codec/);
    expect(bob.signalingState).toBe('stable');
  });
});
