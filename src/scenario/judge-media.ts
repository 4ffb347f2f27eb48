import type { MediaExpectation } from '../config/scenario-types.js';
import type { MediaStatsEvent } from '../events/types.js';

/** Tone detection scans in 10 Hz steps; allow that plus a little codec and window smear. */
const TONE_TOLERANCE_HZ = 25;

/** Early media must last this long before the answer to count as heard (a stray packet or two ahead of the 200 does not). */
export const MIN_EARLY_MEDIA_PACKETS = 10;

/**
 * Checks what one party heard during one call against the scenario's expectation and returns
 * the first shortfall in plain words, or undefined. `expectedHz` is the resolved `hears`,
 * `beforeAnswerHz` the resolved `hearsBeforeAnswer`.
 */
export function judgeMedia(
  role: string,
  expectation: MediaExpectation,
  expectedHz: number | undefined,
  stats: MediaStatsEvent | undefined,
  beforeAnswerHz?: number,
): string | undefined {
  if (!stats) return `expected media on the ${role} leg, but no RTP session was set up`;
  const heard = stats.received;
  if (beforeAnswerHz !== undefined) {
    const early = heard.beforeAnswer;
    if (early === undefined) return `expected the ${role} to hear ${beforeAnswerHz} Hz before the answer, but the call was never answered (no 200)`;
    if (early.packets < MIN_EARLY_MEDIA_PACKETS) {
      return `expected the ${role} to hear ${beforeAnswerHz} Hz before the answer, heard nothing before the 200 (${early.packets} RTP packets; no early media)`;
    }
    if (early.detectedHz === undefined) return `expected the ${role} to hear ${beforeAnswerHz} Hz before the answer, heard no tone before the 200 (${early.packets} RTP packets)`;
    if (Math.abs(early.detectedHz - beforeAnswerHz) > TONE_TOLERANCE_HZ) return `expected the ${role} to hear ${beforeAnswerHz} Hz before the answer, heard ${early.detectedHz} Hz before the 200`;
  }
  if (expectedHz !== undefined) {
    if (heard.detectedHz === undefined) return `expected the ${role} to hear ${expectedHz} Hz, heard no tone (${heard.packets} RTP packets)`;
    if (Math.abs(heard.detectedHz - expectedHz) > TONE_TOLERANCE_HZ) return `expected the ${role} to hear ${expectedHz} Hz, heard ${heard.detectedHz} Hz`;
  }
  if (expectation.digits !== undefined && (heard.dtmf ?? '') !== expectation.digits) {
    return `expected the ${role} to receive DTMF "${expectation.digits}", received ${heard.dtmf ? `"${heard.dtmf}"` : 'no digits'}`;
  }
  if (expectation.minPackets !== undefined && heard.packets < expectation.minPackets) {
    return `expected the ${role} to receive at least ${expectation.minPackets} RTP packets, got ${heard.packets}`;
  }
  const expected = heard.packets + heard.lost;
  const loss = expected === 0 ? 0 : heard.lost / expected;
  if (expectation.maxLoss !== undefined && loss > expectation.maxLoss) {
    return `expected at most ${(expectation.maxLoss * 100).toFixed(1)} % RTP loss at the ${role}, measured ${(loss * 100).toFixed(1)} %`;
  }
  if (expectation.maxJitterMs !== undefined && heard.jitterMs > expectation.maxJitterMs) {
    return `expected at most ${expectation.maxJitterMs} ms jitter at the ${role}, measured ${heard.jitterMs.toFixed(1)} ms`;
  }
  return undefined;
}
