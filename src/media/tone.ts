/**
 * A sine tone cut into RTP-sized frames: 20 ms = 160 samples at 8 kHz (RFC 3551 §4.5 default
 * packetization for G.711). The phase carries over from frame to frame so the tone has no
 * clicks at frame boundaries, which would smear Goertzel detection at the far end.
 */

export const SAMPLE_RATE = 8000;
export const FRAME_MS = 20;
export const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;

export interface ToneOptions {
  frequencyHz: number;
  /** Peak amplitude in linear 16-bit units; default 8000 (about −12 dBFS). */
  amplitude?: number;
  sampleRate?: number;
  frameSamples?: number;
}

/** Anything that yields the next frame of audio to send. */
export interface AudioSource {
  nextFrame(): Int16Array;
  /** Advances the source by `samples` without producing them (after a sender stall). */
  skip(samples: number): void;
}

export class ToneGenerator implements AudioSource {
  readonly frequencyHz: number;
  private readonly amplitude: number;
  private readonly frameSamples: number;
  private readonly step: number;
  private phase = 0;

  constructor(options: ToneOptions) {
    if (!(options.frequencyHz > 0)) throw new RangeError(`tone frequency must be > 0 Hz, got ${options.frequencyHz}`);
    const sampleRate = options.sampleRate ?? SAMPLE_RATE;
    this.frequencyHz = options.frequencyHz;
    this.amplitude = options.amplitude ?? 8000;
    this.frameSamples = options.frameSamples ?? FRAME_SAMPLES;
    this.step = (2 * Math.PI * options.frequencyHz) / sampleRate;
  }

  /**
   * One second of this tone starting at phase 0, when that second holds whole cycles (integer
   * Hz at 8 kHz): frame n is then samples (160·n mod 8000)…, so senders can pre-encode it once.
   */
  periodicSecond(): Int16Array | undefined {
    if (!Number.isInteger(this.frequencyHz) || this.frameSamples !== FRAME_SAMPLES) return undefined;
    const second = new Int16Array(SAMPLE_RATE);
    for (let i = 0; i < second.length; i++) second[i] = Math.round(this.amplitude * Math.sin(i * this.step));
    return second;
  }

  nextFrame(): Int16Array {
    const frame = new Int16Array(this.frameSamples);
    for (let i = 0; i < frame.length; i++) {
      frame[i] = Math.round(this.amplitude * Math.sin(this.phase));
      this.phase += this.step;
    }
    this.phase %= 2 * Math.PI;
    return frame;
  }

  skip(samples: number): void {
    this.phase = (this.phase + samples * this.step) % (2 * Math.PI);
  }
}
