import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAB_CASE_IDS } from '../../src/lab/lab-cases.js';
import type { TransportProtocol } from '../../src/sip/transport/types.js';
import { tshark } from '../capture/fixtures/tshark.js';
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
    }, 120_000);
  });
}

/**
 * The whole lab with the embedded proxy on [::1] (`--listen ::1`): every bot follows the
 * server's family, every SIP message and RTP packet travels between ::1 endpoints, the proxy
 * writes bracketed Via and Record-Route, bots bracketed Contacts and `c=IN IP6 ::1`; the capture
 * decodes in tshark as IPv6 with nothing malformed, and the HEP copies (sent to a collector on
 * [::1]) say IPv6 (family 10) with both addresses in IPv6 chunks.
 */
export function labOverIpv6(transport: TransportProtocol): void {
  const name = transport.toUpperCase();
  describe(`sipbots lab over ${name} on [::1]`, () => {
    it(`passes every case over IPv6 ${name}, with an IPv6 capture tshark reads whole and IPv6 HEP`, async () => {
      const collector = await hepCollector();
      let run: Awaited<ReturnType<typeof runLabJson>>;
      try {
        run = await runLabJson(['--listen', '::1', '--transport', transport, '--hep', `udp:[::1]:${collector.port}`]);
      } finally {
        await collector.close();
      }
      const { code, summary, dir } = run;
      expect(failures(summary)).toBe('');
      expect(code).toBe(0);
      expect(summary.cases.map((c) => c.id)).toEqual(LAB_CASE_IDS);
      expect(summary.server).toMatch(/^sip:\[::1\]:\d+;transport=/);

      const events = readJsonl(dir);
      const sip = events.filter((e) => e.type === 'sip') as Array<{ party: string; direction: string; raw: string; startLine: string; local: { address: string }; remote: { address: string } }>;
      expect(new Set(sip.flatMap((e) => [e.local.address, e.remote.address]))).toEqual(new Set(['::1']));
      // Talk over IPv6: each side of an answered call heard the other's tone (alice 440 Hz, bob
      // 1000 Hz; a starved machine drops a packet or two, which moves the estimate by a few Hz).
      const heard = events.filter((e) => e.type === 'media-stats' && e.caseId === 'answer-bye-caller') as Array<{ party: string; received: { detectedHz?: number } }>;
      const hz = Object.fromEntries(heard.map((e) => [e.party, e.received.detectedHz ?? 0]));
      expect(Math.abs(hz.alice! - 1000), `alice heard ${hz.alice} Hz`).toBeLessThan(10);
      expect(Math.abs(hz.bob! - 440), `bob heard ${hz.bob} Hz`).toBeLessThan(10);

      const sent = sip.filter((e) => e.direction === 'out');
      const forwardedInvite = sent.find((e) => e.party === 'proxy' && e.startLine.startsWith('INVITE'))!;
      // Over TLS and WebSocket a bot's Contact is an .invalid host it is reached through its
      // connection on (RFC 7118 §5); over UDP and TCP it is its [::1] address.
      const reachable = transport === 'udp' || transport === 'tcp';
      expect(forwardedInvite.startLine).toMatch(reachable ? /^INVITE sip:bob@\[::1\]:\d+;transport=/ : /^INVITE sip:bob@[\w-]+\.invalid;transport=/);
      expect(forwardedInvite.raw).toMatch(new RegExp(`^Via: SIP/2\\.0/${name} \\[::1\\]:\\d+;branch=`, 'm'));
      expect(forwardedInvite.raw).toMatch(/^Record-Route: <sip:\[::1\]:\d+;transport=\w+;lr;dlg=[0-9a-f]{16}>/m);
      expect(forwardedInvite.raw).toMatch(/^c=IN IP6 ::1$/m);
      expect(forwardedInvite.raw).toMatch(/^o=sipbots \d+ \d+ IN IP6 ::1$/m);
      const register = sent.find((e) => e.party === 'alice' && e.startLine.startsWith('REGISTER'))!;
      if (reachable) expect(register.raw).toMatch(/^Contact: <sip:alice@\[::1\]:\d+;transport=\w+>/m);

      const file = join(dir, 'signaling.pcapng');
      expect(tshark(['-r', file, '-Y', '_ws.malformed || _ws.expert.severity == error'])).toBe('');
      const packets = tshark(['-r', file, '-T', 'fields', '-e', 'ip.version', '-e', 'ipv6.src', '-e', 'ipv6.dst']).trim().split('\n');
      expect(new Set(packets)).toEqual(new Set(['6\t::1\t::1']));
      const sipInCapture = tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.CSeq']).trim().split('\n');
      expect(sipInCapture.length).toBeGreaterThanOrEqual(sent.length);
      // tshark finds the RTP through the SDP's c=IN IP6 ::1 and m= port, as Wireshark would.
      expect(tshark(['-r', file, '-Y', 'rtp', '-T', 'fields', '-e', 'rtp.ssrc']).trim().split('\n').length).toBeGreaterThan(300);

      const hep = collector.received.map(hepChunks);
      expect(hep).toHaveLength(sent.length);
      expect(new Set(hep.map((chunks) => `${chunks.get(1)?.[0]} ${chunks.get(5)?.toString('hex')} ${chunks.get(6)?.toString('hex')}`))).toEqual(new Set([`10 ${'0'.repeat(30)}01 ${'0'.repeat(30)}01`]));
    }, 120_000);
  });
}

async function hepCollector(): Promise<{ port: number; received: Buffer[]; close: () => Promise<void> }> {
  const socket = createSocket('udp6');
  const received: Buffer[] = [];
  socket.on('message', (bytes) => received.push(bytes));
  await new Promise<void>((resolve) => socket.bind(0, '::1', () => resolve()));
  return {
    port: socket.address().port,
    received,
    // The last copies may still be in flight when the run returns.
    close: () => new Promise<void>((resolve) => setTimeout(() => socket.close(() => resolve()), 300)),
  };
}

/** HEPv3 generic chunks by type: "HEP3", total length, then vendor u16, type u16, length u16, value. */
function hepChunks(packet: Buffer): Map<number, Buffer> {
  expect(packet.subarray(0, 4).toString('latin1')).toBe('HEP3');
  const chunks = new Map<number, Buffer>();
  for (let at = 6; at + 6 <= packet.length; ) {
    const length = packet.readUInt16BE(at + 4);
    chunks.set(packet.readUInt16BE(at + 2), packet.subarray(at + 6, at + length));
    at += length;
  }
  return chunks;
}
