/**
 * RIFF/WAVE (PCM, format tag 1) writing and reading for 8 kHz 16-bit mono audio: what a bot
 * heard is saved as a WAV any player opens, and a WAV can be played into a call instead of a
 * tone. Other sample formats are refused with a WavError saying how to convert.
 *
 *   offset  field            value
 *   0       "RIFF"           chunk size = 36 + data size
 *   8       "WAVE"
 *   12      "fmt " 16        audioFormat 1, channels 1, sampleRate, byteRate, blockAlign 2, bits 16
 *   36      "data" <size>    little-endian int16 samples
 */

import { writeFile } from 'node:fs/promises';
import { readInputFile } from '../util/input-file.js';
import { SAMPLE_RATE, type AudioSource } from './tone.js';

export class WavError extends Error {
  override name = 'WavError';
}

export function encodeWav(samples: Int16Array, sampleRate = SAMPLE_RATE): Buffer {
  const dataBytes = samples.length * 2;
  const out = Buffer.alloc(44 + dataBytes);
  out.write('RIFF', 0, 'ascii');
  out.writeUInt32LE(36 + dataBytes, 4);
  out.write('WAVE', 8, 'ascii');
  out.write('fmt ', 12, 'ascii');
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(sampleRate, 24);
  out.writeUInt32LE(sampleRate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36, 'ascii');
  out.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) out.writeInt16LE(samples[i] as number, 44 + 2 * i);
  return out;
}

/** Parses a PCM WAV; walks the chunk list so LIST/fact chunks before "data" are skipped. */
export function decodeWav(bytes: Buffer, source = 'WAV'): { sampleRate: number; samples: Int16Array } {
  if (bytes.length < 12 || bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavError(`${source} is not a RIFF/WAVE file`);
  }
  let offset = 12;
  let format: { audioFormat: number; channels: number; sampleRate: number; bits: number } | undefined;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = { audioFormat: bytes.readUInt16LE(body), channels: bytes.readUInt16LE(body + 2), sampleRate: bytes.readUInt32LE(body + 4), bits: bytes.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format) throw new WavError(`${source}: "data" chunk before "fmt " chunk`);
      if (format.audioFormat !== 1 || format.channels !== 1 || format.bits !== 16) {
        throw new WavError(`${source} is format ${format.audioFormat}, ${format.channels} channel(s), ${format.bits} bit; need PCM 16-bit mono (sox in.wav -r 8000 -c 1 -b 16 out.wav)`);
      }
      const end = Math.min(bytes.length, body + size);
      const samples = new Int16Array(Math.floor((end - body) / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(body + 2 * i);
      return { sampleRate: format.sampleRate, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new WavError(`${source} has no "data" chunk`);
}

export async function writeWavFile(path: string, samples: Int16Array, sampleRate = SAMPLE_RATE): Promise<void> {
  await writeFile(path, encodeWav(samples, sampleRate));
}

/**
 * The samples of a WAV a bot can play into a G.711 call: PCM 16-bit mono at 8 kHz, at least one
 * sample. Anything else is a WavError naming `source` and how to convert it.
 */
export function decodePlayableWav(bytes: Buffer, source: string): Int16Array {
  const { sampleRate, samples } = decodeWav(bytes, source);
  if (sampleRate !== SAMPLE_RATE) throw new WavError(`${source} is ${sampleRate} Hz; need 8000 Hz (sox ${source} -r 8000 -c 1 -b 16 out.wav)`);
  if (samples.length === 0) throw new WavError(`${source} holds no samples`);
  return samples;
}

/** Loads an 8 kHz 16-bit mono WAV to play into a call. */
export async function readWavFile(path: string): Promise<Int16Array> {
  return decodePlayableWav(await readInputFile(path, 'wav'), path);
}

/** Plays samples in a loop, frame by frame. */
export class WavSource implements AudioSource {
  private position = 0;

  constructor(
    private readonly samples: Int16Array,
    private readonly frameSamples = 160,
  ) {
    if (samples.length === 0) throw new WavError('cannot play an empty WAV');
  }

  nextFrame(): Int16Array {
    const frame = new Int16Array(this.frameSamples);
    for (let i = 0; i < frame.length; i++) {
      frame[i] = this.samples[this.position] as number;
      this.position = (this.position + 1) % this.samples.length;
    }
    return frame;
  }

  skip(samples: number): void {
    this.position = (this.position + samples) % this.samples.length;
  }
}
