import { describe, expect, it } from 'vitest';
import { ArrivalSchedule, parseRamp } from '../../src/load/engine/arrivals.js';
import { seededRandom } from '../../src/util/seeded-random.js';
import { expandAccountPattern, parseAccountsCsv } from '../../src/load/plan/accounts.js';
import { scanSipMessage } from '../../src/load/engine/sip-scan.js';
import { TimerWheel } from '../../src/load/engine/timer-wheel.js';

const take = (schedule: ArrivalSchedule, n: number) => Array.from({ length: n }, () => schedule.next());

describe('arrivals', () => {
  it('constant: evenly spaced from 0, so N arrivals at R/s span N/R s', () => {
    const times = take(new ArrivalSchedule({ rate: 50, kind: 'constant', random: Math.random }), 201);
    expect(times.slice(0, 3)).toEqual([0, 20, 40]);
    expect(times[200]).toBeCloseTo(4000, 6);
  });

  it('poisson: mean gap 1/R', () => {
    const times = take(new ArrivalSchedule({ rate: 100, kind: 'poisson', random: seededRandom(1) }), 20_001);
    expect(times[20_000]! / 20_000).toBeCloseTo(10, 0);
  });

  it('ramp: linear from 0 to 100/s over 10 s holds 500 arrivals, then the last rate stays', () => {
    const schedule = new ArrivalSchedule({ rate: 0, ramp: parseRamp('100:10s'), kind: 'constant', random: Math.random });
    const times = take(schedule, 600);
    expect(times.filter((t) => t < 10_000).length).toBe(500);
    expect(times[599]! - times[598]!).toBeCloseTo(10, 6);
    expect(schedule.rampMs).toBe(10_000);
  });
});

describe('accounts', () => {
  it('expands a zero-padded range', () => {
    const accounts = expandAccountPattern('u{0001..0200}@lab.test', 'load-secret');
    expect(accounts).toHaveLength(200);
    expect(accounts[0]).toEqual({ user: 'u0001', domain: 'lab.test', password: 'load-secret' });
    expect(accounts[199]!.user).toBe('u0200');
  });
  it('reads SIPp-style CSV', () => {
    expect(parseAccountsCsv('SEQUENTIAL\n# comment\nalice;alice-secret;lab.test\nbob;;lab.test\n', 'fallback')).toEqual([
      { user: 'alice', domain: 'lab.test', password: 'alice-secret' },
      { user: 'bob', domain: 'lab.test', password: 'fallback' },
    ]);
  });
});

describe('lean scanner', () => {
  it('reads a response with compact headers, challenge and route set', () => {
    const m = scanSipMessage(
      'SIP/2.0 407 Proxy Authentication Required\r\nv: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKx\r\nf: <sip:a@lab.test>;tag=1\r\nt: <sip:b@lab.test>;tag=abc;x=y\r\ni: call-1\r\nCSeq: 1 INVITE\r\nRecord-Route: <sip:127.0.0.1;lr>\r\nProxy-Authenticate: Digest realm="lab.test", nonce="n"\r\nContent-Length: 0\r\n\r\n',
    );
    expect(m).toMatchObject({ status: 407, callId: 'call-1', cseq: 1, cseqMethod: 'INVITE', toTag: 'abc', challenge: 'Digest realm="lab.test", nonce="n"', recordRoutes: ['<sip:127.0.0.1;lr>'] });
  });
  it('keeps the lines a callee copies into its responses', () => {
    const m = scanSipMessage('INVITE sip:b@lab.test SIP/2.0\r\nVia: SIP/2.0/UDP p;branch=1\r\nVia: SIP/2.0/UDP c;branch=2\r\nFrom: <sip:a@lab.test>;tag=1\r\nTo: <sip:b@lab.test>\r\nCall-ID: c1\r\nCSeq: 2 INVITE\r\n\r\n');
    expect(m.method).toBe('INVITE');
    expect(m.viaLines).toBe('Via: SIP/2.0/UDP p;branch=1\r\nVia: SIP/2.0/UDP c;branch=2\r\n');
    expect(m.toTag).toBeUndefined();
  });
  it('refuses garbage with a ScanError', () => {
    expect(() => scanSipMessage('hello')).toThrow(/unreadable/);
    expect(() => scanSipMessage('SIP/2.0 200 OK\r\nCSeq: 1 X\r\n\r\n')).toThrow(/Call-ID/);
  });
});

describe('timer wheel', () => {
  it('fires due timers in order, skips stale generations, keeps far timers for later turns', () => {
    const fired: string[] = [];
    const target = (name: string) => ({ generation: 0, onTimer: (kind: number) => fired.push(`${name}${kind}`) });
    const wheel = new TimerWheel(1, 0, 16);
    const a = target('a');
    const b = target('b');
    const c = target('c');
    wheel.schedule(a, 1, 5);
    wheel.schedule(b, 2, 3);
    wheel.schedule(c, 3, 40); // more than one turn of 16 slots away
    wheel.advance(4);
    expect(fired).toEqual(['b2']);
    a.generation++; // cancelled
    wheel.advance(30);
    expect(fired).toEqual(['b2']);
    wheel.advance(40);
    expect(fired).toEqual(['b2', 'c3']);
    expect(wheel.size).toBe(0);
  });
});
