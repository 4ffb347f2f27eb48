import { describe, expect, it } from 'vitest';
import { alawToLinear, decodeG711, encodeG711, linearToAlaw, linearToUlaw, ulawToLinear } from '../../src/media/g711.js';

// Reference points of the G.711 tables (ITU-T G.711 Tables 1a/2a, as in the Sun g711.c reference).
describe('G.711 µ-law (PCMU)', () => {
  it('encodes reference samples', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToUlaw(-1)).toBe(0x7f);
    expect(linearToUlaw(32767)).toBe(0x80);
    expect(linearToUlaw(-32768)).toBe(0x00);
    expect(linearToUlaw(132)).toBe(0xef);
    expect(linearToUlaw(1000)).toBe(0xce);
  });

  it('decodes reference bytes', () => {
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x7f)).toBe(0);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(ulawToLinear(0x00)).toBe(-32124);
    expect(ulawToLinear(0xfe)).toBe(8);
    expect(ulawToLinear(0xef)).toBe(132);
  });

  it('every byte survives decode then encode (except −0, which becomes +0)', () => {
    for (let b = 0; b < 256; b++) expect(linearToUlaw(ulawToLinear(b))).toBe(b === 0x7f ? 0xff : b);
  });
});

describe('G.711 A-law (PCMA)', () => {
  it('encodes reference samples', () => {
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(linearToAlaw(-1)).toBe(0x55);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
    expect(linearToAlaw(1000)).toBe(0xfa);
  });

  it('decodes reference bytes', () => {
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    expect(alawToLinear(0xaa)).toBe(32256);
    expect(alawToLinear(0x2a)).toBe(-32256);
  });

  it('every byte survives decode then encode', () => {
    for (let b = 0; b < 256; b++) expect(linearToAlaw(alawToLinear(b))).toBe(b);
  });
});

describe('frame codec', () => {
  it('quantization error stays within the segment step', () => {
    const pcm = Int16Array.from({ length: 160 }, (_, i) => Math.round(12000 * Math.sin(i / 5)));
    for (const codec of ['PCMU', 'PCMA'] as const) {
      const back = decodeG711(codec, encodeG711(codec, pcm));
      pcm.forEach((v, i) => expect(Math.abs((back[i] as number) - v)).toBeLessThanOrEqual(Math.max(16, Math.abs(v) / 16)));
    }
  });
});
