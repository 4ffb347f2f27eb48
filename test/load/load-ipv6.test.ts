import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import { startEmbeddedServer } from '../../src/lab/embedded-server.js';
import type { LoadResult } from '../../src/load/results/load-result.js';
import { tshark } from '../capture/fixtures/tshark.js';
import { runCli } from '../support/run-cli.js';
import { capturedSip, expectEveryCallComplete, expectPcapngMatchesJsonl, readSummary, token } from './support/capture-folder.js';

/** `sipbots load` over [::1]: every socket of the generator and of the proxy on IPv6 loopback. */
const PASSWORD = 'load-secret';
const env = { PATH: process.env.PATH, SIPBOTS_PASSWORD: PASSWORD };
const accounts = Array.from({ length: 20 }, (_, i) => `u${String(i + 1).padStart(4, '0')}`);

function freshDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'sipbots-load-ipv6-')), 'run');
}

function expectIpv6Run(dir: string, sip: Awaited<ReturnType<typeof capturedSip>>): void {
  expect(new Set(sip.flatMap((e) => [e.local.address, e.remote.address]))).toEqual(new Set(['::1']));
  const invite = sip.find((e) => e.direction === 'out' && e.method === 'INVITE')!;
  expect(invite.raw).toMatch(/^Via: SIP\/2\.0\/\w+ \[::1\]:\d+;branch=/m);
  expect(invite.raw).toMatch(/^Contact: <sip:u\d+@\[::1\]:\d+/m);
  expect(invite.raw).toMatch(/^c=IN IP6 ::1\r?$/m);
  const file = join(dir, 'signaling.pcapng');
  expect(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert.severity == error'])).toBe('');
  expect(new Set(tshark(['-r', file, '-T', 'fields', '-e', 'ipv6.src', '-e', 'ipv6.dst']).trim().split('\n'))).toEqual(new Set(['::1\t::1']));
}

describe('sipbots load over IPv6', () => {
  it('200 calls against a proxy on [::1] over UDP: --bind follows the proxy to ::1, every call completes, and tshark reads the IPv6 capture whole', async () => {
    const server = await startEmbeddedServer({ transports: ['udp'], users: new Map(accounts.map((u) => [u, PASSWORD])), domain: 'lab.test', events: new EventStream(), bindAddress: '::1' });
    const dir = freshDir();
    try {
      const proxy = server.endpoints.get('udp')!;
      const { code, stderr } = await runCli(['load', '--proxy', `[::1]:${proxy.port}`, '--accounts', 'u{0001..0020}@lab.test', '--rate', '100', '--calls', '200', '--hold', '0.2', '--capture', dir], { env });
      expect(stderr).toBe(`capture: ${dir}\n`);
      expect(code).toBe(0);
    } finally {
      await server.stop();
    }
    expect(readSummary<LoadResult>(dir).counters).toMatchObject({ attempted: 200, succeeded: 200, failed: 0 });
    const sip = await capturedSip(dir);
    // A 180 over UDP is never retransmitted (RFC 3261 §17.2.1), and a starved machine drops one
    // now and then: every call is judged on its final responses, ACK and BYE.
    const calls = new Map<string, Set<string>>();
    for (const e of sip) if (e.callId && /caller-\d+$/.test(e.party) && !e.cseq?.endsWith('REGISTER')) calls.set(e.callId, (calls.get(e.callId) ?? new Set()).add(token(e)));
    expect(calls.size).toBe(200);
    for (const [callId, seen] of calls) for (const t of ['out INVITE', 'in 407/INVITE', 'out ACK', 'in 200/INVITE', 'out BYE', 'in 200/BYE']) expect(seen.has(t), `${callId} caller ${t}`).toBe(true);
    expectPcapngMatchesJsonl(dir, sip);
    expectIpv6Run(dir, sip);
  }, 90_000);

  it('--embedded-proxy --bind ::1 over TCP: the embedded proxy listens on [::1] too', async () => {
    const dir = freshDir();
    const { code } = await runCli(['load', '--embedded-proxy', '--bind', '::1', '--transport', 'tcp', '--accounts', 'u{0001..0010}@lab.test', '--rate', '30', '--calls', '30', '--hold', '0.2', '--capture', dir], { env });
    expect(code).toBe(0);
    expect(readSummary<LoadResult>(dir).counters).toMatchObject({ attempted: 30, succeeded: 30, failed: 0 });
    const sip = await capturedSip(dir);
    expectEveryCallComplete(sip, 30);
    expect(new Set(sip.map((e) => e.transport))).toEqual(new Set(['tcp']));
    expectIpv6Run(dir, sip);
  }, 60_000);
});
