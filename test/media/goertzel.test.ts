import { describe, expect, it } from 'vitest';
import { decodeG711, encodeG711 } from '../../src/media/g711.js';
import { detectTone, goertzelPower } from '../../src/media/goertzel.js';
import { FRAME_SAMPLES, ToneGenerator } from '../../src/media/tone.js';

function tone(hz: number, frames: number): Int16Array {
  const gen = new ToneGenerator({ frequencyHz: hz });
  const out = new Int16Array(frames * FRAME_SAMPLES);
  for (let f = 0; f < frames; f++) out.set(gen.nextFrame(), f * FRAME_SAMPLES);
  return out;
}

/** Deterministic white noise (xorshift32). */
function noise(n: number, amplitude: number): Int16Array {
  let x = 2463534242;
  return Int16Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return Math.round((((x >>> 0) / 2 ** 32) * 2 - 1) * amplitude);
  });
}

describe('tone generator', () => {
  it('makes 20 ms frames of 160 samples with no phase jump between frames', () => {
    const gen = new ToneGenerator({ frequencyHz: 1000, amplitude: 10000 });
    const a = gen.nextFrame();
    const b = gen.nextFrame();
    expect(a.length).toBe(160);
    // Sample k of the second frame is sample 160 + k of one continuous sine.
    for (let k = 0; k < 160; k++) expect(b[k]).toBe(Math.round(10000 * Math.sin((2 * Math.PI * 1000 * (160 + k)) / 8000)) || 0);
  });
});

describe('detectTone', () => {
  it.each([440, 1000, 2000])('hears a %i Hz tone (after a G.711 round trip)', (hz) => {
    const heard = decodeG711('PCMU', encodeG711('PCMU', tone(hz, 50)));
    const detected = detectTone(heard);
    expect(detected).toBeDefined();
    expect(Math.abs((detected as number) - hz)).toBeLessThanOrEqual(2);
  });

  it('snaps to the candidate list when given one', () => {
    expect(detectTone(tone(1000, 20), [440, 1000, 2000])).toBe(1000);
    expect(detectTone(tone(700, 20), [440, 1000, 2000])).toBeUndefined();
  });

  it('rejects silence', () => {
    expect(detectTone(new Int16Array(8000))).toBeUndefined();
  });

  it('rejects white noise', () => {
    expect(detectTone(noise(16000, 10000))).toBeUndefined();
  });

  it('rejects two tones of equal strength', () => {
    const a = tone(440, 20);
    const b = tone(1500, 20);
    expect(detectTone(a.map((v, i) => (v + (b[i] as number)) / 2))).toBeUndefined();
  });

  it('goertzelPower peaks at the tone frequency', () => {
    const t = tone(1000, 10);
    expect(goertzelPower(t, 1000)).toBeGreaterThan(100 * goertzelPower(t, 1100));
  });
});
