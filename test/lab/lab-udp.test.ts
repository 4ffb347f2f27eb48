import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import { expectRunFolder, failures, readJsonl, runLabJson } from '../support/lab-run.js';

describe('sipbots lab on the embedded proxy over UDP', () => {
  it('passes every case, judges them from the wire and writes the whole run folder', async () => {
    const { code, summary, dir } = await runLabJson([]);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    expect(summary.cases.map((c) => c.id)).toEqual(LAB_CASE_IDS);
    expect(summary.serverKind).toBe('embedded');
    expectRunFolder(dir);

    const byId = new Map(summary.cases.map((c) => [c.id, c]));
    // Every call starts with the proxy challenge, as on iptel.org, but stateless and without
    // iptel's 100 Trying before it (issue 14: a 100 would stop the caller's retransmissions).
    expect(byId.get('reject')!.legs.caller!.slice(0, 3)).toEqual(['INVITE>', '<407', 'ACK>']);
    expect(byId.get('reject')!.legs.callee).toEqual(['<INVITE', '100>', '180>', '486>', '<ACK']);
    // The report must say whose timer ended each no-answer variant.
    expect(byId.get('no-answer')!.endedBy).toBe('caller');
    expect(byId.get('no-answer-callee-408')!.endedBy).toBe('callee');
    expect(byId.get('no-answer-proxy-408')!.endedBy).toBe('proxy');
    expect(byId.get('no-answer-proxy-408')!.legs.callee).toContain('<CANCEL');
    expect(byId.get('answer-bye-callee')!.legs.callee).toContain('BYE>');
    expect(byId.get('busy-self')!.finalStatus).toBe(486);

    // Talk: each side of an answered call heard the other's tone (alice 440 Hz, bob 1000 Hz).
    const events = readJsonl(dir);
    const heard = events.filter((e) => e.type === 'media-stats' && e.caseId === 'answer-bye-caller') as Array<{ party: string; received: { detectedHz?: number; packets: number } }>;
    expect(Object.fromEntries(heard.map((e) => [e.party, e.received.detectedHz]))).toEqual({ alice: 1000, bob: 440 });

    // Registration went through the 401 challenge and ended with an unregister.
    // A copy Timer E sent again (same CSeq, same start line: the answer was slow on a busy machine) counts once.
    const seen = new Set<string>();
    const aliceRegisters = events
      .filter((e) => e.type === 'sip' && e.party === 'alice' && typeof e.startLine === 'string' && /REGISTER|^SIP\/2\.0 (401|200)/.test(e.startLine) && String(e.cseq).endsWith('REGISTER'))
      .filter((e) => {
        const key = `${e.direction} ${e.cseq} ${e.startLine}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .map((e) => e.startLine);
    expect(aliceRegisters.slice(0, 4)).toEqual(['REGISTER sip:lab.test SIP/2.0', 'SIP/2.0 401 Unauthorized', 'REGISTER sip:lab.test SIP/2.0', 'SIP/2.0 200 OK']);
    expect(events.some((e) => e.type === 'sip' && e.party === 'alice' && e.direction === 'out' && /Expires: 0|expires=0/.test(String(e.raw)))).toBe(true);

    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(LAB_CASE_IDS.length);
  }, 120_000);
});
