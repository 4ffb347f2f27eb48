import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { CalleeRegistrations } from '../../src/load/engine/callee-registrations.js';
import { LoadEngine } from '../../src/load/engine/load-engine.js';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { runCli } from '../support/run-cli.js';
import { readSummary, registersOnTheWire, type WireRegister } from './support/capture-folder.js';

/**
 * A load that outlives its callees' registrations: the embedded registrar grants 3 s (its
 * --max-expires, like Kamailio's max_expires) although the load asks for 3600 s, and calls
 * arrive for 7 s. The callees must refresh at about half the granted 3 s, read from the 200.
 */
const PASSWORD = 'load-secret';
const GRANTED_S = 3;
const accounts = expandAccountPattern('u{0001..0006}@lab.test', PASSWORD);
let server: EmbeddedServer;

beforeAll(async () => {
  server = await startEmbeddedServer({ transports: ['udp'], users: new Map(accounts.map((a) => [a.user, a.password])), domain: 'lab.test', events: new EventStream(), maxExpiresS: GRANTED_S });
});
afterAll(() => server.stop());

describe('sipbots load: callee registrations outlive a short grant', () => {
  it('refreshes each callee at about half the lifetime the 200 granted: 0 failed calls over 7 s of arrivals with a 3 s grant, Expires 0 at the end', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'sipbots-load-refresh-')), 'run');
    const proxy = `127.0.0.1:${server.endpoints.get('udp')!.port}`;
    const { code, stderr } = await runCli(['load', '--proxy', proxy, '--accounts', 'u{0001..0006}@lab.test', '--rate', '10', '--calls', '70', '--hold', '0.2', '--capture', dir], { env: { PATH: process.env.PATH, SIPBOTS_PASSWORD: PASSWORD } });
    expect(stderr).toBe(`capture: ${dir}\n`);
    const summary = readSummary<LoadResult>(dir);
    expect(summary.counters.failures).toEqual({});
    expect(summary.counters).toMatchObject({ attempted: 70, succeeded: 70, failed: 0, calleeRefreshFailures: {} });
    expect(code).toBe(0);

    const wire = registersOnTheWire(dir);
    // The registrar shortened 3600 to 3 s in the Contact of each 200.
    const registering = (r: WireRegister): boolean => wire.some((m) => m.method === 'REGISTER' && m.callId === r.callId && m.cseq === r.cseq && m.expires !== '0');
    const oks = wire.filter((m) => m.status === '200' && registering(m));
    expect(oks.length).toBeGreaterThan(0);
    for (const ok of oks) expect(ok.contact).toMatch(new RegExp(`expires=${GRANTED_S}\\b`));
    const byCallee = new Map<string, WireRegister[]>();
    for (const m of wire) if (m.method === 'REGISTER') byCallee.set(m.callId, [...(byCallee.get(m.callId) ?? []), m]);
    // Six callees (half the pool is called), each one Call-ID with rising CSeqs (RFC 3261 §10.2.4).
    expect(byCallee.size).toBe(6);
    const gaps: number[] = [];
    for (const [callId, sent] of byCallee) {
      expect(sent.map((m) => m.cseq), callId).toEqual(sent.map((m) => m.cseq).sort((a, b) => a - b));
      // Each REGISTER is challenged (401) and sent again with credentials: the ones answered 200 are the credentialed ones.
      const credentialed = sent.filter((m) => wire.some((r) => r.callId === callId && r.cseq === m.cseq && r.status === '200'));
      const refreshes = credentialed.filter((m) => m.expires !== '0');
      expect(credentialed.at(-1)!.expires, `${callId} ends with Expires 0`).toBe('0');
      // 7 s of arrivals and the drain: a refresh every ~1.5 s.
      expect(refreshes.length, callId).toBeGreaterThanOrEqual(4);
      // A round starts with the REGISTER sent after the previous round's 200; the lifetime counts from that first
      // send, so the gaps between round starts are what the design fixes (a slow 401 round must not shorten them).
      const answered = (m: WireRegister): boolean => wire.some((r) => r.callId === callId && r.cseq === m.cseq && r.status === '200');
      const starts = sent.filter((m, i) => m.expires !== '0' && (i === 0 || answered(sent[i - 1]!)));
      for (let i = 1; i < starts.length; i++) gaps.push(starts[i]!.at - starts[i - 1]!.at);
    }
    // About half the grant (45-55 % by design, spread over the callees); a starved machine only makes timers late,
    // so the upper bound keeps room for that while still refreshing well before the binding would expire.
    expect(gaps.length).toBeGreaterThanOrEqual(6 * 3);
    for (const gap of gaps) expect(gap).toBeGreaterThan(0.4 * GRANTED_S * 1000);
    for (const gap of gaps) expect(gap).toBeLessThan(0.85 * GRANTED_S * 1000);
    // Spread: the callees' refreshes do not all fall in one millisecond.
    const firstRefreshes = [...byCallee.values()].map((sent) => sent.find((m) => m.cseq > 2)!.at);
    expect(new Set(firstRefreshes.map((t) => Math.round(t))).size).toBe(6);
    console.info(`[load] callee refresh every ${(gaps.reduce((a, b) => a + b, 0) / gaps.length / 1000).toFixed(2)} s with a ${GRANTED_S} s grant (${gaps.length} gaps)`);
  }, 30_000);

  it('twin without the refresh: the callees lapse after the 3 s grant and later calls fail at the proxy', async () => {
    // Refresh disabled: no refresh is ever scheduled (the first REGISTER and the Expires 0 stay).
    const noRefresh = vi.spyOn(CalleeRegistrations.prototype as unknown as { schedule: () => void }, 'schedule').mockImplementation(() => undefined);
    try {
      const snapshot = await new LoadEngine({
        scenario: 'call', transport: 'udp', proxy: server.endpoints.get('udp')!, bindAddress: '127.0.0.1', domain: 'lab.test', accounts,
        rate: 10, arrival: 'constant', durationMs: 5000, holdMs: 200, timeoutMs: 4000, registerExpires: 3600, sockets: 1,
      }).run();
      expect(snapshot.counters.calleeRefreshes).toBe(0);
      // Calls after the grant ran out find no binding.
      expect(snapshot.counters.failed).toBeGreaterThan(10);
      expect(Object.keys(snapshot.counters.failures)).toEqual(['INVITE 480']);
    } finally {
      noRefresh.mockRestore();
    }
  }, 30_000);

  it('a refresh the registrar refuses is counted by reason, and tried again', async () => {
    // The registrar forgets u0004 once the callees registered: its refreshes get a final failure.
    const users = new Map(accounts.map((a) => [a.user, a.password]));
    const forgetful = await startEmbeddedServer({ transports: ['udp'], users, domain: 'lab.test', events: new EventStream(), maxExpiresS: 2 });
    try {
      const engine = new LoadEngine({
        scenario: 'call', transport: 'udp', proxy: forgetful.endpoints.get('udp')!, bindAddress: '127.0.0.1', domain: 'lab.test', accounts,
        rate: 10, arrival: 'constant', durationMs: 3000, holdMs: 200, timeoutMs: 4000, registerExpires: 3600, sockets: 1,
      });
      setTimeout(() => users.delete('u0004'), 300);
      const { counters } = await engine.run();
      // Refreshed at ~1 s, refused (the credentials are no longer any user's), tried again 1 s later: at least two, with the reason.
      expect(Object.keys(counters.calleeRefreshFailures)).toEqual(['REGISTER 403']);
      expect(counters.calleeRefreshFailures['REGISTER 403']).toBeGreaterThanOrEqual(2);
      expect(counters.calleeRefreshes).toBeGreaterThan(0);
    } finally {
      await forgetful.stop();
    }
  }, 30_000);
});
