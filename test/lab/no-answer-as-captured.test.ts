import { describe, expect, it } from 'vitest';
import type { SipMessageEvent } from '../../src/events/types.js';
import { failures, readJsonl, runLabJson } from '../support/lab-run.js';
import { runCli } from '../support/run-cli.js';

/**
 * One party's messages of one case, in order, as `sends INVITE` / `gets 200/CANCEL`, without
 * 100 Trying and without repeats (a retransmission, or the ACK re-sent for it on a slow machine).
 */
function ladder(sip: SipMessageEvent[], party: string): string[] {
  const seen = new Set<string>();
  return sip
    .filter((e) => e.party === party && !/ 100 Trying/.test(e.startLine ?? ''))
    .filter((e) => !seen.has(`${e.direction}|${e.raw}`) && Boolean(seen.add(`${e.direction}|${e.raw}`)))
    .map((e) => {
      const what = e.method ?? `${e.status}`;
      const of = e.cseq?.split(' ')[1];
      return `${e.direction === 'out' ? 'sends' : 'gets'} ${what}${e.method ? '' : `/${of}`}`;
    });
}

/*
 * The no-answer flow of the seed lab's capture (shared/lab-reference.md): alice's timer sends
 * CANCEL, the server answers it 200 and then 408 (not 487); bob answers the CANCEL 200 and his
 * INVITE 487. The embedded proxy reproduces the server with cancelledInviteStatus: 408.
 */
describe('lab case no-answer-as-captured on the embedded proxy', () => {
  it('passes, and each leg on the wire is the seed capture\'s', async () => {
    const { code, summary, dir } = await runLabJson(['--only', 'no-answer-as-captured', '--media', 'none']);
    expect(failures(summary)).toBe('');
    expect(code).toBe(0);
    const result = summary.cases[0]!;
    expect(result.id).toBe('no-answer-as-captured');
    expect(result.finalStatus).toBe(408);
    expect(result.endedBy).toBe('caller');

    const sip = (readJsonl(dir).filter((e) => e.type === 'sip' && e.caseId === 'no-answer-as-captured') as unknown as SipMessageEvent[]);
    // alice: the 407 dance, 180, then her CANCEL is answered 200 and her INVITE 408, which she ACKs.
    expect(ladder(sip, 'alice')).toEqual([
      'sends INVITE', 'gets 407/INVITE', 'sends ACK', 'sends INVITE', 'gets 180/INVITE',
      'sends CANCEL', 'gets 200/CANCEL', 'gets 408/INVITE', 'sends ACK',
    ]);
    // bob: only the second INVITE; the proxy's CANCEL, his 200 for it and 487 for the INVITE, the proxy's ACK.
    expect(ladder(sip, 'bob')).toEqual(['gets INVITE', 'sends 180/INVITE', 'gets CANCEL', 'sends 200/CANCEL', 'sends 487/INVITE', 'gets ACK']);
    // The 408 is the proxy's own answer (its own To tag), sent after bob's 487 reached it; no 487 reached alice.
    const proxy408 = sip.find((e) => e.party === 'proxy' && e.direction === 'out' && e.status === 408)!;
    const bob487 = sip.find((e) => e.party === 'proxy' && e.direction === 'in' && e.status === 487)!;
    expect(proxy408.at).toBeGreaterThanOrEqual(bob487.at);
    expect(sip.some((e) => e.party === 'alice' && e.status === 487)).toBe(false);
  }, 60_000);

  it('is refused, before any traffic, when named with --server: only the embedded proxy answers a cancelled INVITE 408', async () => {
    // Port 9 on loopback: nothing listens there, and nothing should be sent to it either.
    const result = await runCli(['lab', '--server', 'sip:127.0.0.1:9', '--only', 'no-answer-as-captured', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/no-answer-as-captured cannot run against --server: .*408.*hint: run it without --server/);
  });
});
