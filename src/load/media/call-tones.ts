/**
 * The tones of one call, from its Call-ID (which every proxy keeps, RFC 3261 §8.1.1.4): the
 * caller sends one of 16 tones in 400-1150 Hz, the callee one of 16 in 1300-2050 Hz, 50 Hz
 * apart. Both sides work them out alone, and a side that hears another call's tone (crossed
 * media) is told apart from one that hears nothing. Every tone is a multiple of 50 Hz, so a
 * 20 ms frame holds whole cycles of it (see MediaLeg's detection).
 */
const CALLER_BASE_HZ = 400;
const CALLEE_BASE_HZ = 1300;
const STEP_HZ = 50;
const TONES_PER_SIDE = 16;

export function tonesOf(callId: string): { caller: number; callee: number } {
  // FNV-1a: cheap, and spreads Call-IDs that differ in their last character only.
  let hash = 0x811c9dc5;
  for (let i = 0; i < callId.length; i++) hash = Math.imul(hash ^ callId.charCodeAt(i), 0x01000193) >>> 0;
  return { caller: CALLER_BASE_HZ + STEP_HZ * (hash % TONES_PER_SIDE), callee: CALLEE_BASE_HZ + STEP_HZ * ((hash >>> 4) % TONES_PER_SIDE) };
}

/** Every tone any load call sends. */
export const LOAD_TONES: readonly number[] = Array.from({ length: TONES_PER_SIDE }, (_, k) => [CALLER_BASE_HZ + STEP_HZ * k, CALLEE_BASE_HZ + STEP_HZ * k]).flat();
