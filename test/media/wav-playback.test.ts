import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';
import { loadBotsFile } from '../../src/config/load-bots.js';
import { encodeWav } from '../../src/media/wav.js';
import { runScenario } from '../../src/scenario/run-scenario.js';
import { scenarioFrom, startMediaLab, type MediaLab } from '../scenario/support/media-bots.js';

function sine(hz: number, seconds: number, sampleRate = 8000): Int16Array {
  const samples = new Int16Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(9000 * Math.sin((2 * Math.PI * hz * i) / sampleRate));
  return samples;
}

/** A bots file like bots/lab.yaml in its own folder, alice playing `play` (written relative to it). */
function botsFileWith(dir: string, play: string): string {
  const file = join(dir, 'bots.yaml');
  writeFileSync(
    file,
    [
      'defaults: { domain: lab.test, transport: udp }',
      'bots:',
      '  alice: { user: alice, password: alice-secret, tone: 440, play: ' + play + ' }',
      '  bob: { user: bob, password: bob-secret, tone: 1000 }',
      '',
    ].join('\n'),
  );
  return file;
}

describe('bots file play: a WAV instead of the tone', () => {
  let lab: MediaLab | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it('alice (tone 440 Hz) plays a 2000 Hz WAV named relative to her bots file; bob detects 2000 Hz', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-play-'));
    writeFileSync(join(dir, 'sine-2000.wav'), encodeWav(sine(2000, 0.73)));
    const loaded = await loadBotsFile(botsFileWith(dir, 'sine-2000.wav'), {});
    expect(loaded.bots.get('alice')!.play).toBe(join(dir, 'sine-2000.wav'));

    lab = await startMediaLab(['alice', 'bob'], (config) => loaded.bots.get(config.name)!);
    const scenario = await scenarioFrom('play-wav', [
      'id: play-wav',
      'title: Alice plays a WAV',
      'roles: { caller: alice, callee: bob }',
      'behaviour:',
      '  callee: { onInvite: answer, ringFor: 0.2s }',
      'steps:',
      '  - call: { from: caller, to: callee, hangupAfter: 1.5s }',
      'expect:',
      '  media:',
      '    callee: { hears: 2000, minPackets: 50 }',
      '    caller: { hears: callee }',
    ]);
    const result = await runScenario(scenario, { bots: lab.bots, events: lab.events, settleMs: 300 });
    expect(result.difference).toBeUndefined();
    expect(Math.abs(result.media!.callee!.detectedHz! - 2000)).toBeLessThanOrEqual(25);
  });

  it('refuses a stereo, a 16 kHz and a missing WAV at load, naming the bots file line and the WAV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipbots-play-bad-'));
    const stereo = Buffer.from(encodeWav(sine(1000, 0.1)));
    stereo.writeUInt16LE(2, 22); // channels
    writeFileSync(join(dir, 'stereo.wav'), stereo);
    writeFileSync(join(dir, 'wide.wav'), encodeWav(sine(1000, 0.1, 16000), 16000));
    for (const [name, expected] of [
      ['stereo.wav', /is format 1, 2 channel\(s\), 16 bit; need PCM 16-bit mono/],
      ['wide.wav', /is 16000 Hz; need 8000 Hz/],
      ['absent.wav', /cannot read .*absent\.wav: file not found/],
    ] as const) {
      const file = botsFileWith(dir, name);
      const error = await loadBotsFile(file, {}).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain(`${file}:3: bots.alice.play: `);
      expect(message).toContain(join(dir, name));
      expect(message).toMatch(expected);
    }
  });
});
