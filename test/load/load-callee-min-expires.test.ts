import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { runCli, startProxyCommand } from '../support/run-cli.js';
import { readSummary, registersOnTheWire, type WireRegister } from './support/capture-folder.js';

/**
 * `sipbots proxy --min-expires 3`, a registrar whose minimum is longer than the load asks for (Kamailio's min_expires with
 * min_expires_mode 1): the callees' REGISTER with Expires 1 gets 423 Interval Too Brief with
 * Min-Expires 3. RFC 3261 §10.2.8: each callee sends it again asking for 3, is registered, is
 * called, and refreshes at about half of the 3 s granted (never at half of the 1 s it asked for).
 */
const PASSWORD = 'load-secret';
const ASKED_S = 1;
const MIN_S = 3;
const accounts = expandAccountPattern('u{0001..0004}@lab.test', PASSWORD);
const work = mkdtempSync(join(tmpdir(), 'sipbots-load-423-'));
let proxy: ReturnType<typeof startProxyCommand>;
let address: string;

beforeAll(async () => {
  const users = join(work, 'users.txt');
  writeFileSync(users, accounts.map((a) => `${a.user}=${a.password}\n`).join(''));
  proxy = startProxyCommand(['--users', users, '--min-expires', String(MIN_S)]);
  address = await proxy.listening;
});
afterAll(async () => {
  expect(await proxy.stop()).toBe(130);
});

describe('sipbots load: a registrar that finds the callees’ Expires too brief (423)', () => {
  it('each callee asks again with the Min-Expires, is registered, receives its calls and refreshes at the granted 3 s', async () => {
    const dir = join(work, 'run');
    const { code, stderr } = await runCli(['load', '--proxy', address, '--accounts', 'u{0001..0004}@lab.test', '--register-expires', String(ASKED_S), '--rate', '10', '--calls', '40', '--hold', '0.2', '--capture', dir], {
      env: { PATH: process.env.PATH, SIPBOTS_PASSWORD: PASSWORD },
    });
    expect(stderr).toBe(`capture: ${dir}\n`);
    const summary = readSummary<LoadResult>(dir);
    // Every call reached a callee: registered with the longer interval, answered by our UAS.
    expect(summary.counters.failures).toEqual({});
    expect(summary.counters).toMatchObject({ attempted: 40, succeeded: 40, failed: 0, answered: 40, calleeIntervalTooBrief: accounts.length, calleeRefreshFailures: {} });
    expect(code).toBe(0);

    const wire = registersOnTheWire(dir);
    const byCallee = new Map<string, WireRegister[]>();
    for (const m of wire) byCallee.set(m.callId, [...(byCallee.get(m.callId) ?? []), m]);
    expect(byCallee.size).toBe(accounts.length);
    const gaps: number[] = [];
    for (const [callId, messages] of byCallee) {
      const requests = messages.filter((m) => m.method === 'REGISTER');
      const answerTo = (r: WireRegister): WireRegister | undefined => messages.find((m) => m.status !== '' && m.cseq === r.cseq && m.status !== '401');
      // The credentialed REGISTER asking for 1 s gets the 423, with Min-Expires (one 423 per callee, no more).
      const tooBrief = messages.filter((m) => m.status === '423');
      expect(tooBrief, callId).toHaveLength(1);
      expect(tooBrief[0]!.minExpires).toBe(String(MIN_S));
      const refusedAt = requests.findIndex((r) => answerTo(r)?.status === '423');
      expect(requests[refusedAt]!.expires, callId).toBe(String(ASKED_S));
      // The next REGISTER (same Call-ID, a higher CSeq, RFC 3261 §10.2.4) asks for the Min-Expires and is granted it.
      const again = requests[refusedAt + 1]!;
      expect(again.cseq).toBeGreaterThan(requests[refusedAt]!.cseq);
      expect(again.expires).toBe(String(MIN_S));
      const granted = requests.slice(refusedAt + 1).find((r) => answerTo(r)?.status === '200')!;
      expect(granted.expires).toBe(String(MIN_S));
      expect(answerTo(granted)!.contact).toMatch(new RegExp(`expires=${MIN_S}\\b`));
      // Every later REGISTER asks for 3 (refreshes) or 0 (the end): never 1 again.
      const later = requests.filter((r) => r.cseq > requests[refusedAt]!.cseq);
      expect(new Set(later.map((r) => r.expires)), callId).toEqual(new Set([String(MIN_S), '0']));
      // Refresh rounds start after each 200: their gaps follow the 3 s granted (45-55 % by design), not the 1 s asked.
      const starts = requests.filter((r, i) => r.expires === String(MIN_S) && i > 0 && answerTo(requests[i - 1]!)?.status !== undefined && answerTo(requests[i - 1]!)?.status !== '401');
      for (let i = 1; i < starts.length; i++) gaps.push(starts[i]!.at - starts[i - 1]!.at);
    }
    expect(gaps.length).toBeGreaterThanOrEqual(accounts.length);
    for (const gap of gaps) expect(gap).toBeGreaterThan(0.4 * MIN_S * 1000);
    for (const gap of gaps) expect(gap).toBeLessThan(0.85 * MIN_S * 1000);
  }, 30_000);
});
