import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { expandAccountPattern } from '../../src/load/plan/accounts.js';
import { LoadEngine, type EngineOptions } from '../../src/load/engine/load-engine.js';
import { scanSipMessage } from '../../src/load/engine/sip-scan.js';

/**
 * Interrupting the load engine, over a real socket against a tiny UAS on loopback that stands
 * where the proxy would be. 300 ms after an INVITE it rings for ever (even calls) or answers 200
 * (odd calls), with nothing before: the calls started in the last 300 ms before the interruption
 * have had no provisional yet. CANCEL gets 200, and the INVITE 487.
 */
interface Seen {
  at: number;
  method: string;
  callId: string;
  cseq: string;
}

async function ringingUas() {
  const socket = dgram.createSocket('udp4');
  const seen: Seen[] = [];
  const sentAt = new Map<string, number>();
  const invites = new Map<string, { index: number; raw: string; tag: string }>();
  const send = (text: string, port: number): void => void socket.send(text, port, '127.0.0.1');
  const reply = (request: string, status: string, tag: string, extra = ''): string => {
    const keep = request.split('\r\n').filter((l) => /^(Via|From|Call-ID|CSeq):/i.test(l));
    const to = request.split('\r\n').find((l) => /^To:/i.test(l))!;
    const { port } = socket.address();
    return `SIP/2.0 ${status}\r\n${keep.join('\r\n')}\r\n${to};tag=${tag}\r\nContact: <sip:uas@127.0.0.1:${port}>\r\n${extra}Content-Length: 0\r\n\r\n`;
  };
  socket.on('message', (data, rinfo) => {
    const raw = data.toString('latin1');
    const m = scanSipMessage(raw);
    if (m.status !== 0) return;
    seen.push({ at: Date.now(), method: m.method, callId: m.callId, cseq: `${m.cseq} ${m.cseqMethod}` });
    if (m.method === 'INVITE' && !invites.has(m.callId)) {
      const call = { index: invites.size, raw, tag: `uas${invites.size}` };
      invites.set(m.callId, call);
      setTimeout(() => {
        if (!invites.has(m.callId)) return;
        sentAt.set(m.callId, Date.now());
        send(reply(raw, call.index % 2 === 0 ? '180 Ringing' : '200 OK', call.tag), rinfo.port);
      }, 300);
    } else if (m.method === 'CANCEL') {
      const call = invites.get(m.callId)!;
      invites.delete(m.callId);
      send(reply(raw, '200 OK', call.tag), rinfo.port);
      send(reply(call.raw, '487 Request Terminated', call.tag), rinfo.port);
    } else if (m.method === 'BYE') send(reply(raw, '200 OK', 'x'), rinfo.port);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, seen, answeredAt: sentAt, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

/**
 * A registrar that swallows INVITEs: REGISTER gets 200 (Expires 0 only after 600 ms, so that the
 * unregistration phase lasts), anything else gets nothing.
 */
async function deafRegistrar() {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (data, rinfo) => {
    const raw = data.toString('latin1');
    if (!raw.startsWith('REGISTER ')) return;
    const lines = raw.split('\r\n');
    const keep = lines.filter((l) => /^(Via|From|Call-ID|CSeq|Contact):/i.test(l));
    const to = lines.find((l) => /^To:/i.test(l))!;
    const answer = `SIP/2.0 200 OK\r\n${keep.join('\r\n')}\r\n${to};tag=r1\r\nContent-Length: 0\r\n\r\n`;
    setTimeout(() => socket.send(answer, rinfo.port, '127.0.0.1'), /^Expires: 0\r?$/m.test(raw) ? 600 : 0);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('interrupting the load engine', () => {
  it('ringing calls are CANCELled (after their first provisional, RFC 3261 §9.1), answered ones get BYE at once instead of after --hold', async () => {
    const uas = await ringingUas();
    cleanups.push(uas.close);
    const controller = new AbortController();
    const options: EngineOptions = {
      scenario: 'call',
      transport: 'udp',
      proxy: { address: '127.0.0.1', port: uas.port },
      bindAddress: '127.0.0.1',
      domain: 'lab.test',
      accounts: expandAccountPattern('u{1..4}@lab.test', 'secret'),
      calleeUri: 'sip:ringer@lab.test',
      rate: 20,
      arrival: 'constant',
      calls: 200,
      holdMs: 60_000,
      timeoutMs: 32_000,
      registerExpires: 60,
      sockets: 1,
    };
    const running = new LoadEngine(options, { signal: controller.signal }).run();
    await new Promise((r) => setTimeout(r, 1200));
    const abortedAt = Date.now();
    controller.abort();
    const snapshot = await running;
    const endedAt = Date.now();
    expect(endedAt - abortedAt).toBeLessThan(2000);

    const { counters } = snapshot;
    const calls = [...new Set(uas.seen.filter((s) => s.method === 'INVITE').map((s) => s.callId))];
    expect(calls.length).toBeGreaterThanOrEqual(15);
    expect(calls.length).toBe(counters.attempted);
    const ringing = calls.filter((_, i) => i % 2 === 0);
    // Some calls were interrupted before anything came back, so their CANCEL had to wait.
    expect(ringing.some((callId) => (uas.answeredAt.get(callId) ?? 0) > abortedAt)).toBe(true);
    const answered = calls.filter((_, i) => i % 2 === 1);
    for (const callId of ringing) {
      const cancel = uas.seen.find((s) => s.callId === callId && s.method === 'CANCEL');
      expect(cancel, `${callId} CANCELled`).toBeDefined();
      // Same CSeq number as the INVITE, and never before a provisional was on its way back.
      expect(cancel!.cseq).toBe('1 CANCEL');
      expect(cancel!.at).toBeGreaterThanOrEqual(uas.answeredAt.get(callId) ?? Infinity);
      // The 487 was acknowledged.
      expect(uas.seen.some((s) => s.callId === callId && s.method === 'ACK' && s.cseq === '1 ACK')).toBe(true);
      expect(uas.seen.some((s) => s.callId === callId && s.method === 'BYE')).toBe(false);
    }
    for (const callId of answered) {
      expect(uas.seen.some((s) => s.callId === callId && s.method === 'ACK'), `${callId} ACKed`).toBe(true);
      const bye = uas.seen.find((s) => s.callId === callId && s.method === 'BYE');
      expect(bye, `${callId} BYE`).toBeDefined();
      expect(bye!.at).toBeGreaterThanOrEqual(abortedAt);
      expect(uas.seen.some((s) => s.callId === callId && s.method === 'CANCEL')).toBe(false);
    }
    // Arrivals stopped at the interruption: nothing new after it.
    expect(uas.seen.filter((s) => s.method === 'INVITE' && s.at > abortedAt + 50)).toEqual([]);
    expect(counters).toMatchObject({ attempted: calls.length, succeeded: answered.length, failed: ringing.length, active: 0 });
    expect(counters.failures).toEqual({ 'interrupted (INVITE 487)': ringing.length });
    expect(counters.statuses).toMatchObject({ 'INVITE 487': ringing.length, 'INVITE 200': answered.length, 'BYE 200': answered.length });
  });

  it('calls whose hang-up is never answered are counted once, even when their timers would fire during the unregistration', async () => {
    const registrar = await deafRegistrar();
    cleanups.push(registrar.close);
    const controller = new AbortController();
    const running = new LoadEngine(
      {
        scenario: 'call',
        transport: 'udp',
        proxy: { address: '127.0.0.1', port: registrar.port },
        bindAddress: '127.0.0.1',
        domain: 'lab.test',
        accounts: expandAccountPattern('u{1..4}@lab.test', 'secret'),
        rate: 20,
        arrival: 'constant',
        calls: 200,
        holdMs: 60_000,
        // Interrupted at 1 s, the hang-ups get until 2.5 s; Timer B of the calls (2.6 s after each
        // started) then falls inside the 600 ms the unregistrations take.
        timeoutMs: 2600,
        registerExpires: 60,
        sockets: 1,
      },
      { signal: controller.signal },
    ).run();
    await new Promise((r) => setTimeout(r, 1000));
    controller.abort();
    const { counters } = await running;
    expect(counters.attempted).toBeGreaterThanOrEqual(15);
    expect(counters.failed).toBe(counters.attempted);
    expect(counters.succeeded).toBe(0);
    expect(counters.active).toBe(0);
    // No provisional ever came, so no CANCEL could go (§9.1): the grace ran out for them.
    expect(counters.failures['interrupted: hang-up not answered']).toBeGreaterThan(0);
    expect(Object.values(counters.failures).reduce((a, b) => a + b, 0)).toBe(counters.failed);
  });
});
