/**
 * What a receiver heard: the last few seconds in a ring buffer (for tone detection) and,
 * when recording, everything in arrival order (for the WAV written at close).
 */

const MAX_RECORDING_SAMPLES = 8000 * 60 * 30; // 30 min at 8 kHz: bound memory on runaway calls

export class AudioHistory {
  private readonly ring: Int16Array;
  private written = 0;
  private readonly chunks: Int16Array[] = [];
  private recordedSamples = 0;
  /** Sample counts (of `written`) where the audio does not continue the samples before it. */
  private breaks: number[] = [];

  constructor(
    capacitySamples: number,
    private readonly record: boolean,
  ) {
    this.ring = new Int16Array(capacitySamples);
  }

  push(samples: Int16Array): void {
    const cap = this.ring.length;
    const tail = samples.length > cap ? samples.subarray(samples.length - cap) : samples;
    const at = (this.written + samples.length - tail.length) % cap;
    const first = Math.min(tail.length, cap - at);
    this.ring.set(tail.subarray(0, first), at);
    if (first < tail.length) this.ring.set(tail.subarray(first), 0);
    this.written += samples.length;
    if (this.record && this.recordedSamples + samples.length <= MAX_RECORDING_SAMPLES) {
      this.chunks.push(samples);
      this.recordedSamples += samples.length;
    }
  }

  /**
   * Decodes `bytes[start, end)` through a byte-to-sample table (G.711) straight into the ring:
   * no buffer per packet on the receive path. A copy is kept only when recording.
   */
  pushEncoded(bytes: Uint8Array, start: number, end: number, table: Int16Array): void {
    const cap = this.ring.length;
    const count = end - start;
    if (this.record) {
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = table[bytes[start + i] as number] as number;
      this.push(samples);
      return;
    }
    const skip = Math.max(0, count - cap);
    let at = (this.written + skip) % cap;
    for (let i = skip; i < count; i++) {
      this.ring[at] = table[bytes[start + i] as number] as number;
      at = at + 1 === cap ? 0 : at + 1;
    }
    this.written += count;
  }

  /** The most recent samples, oldest first (at most the ring's capacity). */
  recent(): Int16Array {
    return this.slice(Math.max(0, this.written - this.ring.length), this.written);
  }

  /**
   * The next samples do not continue the ones before: the sender skipped audio (a stalled
   * loop, DTMF) or the source changed. Played back to back they would jump in phase.
   */
  markBreak(): void {
    if (this.written === 0 || this.breaks.at(-1) === this.written) return;
    this.breaks.push(this.written);
    const oldest = this.written - this.ring.length;
    while (this.breaks.length > 0 && this.breaks[0]! <= oldest) this.breaks.shift();
  }

  /**
   * The newest stretch without a break that holds at least `minSamples`, cut to its last
   * `maxSamples`: what a tone detector should read. Everything recent when no stretch is long enough.
   */
  newestContinuous(minSamples: number, maxSamples: number): Int16Array {
    const oldest = Math.max(0, this.written - this.ring.length);
    let end = this.written;
    for (const start of [...this.breaks].reverse().concat(oldest)) {
      const from = Math.max(start, oldest);
      if (end - from >= minSamples) return this.slice(Math.max(from, end - maxSamples), end);
      end = from;
    }
    return this.recent();
  }

  private slice(from: number, to: number): Int16Array {
    const cap = this.ring.length;
    const out = new Int16Array(to - from);
    for (let i = 0; i < out.length; i++) out[i] = this.ring[(from + i) % cap] as number;
    return out;
  }

  recording(): Int16Array {
    const out = new Int16Array(this.recordedSamples);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
