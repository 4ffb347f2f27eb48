import type { MediaExpectation } from '../config/scenario-types.js';
import type { MediaStatsEvent } from '../events/types.js';

/** Tone detection scans in 10 Hz steps; allow that plus a little codec and window smear. */
const TONE_TOLERANCE_HZ = 25;

/**
 * Checks what one party heard during one call against the scenario's expectation and returns
 * the first shortfall in plain words, or undefined. `expectedHz` is the resolved `hears`.
 */
export function judgeMedia(role: string, expectation: MediaExpectation, expectedHz: number | undefined, stats: MediaStatsEvent | undefined): string | undefined {
  if (!stats) return `expected media on the ${role} leg, but no RTP session was set up`;
  const heard = stats.received;
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
