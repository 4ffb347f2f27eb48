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

  it('pairs hop by hop: Kamailio answering 408 before its CANCEL to bob, the embedded proxy after, marks no request or final response', async () => {
    const lab = (await readSipCaptureFile(FIXTURE)).messages.filter((m) => m.caseId === 'no-answer-proxy-408');
    const relayed = (await readSipCaptureFile(join(import.meta.dirname, '../scenario/fixtures/kamailio-relayed-lab.pcapng'))).messages.filter((m) => m.caseId === 'no-answer-proxy-408');
    const order = (messages: typeof lab) => messages.filter((m) => m.method === 'CANCEL' || m.status === 408).map((m) => m.method ?? m.status);
    expect(order(lab)).toEqual(['CANCEL', 408]);
    expect(order(relayed)).toEqual([408, 'CANCEL']);
    const calls = (messages: typeof lab) => [...new Set(messages.map((m) => m.callId!))];
    const run = buildLadder(lab, { callIds: calls(lab) });
    const compared = originalLadder({ source: { capture: 'kamailio-relayed-lab.pcapng', calls: calls(relayed) }, messages: relayed }, run);
    expect(compared.ladder!.arrows.filter((a) => a.method === 'CANCEL' || a.status === 408)).toHaveLength(2);
    // The one the embedded proxy's capture and Kamailio's differ in: a hop-by-hop 100 Trying.
    const real = (captions: string[]) => captions.filter((c) => !c.startsWith('100 '));
    expect(real([...compared.unmatched.run].map((i) => run.arrows[i]!.caption))).toEqual([]);
    expect(real([...compared.unmatched.original].map((i) => compared.ladder!.arrows[i]!.caption))).toEqual([]);
  });
});
