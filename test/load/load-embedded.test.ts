import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import { LoadEngine, type EngineOptions } from '../../src/load/engine/load-engine.js';
import { mergeSnapshots } from '../../src/load/results/load-stats.js';

const accounts = expandAccountPattern('u{0001..0040}@lab.test', 'load-secret');
let server: EmbeddedServer;
let base: EngineOptions;

beforeAll(async () => {
  server = await startEmbeddedServer({ transports: ['udp', 'tcp'], users: new Map(accounts.map((a) => [a.user, a.password])), domain: 'lab.test', events: new EventStream() });
  base = {
    scenario: 'call',
    transport: 'udp',
    proxy: server.endpoints.get('udp')!,
    bindAddress: '127.0.0.1',
    domain: 'lab.test',
    accounts,
    rate: 50,
    arrival: 'constant',
    calls: 200,
    holdMs: 200,
    timeoutMs: 8000,
    registerExpires: 60,
    sockets: 1,
  };
});

afterAll(() => server.stop());

describe('sipbots load against the embedded proxy', () => {
  it('200 calls at 50 CPS with 0.2 s hold: every call succeeds and the counts add up', async () => {
    const { counters, histograms } = mergeSnapshots([await new LoadEngine(base).run()]);
    expect(counters.failures).toEqual({});
    expect(counters).toMatchObject({ attempted: 200, succeeded: 200, failed: 0, active: 0, answered: 200, unparsable: 0, refused: 0 });
    expect(counters.attempted).toBe(counters.succeeded + counters.failed);
    // Every INVITE (first one challenged, second one with credentials) got a final response.
    expect(counters.invites).toBe(400);
    expect(counters.inviteFinals).toBe(counters.invites);
    expect(counters.statuses).toEqual({ 'INVITE 407': 200, 'INVITE 200': 200, 'BYE 200': 200 });
    expect(histograms.setup_200.totalCount).toBe(200);
    expect(histograms.setup_180.totalCount).toBe(200);
    expect(histograms.bye.totalCount).toBe(200);
    expect(histograms.response.totalCount).toBe(600);
  });

  it('caps concurrency: arrivals wait for a free slot and still all complete', async () => {
    const { counters, timeline } = mergeSnapshots([await new LoadEngine({ ...base, calls: 40, rate: 100, concurrency: 5 }).run()]);
    expect(counters).toMatchObject({ attempted: 40, succeeded: 40, failed: 0 });
    expect(counters.delayed).toBeGreaterThan(0);
    expect(Math.max(...timeline.map((p) => p.active))).toBeLessThanOrEqual(5);
  });

  it('register scenario: REGISTER, 401, REGISTER with credentials, 200', async () => {
    const { counters, histograms } = mergeSnapshots([await new LoadEngine({ ...base, scenario: 'register', calls: 60, rate: 100 }).run()]);
    expect(counters).toMatchObject({ attempted: 60, succeeded: 60, failed: 0 });
    expect(counters.statuses).toEqual({ 'REGISTER 401': 60, 'REGISTER 200': 60 });
    expect(histograms.register.totalCount).toBe(60);
  });

  it('options scenario pings the proxy', async () => {
    const { counters } = mergeSnapshots([await new LoadEngine({ ...base, scenario: 'options', calls: 30, rate: 100 }).run()]);
    expect(counters).toMatchObject({ attempted: 30, succeeded: 30, failed: 0 });
    expect(counters.statuses).toEqual({ 'OPTIONS 200': 30 });
  });

  it('calls over TCP too', async () => {
    const { counters } = mergeSnapshots([await new LoadEngine({ ...base, transport: 'tcp', proxy: server.endpoints.get('tcp')!, calls: 40, rate: 50 }).run()]);
    expect(counters.failures).toEqual({});
    expect(counters).toMatchObject({ attempted: 40, succeeded: 40, failed: 0 });
  });

  it('a wrong password fails calls with the reason, and counts still add up', async () => {
    const wrong = expandAccountPattern('u{0001..0004}@lab.test', 'not-the-password');
    const { counters } = mergeSnapshots([await new LoadEngine({ ...base, accounts: wrong, calleeUri: 'sip:u0001@lab.test', calls: 8, rate: 50 }).run()]);
    expect(counters).toMatchObject({ attempted: 8, succeeded: 0, failed: 8 });
    expect(Object.keys(counters.failures)).toEqual(['INVITE 403']);
    // The proxy turned every call away before a dialog: refused, besides failed.
    expect(counters.refused).toBe(8);
    expect(counters.inviteFinals).toBe(counters.invites);
  });
});
