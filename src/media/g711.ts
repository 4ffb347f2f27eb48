/**
 * ITU-T G.711 companding: 16-bit linear PCM <-> 8-bit µ-law (PCMU, RTP payload type 0) and
 * A-law (PCMA, payload type 8), RFC 3551 §4.5.14. The segment arithmetic follows the classic
 * Sun Microsystems reference implementation (g711.c), which matches the G.711 tables. Decoding
 * uses 256-entry tables built once; encoding is computed per sample (it is cheap).
 */

export type G711Codec = 'PCMU' | 'PCMA';

/** Static RTP payload types of RFC 3551 §6 for the two G.711 laws. */
export const G711_PAYLOAD_TYPE: Readonly<Record<G711Codec, number>> = { PCMU: 0, PCMA: 8 };

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;
const SEG_END = [0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff] as const;

function segmentOf(value: number): number {
  for (let seg = 0; seg < SEG_END.length; seg++) {
    if (value <= (SEG_END[seg] as number)) return seg;
  }
  return SEG_END.length;
}

/** Linear 16-bit sample to µ-law byte. */
export function linearToUlaw(sample: number): number {
  let pcm = clamp16(sample);
  let mask: number;
  if (pcm < 0) {
    pcm = ULAW_BIAS - pcm;
    mask = 0x7f;
  } else {
    pcm = ULAW_BIAS + pcm;
    mask = 0xff;
  }
  if (pcm > ULAW_CLIP + ULAW_BIAS) pcm = ULAW_CLIP + ULAW_BIAS;
  const seg = segmentOf(pcm);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 3)) & 0x0f)) ^ mask;
}

/** µ-law byte to linear 16-bit sample. */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  let t = ((u & 0x0f) << 3) + ULAW_BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS;
}

/** Linear 16-bit sample to A-law byte (even bits inverted, G.711 §A). */
export function linearToAlaw(sample: number): number {
  let pcm = clamp16(sample);
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = Math.max(0, -pcm - 8); // -1 … -8 fall in the first negative step
  }
  const seg = segmentOf(pcm);
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << 4;
  aval |= seg < 2 ? (pcm >> 4) & 0x0f : (pcm >> (seg + 3)) & 0x0f;
  return aval ^ mask;
}

/** A-law byte to linear 16-bit sample. */
export function alawToLinear(byte: number): number {
  const a = (byte ^ 0x55) & 0xff;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function clamp16(sample: number): number {
  const s = Math.round(sample);
  return s > 32767 ? 32767 : s < -32768 ? -32768 : s;
}

const ULAW_DECODE = Int16Array.from({ length: 256 }, (_, i) => ulawToLinear(i));
const ALAW_DECODE = Int16Array.from({ length: 256 }, (_, i) => alawToLinear(i));

/** Encodes a frame of linear PCM to G.711 bytes (one byte per sample). */
export function encodeG711(codec: G711Codec, samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  const encode = codec === 'PCMU' ? linearToUlaw : linearToAlaw;
  for (let i = 0; i < samples.length; i++) out[i] = encode(samples[i] as number);
  return out;
}

/** The 256-entry byte-to-sample table of a law, for decoding straight into a buffer. */
export function g711DecodeTable(codec: G711Codec): Int16Array {
  return codec === 'PCMU' ? ULAW_DECODE : ALAW_DECODE;
}

/** Decodes G.711 bytes to linear PCM. */
export function decodeG711(codec: G711Codec, bytes: Uint8Array): Int16Array {
  const table = codec === 'PCMU' ? ULAW_DECODE : ALAW_DECODE;
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i] as number] as number;
  return out;
}

/** The G.711 law of a static payload type, or undefined for any other type. */
export function codecOfPayloadType(payloadType: number): G711Codec | undefined {
  if (payloadType === 0) return 'PCMU';
  if (payloadType === 8) return 'PCMA';
  return undefined;
}
