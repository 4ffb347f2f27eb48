import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import { LoadEngine } from '../../src/load/engine/load-engine.js';
import { scanSipMessage } from '../../src/load/engine/sip-scan.js';

/**
 * A UAS standing where the proxy would be: it answers every INVITE 200 at once, and once the
 * ACK comes it hangs up with a BYE. When the caller answers that BYE it sends the very same BYE
 * again, as a callee does whose 200 was lost on the way (RFC 3261 §17.1.2.2, Timer E). The last
 * call it leaves to the caller's BYE after the hold, so the engine is still running when the
 * repeated BYEs of the others arrive.
 */
async function hangingUpUas() {
  const socket = dgram.createSocket('udp4');
  const byeAnswers = new Map<string, number>();
  const byes = new Map<string, string>();
  const invites: string[] = [];
  const HANGS_UP = 3;
  socket.on('message', (data, rinfo) => {
    const raw = data.toString('latin1');
    const m = scanSipMessage(raw);
    const lines = raw.split('\r\n');
    const header = (name: string) => lines.find((l) => l.toLowerCase().startsWith(`${name}:`))!;
    const { port } = socket.address();
    if (m.status === 0 && m.method === 'INVITE') {
      if (!invites.includes(m.callId)) invites.push(m.callId);
      const keep = lines.filter((l) => /^(Via|From|Call-ID|CSeq):/i.test(l));
      const answer = `SIP/2.0 200 OK\r\n${keep.join('\r\n')}\r\n${header('to')};tag=uas\r\nContact: <sip:uas@127.0.0.1:${port}>\r\nContent-Length: 0\r\n\r\n`;
      socket.send(answer, rinfo.port, '127.0.0.1');
    } else if (m.status === 0 && m.method === 'BYE') {
      const keep = lines.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l));
      socket.send(`SIP/2.0 200 OK\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, rinfo.port, '127.0.0.1');
    } else if (m.status === 0 && m.method === 'ACK' && invites.indexOf(m.callId) < HANGS_UP) {
      const target = /<([^>]+)>/.exec(header('contact') ?? `Contact: <sip:caller@127.0.0.1:${rinfo.port}>`)?.[1] ?? `sip:caller@127.0.0.1:${rinfo.port}`;
      const bye = [
        `BYE ${target} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-late-bye-${byes.size}`,
        'Max-Forwards: 70',
        `From: ${header('to').slice(4).trim()}`,
        `To: ${header('from').slice(6).trim()}`,
        header('call-id'),
        'CSeq: 1 BYE',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      byes.set(m.callId, bye);
      socket.send(bye, rinfo.port, '127.0.0.1');
    } else if (m.status === 200 && m.cseqMethod === 'BYE') {
      const count = (byeAnswers.get(m.callId) ?? 0) + 1;
      byeAnswers.set(m.callId, count);
      if (count === 1) socket.send(byes.get(m.callId)!, rinfo.port, '127.0.0.1');
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, byeAnswers, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('a load-mode caller and a BYE retransmitted after the call ended', () => {
  it('answers the callee’s BYE 200, and 200 again when the same BYE comes back after the call is over', async () => {
    const uas = await hangingUpUas();
    cleanups.push(uas.close);
    const snapshot = await new LoadEngine({
      scenario: 'call',
      transport: 'udp',
      proxy: { address: '127.0.0.1', port: uas.port },
      bindAddress: '127.0.0.1',
      domain: 'lab.test',
      accounts: expandAccountPattern('u{1..2}@lab.test', 'secret'),
      calleeUri: 'sip:uas@lab.test',
      rate: 20,
      arrival: 'constant',
      calls: 4,
      holdMs: 1000,
      timeoutMs: 4000,
      registerExpires: 60,
      sockets: 1,
    }).run();
    // Wait for the answers to the repeated BYEs to reach the UAS.
    const deadline = Date.now() + 2000;
    while ([...uas.byeAnswers.values()].filter((n) => n === 2).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(snapshot.counters).toMatchObject({ attempted: 4, succeeded: 4, failed: 0 });
    expect([...uas.byeAnswers.values()]).toEqual([2, 2, 2]);
  });
});
