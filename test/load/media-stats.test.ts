import { describe, expect, it } from 'vitest';
import { encodeHistogram } from '../../src/load/results/histograms.js';
import { MEDIA_HISTOGRAM_NAMES, MediaStats, mediaResult, mergeMediaSnapshots, type StreamResult } from '../../src/load/results/media-stats.js';
import { parseThreshold, evaluateThresholds } from '../../src/load/results/thresholds.js';
import { audioTarget } from '../../src/load/media/load-media.js';
import { LOAD_TONES, tonesOf } from '../../src/load/media/call-tones.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { MediaLeg } from '../../src/load/media/media-leg.js';
import type { PooledPair } from '../../src/load/media/port-pool.js';
import type { Pacer } from '../../src/media/pacer.js';

function randomStream(random: () => number): StreamResult {
  const expected = 50 + Math.floor(random() * 500);
  const lost = random() < 0.7 ? 0 : Math.floor(random() * expected * 0.2);
  const silent = random() < 0.05;
  return {
    sent: expected,
    skipped: random() < 0.9 ? 0 : Math.floor(random() * 5),
    received: silent ? 0 : expected - lost,
    expected: silent ? 0 : expected,
    lost: silent ? 0 : lost,
    jitterMs: random() * 40,
    mos: silent ? undefined : 1 + random() * 3.41,
    heard: silent ? 'nothing' : random() < 0.02 ? 'other' : 'expected',
    stray: 0,
  };
}

describe('media results of a load run', () => {
  it('two workers merged equal one MediaStats that saw every stream (counters and every histogram bucket)', () => {
    const random = seededRandom(11);
    const streams = Array.from({ length: 4000 }, () => randomStream(random));
    const whole = new MediaStats();
    const parts = [new MediaStats(), new MediaStats()];
    streams.forEach((stream, i) => {
      whole.addStream(stream);
      parts[i % 2]!.addStream(stream);
      if (i % 2 === 1) {
        const heard = [streams[i - 1]!.heard === 'expected', stream.heard === 'expected'];
        whole.addCall(heard);
        parts[1]!.addCall(heard);
      }
    });
    const merged = mergeMediaSnapshots(parts.map((p) => p.snapshot()))!;
    expect(merged.counters).toEqual(whole.counters);
    for (const name of MEDIA_HISTOGRAM_NAMES) expect(encodeHistogram(merged.histograms[name])).toBe(encodeHistogram(whole.histograms[name]));
    // Min and max travel as bucket values in the encoding: compare with the whole sent the same way.
    expect(mediaResult(merged).summaries).toEqual(mediaResult(mergeMediaSnapshots([whole.snapshot()])!).summaries);
    expect(merged.counters.twoWay + merged.counters.oneWay + merged.counters.noAudio).toBe(merged.counters.calls);
    expect(mergeMediaSnapshots([undefined, undefined])).toBeUndefined();
  });

  it('one verdict per call: both heard, one side only, neither; a lone judged side that heard nothing is one-way', () => {
    const stats = new MediaStats();
    stats.addCall([true, true]);
    stats.addCall([true, false]);
    stats.addCall([false, true]);
    stats.addCall([false, false]);
    stats.addCall([false]);
    stats.addCall([true]);
    expect(stats.counters).toMatchObject({ calls: 6, twoWay: 2, oneWay: 3, noAudio: 1 });
  });

  it('thresholds read MOS, jitter and loss percentiles, total loss and verdict counts in their own units', () => {
    const stats = new MediaStats();
    for (let i = 0; i < 100; i++) stats.addStream({ sent: 100, skipped: 0, received: 100 - (i < 10 ? 5 : 0), expected: 100, lost: i < 10 ? 5 : 0, jitterMs: i / 10, mos: i < 10 ? 3.5 : 4.4, heard: 'expected', stray: 0 });
    for (let i = 0; i < 50; i++) stats.addCall([true, i !== 0]);
    const media = mediaResult({ counters: stats.counters, histograms: stats.histograms });
    const verdicts = evaluateThresholds(
      ['mos_p5>4.0', 'mos_p50>=4.4', 'rtp_loss<0.5%', 'rtp_loss<1%', 'rtp_loss_p95<=5%', 'rtp_jitter_p99<10ms', 'one_way_audio==1', 'one_way_audio<=2%'].map(parseThreshold),
      { latency: {}, counts: { failed: 0, succeeded: 0, attempted: 0, timeouts: 0, retransmissions: 0, delayed: 0, refused: 0 }, cps: 0, media },
    );
    expect(verdicts.map((v) => [v.expression, v.ok, v.actual])).toEqual([
      ['mos_p5>4.0', false, 3.5],
      ['mos_p50>=4.4', true, 4.4],
      ['rtp_loss<0.5%', false, 0.5],
      ['rtp_loss<1%', true, 0.5],
      ['rtp_loss_p95<=5%', true, 5],
      ['rtp_jitter_p99<10ms', true, 9.8],
      ['one_way_audio==1', true, 1],
      ['one_way_audio<=2%', true, 2],
    ]);
  });

  it('each leg records its send-interval jitter, |interval − 20 ms| per packet after the first, and a threshold reads its p99', () => {
    const stats = new MediaStats();
    const sent: Buffer[] = [];
    const pair = { port: 40000, rtp: { send: (packet: Buffer) => sent.push(packet) }, lastSsrc: undefined, onRtp: undefined, sendErrors: 0 } as unknown as PooledPair;
    const pacer = { register: () => () => undefined } as unknown as Pacer;
    // The pacer ticks at 0, 20, 43 (3 ms late), 60 (3 ms early), 80 ms.
    const times = [0, 20, 43, 60, 80];
    let k = 0;
    const leg = new MediaLeg(pair, 400, 1300, pacer, seededRandom(1), () => times[k]!, stats.histograms.send_jitter);
    leg.start({ address: '127.0.0.1', port: 40002 });
    for (k = 0; k < times.length; k++) leg.tick({ deadline: 20 * k, now: times[k]!, elapsedFrames: 1 });
    expect(sent.length).toBe(5);
    const media = mediaResult({ counters: stats.counters, histograms: stats.histograms });
    expect(media.summaries.send_jitter).toMatchObject({ count: 4, min: 0, max: 3, p50: 0, p99: 3 });
    const verdicts = evaluateThresholds(['send_jitter_p99<5ms', 'send_jitter_p99<2ms'].map(parseThreshold), { latency: {}, counts: { failed: 0, succeeded: 0, attempted: 0, timeouts: 0, retransmissions: 0, delayed: 0, refused: 0 }, cps: 0, media });
    expect(verdicts.map((v) => [v.expression, v.ok, v.actual])).toEqual([
      ['send_jitter_p99<5ms', true, 3],
      ['send_jitter_p99<2ms', false, 3],
    ]);
  });

  it('a leg ticked late sends one packet for the frames that passed and counts the others as skipped', () => {
    const stats = new MediaStats();
    const sent: Buffer[] = [];
    const pair = { port: 40000, rtp: { send: (packet: Buffer) => sent.push(packet) }, lastSsrc: undefined, onRtp: undefined, sendErrors: 0 } as unknown as PooledPair;
    const pacer = { register: () => () => undefined } as unknown as Pacer;
    // Ticks at 0 and 20 ms, then a 100 ms stall: the tick at 120 ms stands for 5 frames.
    const ticks = [[0, 1], [20, 1], [120, 5], [140, 1]] as const;
    let now = 0;
    const leg = new MediaLeg(pair, 400, 1300, pacer, seededRandom(1), () => now, stats.histograms.send_jitter);
    leg.start({ address: '127.0.0.1', port: 40002 });
    for (const [at, elapsedFrames] of ticks) {
      now = at;
      leg.tick({ deadline: at, now: at, elapsedFrames });
    }
    stats.addStream(leg.stop());
    expect(sent.length).toBe(4);
    expect(stats.counters).toMatchObject({ packetsSent: 4, framesSkipped: 4 });
    // The RTP timestamp kept the audio clock: 120 ms after the first packet is 960 samples.
    expect(sent[2]!.readUInt32BE(4) - sent[0]!.readUInt32BE(4)).toBe(960);
    const media = mediaResult({ counters: stats.counters, histograms: stats.histograms });
    expect(media.summaries.send_jitter.max).toBe(80);
    // 4 of the 8 frames due were skipped: a count and a share of the frames due.
    const verdicts = evaluateThresholds(['frames_skipped==4', 'frames_skipped<50%', 'frames_skipped<=50%'].map(parseThreshold), { latency: {}, counts: { failed: 0, succeeded: 0, attempted: 0, timeouts: 0, retransmissions: 0, delayed: 0, refused: 0 }, cps: 0, media });
    expect(verdicts.map((v) => [v.expression, v.ok, v.actual])).toEqual([
      ['frames_skipped==4', true, 4],
      ['frames_skipped<50%', false, 50],
      ['frames_skipped<=50%', true, 50],
    ]);
  });

  it('finds where the other side wants RTP in its SDP: the audio section\'s own c= first, else the session\'s', () => {
    const sdp = (lines: string[]): string => `INVITE sip:x SIP/2.0\r\n\r\n${lines.join('\r\n')}\r\n`;
    const at = (text: string): number => text.indexOf('\r\n\r\n') + 4;
    const session = sdp(['v=0', 'c=IN IP4 127.0.0.5', 't=0 0', 'm=audio 40000 RTP/AVP 0']);
    expect(audioTarget(session, at(session))).toEqual({ address: '127.0.0.5', port: 40000 });
    const media = sdp(['v=0', 'c=IN IP4 127.0.0.5', 'm=video 5000 RTP/AVP 96', 'c=IN IP4 127.0.0.7', 'm=audio 40002 RTP/AVP 0', 'c=IN IP4 127.0.0.9']);
    expect(audioTarget(media, at(media))).toEqual({ address: '127.0.0.9', port: 40002 });
    const declined = sdp(['v=0', 'c=IN IP4 127.0.0.5', 'm=audio 0 RTP/AVP 0']);
    expect(audioTarget(declined, at(declined))).toBeUndefined();
    const held = sdp(['v=0', 'c=IN IP4 0.0.0.0', 'm=audio 40000 RTP/AVP 0']);
    expect(audioTarget(held, at(held))).toBeUndefined();
  });

  it('gives each side of a call its own tone, the same on both sides, from the Call-ID alone', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const { caller, callee } = tonesOf(`abc-${i.toString(36)}`);
      expect(LOAD_TONES).toContain(caller);
      expect(LOAD_TONES).toContain(callee);
      expect(caller).toBeLessThan(1300);
      expect(callee).toBeGreaterThanOrEqual(1300);
      seen.add(`${caller}/${callee}`);
    }
    expect(tonesOf('same')).toEqual(tonesOf('same'));
    expect(seen.size).toBeGreaterThan(100);
  });
});
