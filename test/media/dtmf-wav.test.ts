import { describe, expect, it } from 'vitest';
import { DtmfError, DtmfReceiver, DtmfSender, decodeDtmfPayload } from '../../src/media/dtmf.js';
import { WavSource, decodeWav, encodeWav } from '../../src/media/wav.js';

describe('RFC 4733 DTMF sender', () => {
  it('sends key-down packets with growing duration, the end packet 3 times, then audio', () => {
    const sender = new DtmfSender();
    sender.enqueue('7', { durationMs: 60, gapMs: 40 });
    const frames = Array.from({ length: 8 }, (_, i) => sender.nextFrame(1000 + 160 * i));
    const events = frames.filter((f) => f !== undefined);
    expect(events).toHaveLength(5);
    expect(events.map((f) => f.timestamp)).toEqual([1000, 1000, 1000, 1000, 1000]);
    expect(events.map((f) => f.marker)).toEqual([true, false, false, false, false]);
    const payloads = events.map((f) => decodeDtmfPayload(f.payload));
    expect(payloads.map((p) => p.event)).toEqual([7, 7, 7, 7, 7]);
    expect(payloads.map((p) => p.duration)).toEqual([160, 320, 480, 480, 480]);
    expect(payloads.map((p) => p.end)).toEqual([false, false, true, true, true]);
    expect(frames.slice(5)).toEqual([undefined, undefined, undefined]);
    expect(sender.busy).toBe(false);
  });

  it('refuses characters that are not DTMF, before queueing any', () => {
    const sender = new DtmfSender();
    expect(() => sender.enqueue('12x')).toThrow(DtmfError);
    expect(sender.busy).toBe(false);
  });
});

describe('RFC 4733 DTMF receiver', () => {
  it('reports each event once, whatever the retransmissions', () => {
    const sender = new DtmfSender();
    sender.enqueue('#A', { durationMs: 40, gapMs: 20 });
    const receiver = new DtmfReceiver();
    for (let i = 0; i < 20; i++) {
      const f = sender.nextFrame(160 * i);
      if (f) receiver.onPacket(f.timestamp, f.payload);
    }
    expect(receiver.digits).toBe('#A');
  });
});

describe('WAV', () => {
  it('writes and reads 8 kHz 16-bit mono', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768]);
    const bytes = encodeWav(samples);
    expect(bytes.length).toBe(44 + 10);
    expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
    const back = decodeWav(bytes);
    expect(back.sampleRate).toBe(8000);
    expect(Array.from(back.samples)).toEqual(Array.from(samples));
  });

  it('plays a WAV in a loop, frame by frame', () => {
    const source = new WavSource(Int16Array.from([1, 2, 3]), 4);
    expect(Array.from(source.nextFrame())).toEqual([1, 2, 3, 1]);
    source.skip(1);
    expect(Array.from(source.nextFrame())).toEqual([3, 1, 2, 3]);
  });
});
