import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCli, spawnCli, waitFor } from './support/spawn-cli.js';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { startEmbeddedServer, type EmbeddedServer } from '../../src/lab/embedded-server.js';
import { FakeClock } from '../../src/util/fake-clock.js';

/**
 * Issue 14 item 3: an unauthenticated INVITE got 100 and a 407 re-sent about 11 times over
 * 32 s (Timer G), a reflection amplifier. Challenges and refusals now go out statelessly, as
 * Kamailio's sl module sends them: one reply per request datagram, nothing kept.
 */
let server: EmbeddedServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const FLOOD = 20_000;

/** An INVITE with an SDP body, as a flood tool (or a scanner) sends it; every sender different. */
function forgedInvite(n: number, port: number): string {
  const body = ['v=0', `o=- ${n} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n');
  return [
    `INVITE sip:bob@lab.test SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${port};rport;branch=z9hG4bKflood${n}`,
    'Max-Forwards: 70',
    `From: <sip:caller${n}@forged.example>;tag=f${n}`,
    '<sip:bob@lab.test>'.replace(/^/, 'To: '),
    `Call-ID: flood-${n}@forged.example`,
    'CSeq: 1 INVITE',
    `Contact: <sip:caller${n}@127.0.0.1:${port}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

describe('reply amplification of an unauthenticated INVITE flood (issue 14 item 3)', () => {
  it(`${FLOOD} forged INVITEs: at most 2 replies and 2x the bytes per request, none re-sent after 32 s of Timer G`, async () => {
    const clock = new FakeClock();
    const events = new EventStream();
    const wire: SipMessageEvent[] = [];
    events.subscribe((e) => {
      if (e.type === 'sip') wire.push(e);
    });
    server = await startEmbeddedServer({ transports: ['udp'], users: new Map([['bob', 'bob-secret']]), domain: 'lab.test', events, clock });
    const proxyPort = server.endpoints.get('udp')!.port;
    const attacker = createSocket('udp4');
    let repliesAtAttacker = 0;
    attacker.on('message', () => repliesAtAttacker++);
    await new Promise<void>((done) => attacker.bind(0, '127.0.0.1', done));
    const port = attacker.address().port;
    try {
      // Paced in bursts the proxy keeps up with, so the kernel's socket buffer does not drop
      // what we mean to count (the ratio is per request that reached the proxy either way).
      let received = 0;
      events.subscribe((e) => {
        if (e.type === 'sip' && e.direction === 'in') received++;
      });
      for (let n = 0; n < FLOOD; n += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, i) => new Promise<void>((done) => attacker.send(forgedInvite(n + i, port), proxyPort, '127.0.0.1', () => done()))));
        const until = Date.now() + 200;
        while (received < n + 45 && Date.now() < until) await new Promise((r) => setTimeout(r, 1));
      }
      const deadline = Date.now() + 10_000;
      while (received < FLOOD * 0.95 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // Timer G would have re-sent each 407 up to 10 times within 64·T1.
      for (let t = 0; t < 64; t++) {
        clock.advance(500);
        await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      attacker.close();
    }
    const requests = wire.filter((e) => e.direction === 'in');
    const replies = wire.filter((e) => e.direction === 'out');
    const bytes = (list: SipMessageEvent[]) => list.reduce((sum, e) => sum + Buffer.byteLength(e.raw), 0);
    expect(requests.length).toBeGreaterThan(FLOOD * 0.95);
    expect(replies.filter((e) => e.retransmission)).toEqual([]);
    expect(replies.length).toBeLessThanOrEqual(2 * requests.length);
    expect(bytes(replies)).toBeLessThanOrEqual(2 * bytes(requests));
    // One stateless 407 each: no 100 Trying before a challenge (it would stop the caller's Timer A).
    expect(new Set(replies.map((e) => e.status))).toEqual(new Set([407]));
    expect(repliesAtAttacker).toBeLessThanOrEqual(replies.length);
    console.info(
      `[security] flood: ${requests.length} INVITEs in (${bytes(requests)} bytes), ${replies.length} replies out (${bytes(replies)} bytes): ` +
        `${(replies.length / requests.length).toFixed(2)} datagrams and ${(bytes(replies) / bytes(requests)).toFixed(2)}x bytes per request`,
    );
  }, 120_000);

  it('proxy --out during a flood writes at most 100 unauthenticated messages a second and counts the rest', async () => {
    buildCli();
    const dir = join(mkdtempSync(join(tmpdir(), 'sipbots-flood-')), 'out');
    const proxy = spawnCli(['proxy', '--transport', 'udp', '--out', dir]);
    try {
      expect(await waitFor(() => /listening udp 127\.0\.0\.1:\d+/.test(proxy.stdout()), 60_000)).toBe(true);
      const proxyPort = Number(/listening udp 127\.0\.0\.1:(\d+)/.exec(proxy.stdout())![1]);
      const attacker = createSocket('udp4');
      let replies = 0;
      attacker.on('message', () => replies++);
      await new Promise<void>((done) => attacker.bind(0, '127.0.0.1', done));
      const port = attacker.address().port;
      const started = Date.now();
      for (let n = 0; n < 10_000; n += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, i) => new Promise<void>((done) => attacker.send(forgedInvite(n + i, port), proxyPort, '127.0.0.1', () => done()))));
        await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 500));
      const seconds = (Date.now() - started) / 1000;
      attacker.close();
      proxy.child.kill('SIGINT');
      expect((await proxy.exit).code).toBe(130);
      const lines = readFileSync(join(dir, 'messages.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; message?: string });
      const sip = lines.filter((l) => l.type === 'sip').length;
      const skipped = lines.filter((l) => l.type === 'note').reduce((sum, l) => sum + Number(/^flood: (\d+) /.exec(l.message ?? '')?.[1] ?? 0), 0);
      // Every 100 Trying and 407 the attacker got, and every INVITE, is either written or counted.
      expect(sip + skipped).toBeGreaterThanOrEqual(replies);
      expect(sip).toBeLessThanOrEqual(100 * (Math.ceil(seconds) + 2));
      expect(skipped).toBeGreaterThan(0);
      console.info(`[security] proxy --out flood: ${replies} replies in ${seconds.toFixed(1)} s; ${sip} messages written (${statSync(join(dir, 'messages.jsonl')).size} bytes), ${skipped} counted`);
    } finally {
      proxy.child.kill('SIGKILL');
    }
  }, 240_000);
});
