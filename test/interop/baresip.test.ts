import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MediaStatsEvent } from '../../src/events/types.js';
import { startBaresipCallee, type BaresipCallee } from './support/baresip.js';
import { startKamailio, type KamailioPeer } from './support/kamailio.js';
import { cleanupRuns, describeRun, fixture, readRunEvents, runSipbots } from './support/sipbots-cli.js';

// A real softphone as the callee: baresip registered on Kamailio (UDP), auto-answering with
// a 440 Hz tone. sipbots' alice calls it and must hear that tone over RTP.

let kamailio: KamailioPeer;
let carol: BaresipCallee | undefined;

beforeAll(async () => {
  kamailio = await startKamailio({ frInvTimerMs: 3_000 });
  carol = await startBaresipCallee({ user: 'carol', password: 'carol-secret', proxyPort: kamailio.udpPort });
});

afterAll(async () => {
  // baresip first: with Kamailio gone its unregister would wait ~32 s.
  await carol?.stop();
  await kamailio?.stop();
  await cleanupRuns();
});

describe('sipbots calls baresip through Kamailio', () => {
  it('carol (baresip) auto-answers; alice receives her RTP and hears 440 Hz', async () => {
    const run = await runSipbots(
      ['run', fixture('call-baresip.yaml'), '--bots', fixture('bots-alice-bob.yaml'), '--server', `sip:127.0.0.1:${kamailio.udpPort}`, '--json'],
      { timeoutMs: 30_000 },
    );

    expect(run.exitCode, `${describeRun(run)}\n---- baresip ----\n${carol!.output().slice(-2000)}`).toBe(0);
    expect(run.summary!.cases[0]).toMatchObject({ id: 'call-baresip', passed: true, finalStatus: 200, outcome: 'answered' });
    expect(carol!.output()).toContain('Call established: sip:alice@lab.test');

    const events = await readRunEvents(run.runDir);
    const stats = events.filter((e): e is MediaStatsEvent => e.type === 'media-stats' && e.party === 'alice');
    expect(stats.length, 'no media-stats event for alice').toBeGreaterThan(0);
    const last = stats[stats.length - 1]!;
    // 2 s of 20 ms packets is ~100; allow for call setup and teardown.
    expect(last.received.packets).toBeGreaterThan(50);
    expect(last.sent.packets).toBeGreaterThan(50);
    expect(last.received.detectedHz).toBeDefined();
    expect(Math.abs(last.received.detectedHz! - 440)).toBeLessThan(25);
  }, 45_000);
});
