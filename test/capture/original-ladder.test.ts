import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLadder } from '../../src/capture/ladder-model.js';
import { originalLadder } from '../../src/capture/original-ladder.js';
import { readSipCaptureFile } from '../../src/capture/pcap-reader.js';

/*
 * The marks of the report's side-by-side ladders: the lab capture's answer-bye-caller call as
 * the original, the same call with one message taken out as the run: that message, and only
 * it, is marked in the original; a message the run has in addition is marked in the run's.
 */
const FIXTURE = join(import.meta.dirname, '../scenario/fixtures/lab-udp-signaling.pcapng');

describe('originalLadder', async () => {
  const all = (await readSipCaptureFile(FIXTURE)).messages.filter((m) => m.caseId === 'answer-bye-caller');
  const callIds = [...new Set(all.map((m) => m.callId!))];
  const original = { source: { capture: FIXTURE, calls: callIds }, messages: all };

  it('marks nothing when the run is the capture', () => {
    const compared = originalLadder(original, buildLadder(all, { callIds }));
    expect(compared.ladder!.arrows.length).toBeGreaterThan(10);
    expect([...compared.unmatched.run, ...compared.unmatched.original]).toEqual([]);
  });

  it("marks the original's 180 the run lacks, and the run's extra BYE", () => {
    const ringing = all.findIndex((m) => m.status === 180);
    const bye = all.find((m) => m.method === 'BYE')!;
    const run = buildLadder([...all.slice(0, ringing), ...all.slice(ringing + 1), { ...bye, at: bye.at + 5000, raw: bye.raw.replace(/^CSeq: (\d+)/m, 'CSeq: 9$1') }], { callIds });
    const compared = originalLadder(original, run);
    expect([...compared.unmatched.original].map((i) => compared.ladder!.arrows[i]!.caption)).toEqual(['180 Ringing']);
    expect([...compared.unmatched.run].map((i) => run.arrows[i]!.caption)).toEqual(['BYE']);
  });
});
