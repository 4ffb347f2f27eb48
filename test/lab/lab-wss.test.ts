import { describe, expect, it } from 'vitest';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import { failures, readJsonl, runLabJson } from '../support/lab-run.js';

describe('sipbots lab over WSS', () => {
  it('passes every case, each message carried by WSS', async () => {
    const { code, summary, dir } = await runLabJson(['--transport', 'wss']);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    expect(summary.cases.map((c) => c.id)).toEqual(LAB_CASE_IDS);
    const sip = readJsonl(dir).filter((e) => e.type === 'sip');
    expect(new Set(sip.map((e) => e.transport))).toEqual(new Set(['wss']));
    expect(sip.find((e) => e.direction === 'out' && String(e.startLine).startsWith('INVITE'))!.raw).toMatch(/^Via: SIP\/2\.0\/WSS /m);
  });
});
