/**
 * Dominant-tone detection with the Goertzel algorithm (a single DFT bin evaluated as a
 * second-order IIR filter, generalized to non-integer bins). A tone is reported only when one
 * frequency holds most of the energy of the block, so silence, speech-like mixtures and white
 * noise all give `undefined`.
 *
 * Search strategy: a coarse scan over the telephone band on a short block (50 ms: wide bins,
 * so a 10 Hz grid cannot fall between peaks), then a 1 Hz refinement around the best coarse
 * probe on a longer block (200 ms: sharp bins, accurate frequency and energy fraction).
 */

import { SAMPLE_RATE } from './tone.js';

export interface DetectToneOptions {
  sampleRate?: number;
  /** Lowest and highest frequency scanned when no candidates are given; default 200–3400 Hz. */
  minHz?: number;
  maxHz?: number;
  /** Share of the block's energy the tone must hold, 0–1; default 0.7. */
  minDominance?: number;
  /** Below this RMS (linear 16-bit units) the block is silence; default 100 (about −50 dBFS). */
  minRms?: number;
}

const COARSE_BLOCK = 400;
const FINE_BLOCK = 1600;
const COARSE_STEP_HZ = 10;

/** Squared magnitude of the DFT of `samples[from..to)` at `frequencyHz`. */
export function goertzelPower(samples: ArrayLike<number>, frequencyHz: number, sampleRate = SAMPLE_RATE, from = 0, to = samples.length): number {
  const coeff = 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s = (samples[i] as number) + coeff * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return s1 * s1 + s2 * s2 - coeff * s1 * s2;
}

/**
 * Share of the energy of `samples[from..to)` that sits at `frequencyHz`: 1 for a pure sine on
 * the probe frequency, about 2/N for white noise. (|X|² of a sine of amplitude A is (A·N/2)²
 * and its energy A²·N/2, hence the 2/N factor.)
 */
function dominance(power: number, energy: number, n: number): number {
  return energy > 0 ? (2 * power) / (n * energy) : 0;
}

function energyOf(samples: ArrayLike<number>, from: number, to: number): number {
  let e = 0;
  for (let i = from; i < to; i++) {
    const v = samples[i] as number;
    e += v * v;
  }
  return e;
}

/**
 * The dominant frequency (Hz, rounded) of the most recent 200 ms of `samples`, or undefined for
 * silence, noise or a mixture. With `candidates`, only those frequencies are considered and the
 * matching candidate is returned.
 */
export function detectTone(samples: ArrayLike<number>, candidates?: readonly number[], options: DetectToneOptions = {}): number | undefined {
  const sampleRate = options.sampleRate ?? SAMPLE_RATE;
  const minDominance = options.minDominance ?? 0.7;
  const minRms = options.minRms ?? 100;
  const end = samples.length;
  const fineFrom = Math.max(0, end - FINE_BLOCK);
  const n = end - fineFrom;
  if (n < COARSE_BLOCK / 2) return undefined;
  const energy = energyOf(samples, fineFrom, end);
  if (Math.sqrt(energy / n) < minRms) return undefined;

  let bestHz: number | undefined;
  let bestPower = -1;
  const probe = (hz: number, from: number): number => goertzelPower(samples, hz, sampleRate, from, end);

  if (candidates && candidates.length > 0) {
    for (const hz of candidates) {
      const p = probe(hz, fineFrom);
      if (p > bestPower) [bestPower, bestHz] = [p, hz];
    }
  } else {
    const minHz = options.minHz ?? 200;
    const maxHz = Math.min(options.maxHz ?? 3400, sampleRate / 2);
    const coarseFrom = Math.max(0, end - COARSE_BLOCK);
    let coarseHz = minHz;
    let coarsePower = -1;
    for (let hz = minHz; hz <= maxHz; hz += COARSE_STEP_HZ) {
      const p = probe(hz, coarseFrom);
      if (p > coarsePower) [coarsePower, coarseHz] = [p, hz];
    }
    for (let hz = coarseHz - COARSE_STEP_HZ; hz <= coarseHz + COARSE_STEP_HZ; hz += 1) {
      const p = probe(hz, fineFrom);
      if (p > bestPower) [bestPower, bestHz] = [p, hz];
    }
  }
  if (bestHz === undefined || dominance(bestPower, energy, n) < minDominance) return undefined;
  return bestHz;
}
