import { describe, expect, it } from 'vitest';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import type { TransportProtocol } from '../../src/sip/transport/types.js';
import { failures, readJsonl, runLabJson } from './lab-run.js';

/**
 * The whole lab over one transport: every case passes and every message really went over it.
 * One test file per transport calls this, so vitest runs the transports in parallel.
 */
export function labOverTransport(transport: TransportProtocol): void {
  const name = transport.toUpperCase();
  describe(`sipbots lab over ${name}`, () => {
    it(`passes every case, each message carried by ${name}`, async () => {
      const { code, summary, dir } = await runLabJson(['--transport', transport]);
      expect(failures(summary)).toBe('');
      expect(code).toBe(0);
      expect(summary.cases.map((c) => c.id)).toEqual(LAB_CASE_IDS);
      const sip = readJsonl(dir).filter((e) => e.type === 'sip');
      expect(new Set(sip.map((e) => e.transport))).toEqual(new Set([transport]));
      const invite = sip.find((e) => e.direction === 'out' && String(e.startLine).startsWith('INVITE'));
      expect(invite!.raw).toMatch(new RegExp(`^Via: SIP/2\\.0/${name} `, 'm'));
    });
  });
}
