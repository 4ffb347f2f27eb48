import { describe, expect, it } from 'vitest';
import { RtpReceiverStats, estimateMos } from '../../src/media/rtp-stats.js';

const packet = (seq: number, ts: number, at: number) => ({ sequenceNumber: seq & 0xffff, timestamp: ts >>> 0, arrivalMs: at, bytes: 172 });

describe('RTP receiver statistics (RFC 3550)', () => {
  it('jitter follows J += (|D| − J)/16 on a synthetic arrival sequence', () => {
    const stats = new RtpReceiverStats(8000);
    const arrivals = [0, 20, 43, 60, 78, 105, 120, 139, 165, 180];
    let expected = 0;
    let lastTransit: number | undefined;
    arrivals.forEach((at, i) => {
      stats.onPacket(packet(1000 + i, 5000 + 160 * i, at));
      const transit = at * 8 - (5000 + 160 * i);
      if (lastTransit !== undefined) expected += (Math.abs(transit - lastTransit) - expected) / 16;
      lastTransit = transit;
    });
    expect(stats.jitterMs).toBeCloseTo(expected / 8, 9);
    expect(stats.jitterMs).toBeGreaterThan(0);
  });

  it('a timestamp that wraps past 2^32 mid-stream is no jitter (RFC 3550 §A.8 takes D modulo 2^32)', () => {
    const stats = new RtpReceiverStats();
    const arrivals = [0, 20, 43, 60, 78, 105, 120, 139, 165, 180];
    const reference = new RtpReceiverStats();
    arrivals.forEach((at, i) => {
      stats.onPacket(packet(i, 2 ** 32 - 5 * 160 + 160 * i, 1000 + at));
      reference.onPacket(packet(i, 5000 + 160 * i, 1000 + at));
    });
    expect(stats.jitterMs).toBeCloseTo(reference.jitterMs, 9);
    expect(stats.jitterMs).toBeGreaterThan(0);
    expect(stats.jitterMs).toBeLessThan(10);
  });

  it('perfectly paced packets have zero jitter', () => {
    const stats = new RtpReceiverStats();
    for (let i = 0; i < 50; i++) stats.onPacket(packet(i, 160 * i, 1000 + 20 * i));
    expect(stats.jitterMs).toBe(0);
  });

  it('counts loss, reordering and duplicates across a sequence wrap', () => {
    const stats = new RtpReceiverStats();
    const seqs = [65533, 65534, 0, 65535, 1, 1, 3, 4];
    seqs.forEach((s, i) => stats.onPacket(packet(s, 160 * i, 20 * i)));
    const snap = stats.snapshot();
    expect(snap.packets).toBe(7);
    expect(snap.duplicates).toBe(1);
    expect(snap.outOfOrder).toBe(1);
    expect(snap.lost).toBe(1); // seq 2
    const report = stats.takeReceptionReport();
    expect(report.extendedHighestSequence).toBe(0x10004);
    expect(report.cumulativeLost).toBe(1);
    expect(report.fractionLost).toBe(Math.floor((1 << 8) / 8));
  });

  it('measures the first packet against the reference time', () => {
    const stats = new RtpReceiverStats();
    stats.setReference(1000);
    stats.onPacket(packet(7, 0, 1042.5));
    expect(stats.snapshot().firstPacketDelayMs).toBe(42.5);
  });

  it('E-model MOS: ~4.4 for a clean G.711 call, lower with loss and delay', () => {
    const clean = estimateMos({ lossPercent: 0, jitterMs: 0, oneWayDelayMs: 0 });
    expect(clean).toBeGreaterThan(4.3);
    expect(clean).toBeLessThanOrEqual(4.5);
    expect(estimateMos({ lossPercent: 5, jitterMs: 0, oneWayDelayMs: 0 })).toBeLessThan(3);
    expect(estimateMos({ lossPercent: 0, jitterMs: 20, oneWayDelayMs: 300 })).toBeLessThan(clean - 0.5);
  });
});
