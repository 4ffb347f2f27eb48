import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { encodePcapng } from '../../src/capture/pcapng-encoder.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { fullCallEvents, T0 } from './fixtures/call-events.js';
import { tshark } from './fixtures/tshark.js';

const CHECKSUMS = ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE'];

function writeCapture(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sipbots-pcapng-')), 'call.pcapng');
  writeFileSync(file, encodePcapng(fullCallEvents()));
  return file;
}

describe('pcapng as Wireshark reads it', () => {
  const file = writeCapture();
  const sip = fullCallEvents().filter((e): e is SipMessageEvent => e.type === 'sip');

  const sent = sip.filter((e) => e.direction === 'out');

  it('shows every message once, as sent, UDP, TCP and WS alike', () => {
    const lines = tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Request-Line', '-e', 'sip.Status-Line'])
      .trim()
      .split('\n')
      .map((l) => l.replace(/\t/g, '').trim());
    expect(lines).toEqual(sent.map((e) => e.startLine));
  });

  it('is one Ethernet interface that tcpdump (libpcap) reads to the last packet', () => {
    const frames = tshark(['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.protocols']).trim().split('\n');
    expect(new Set(frames.map((f) => f.split('\t')[0]))).toEqual(new Set(['lo']));
    expect(frames.every((f) => f.split('\t')[1]!.startsWith('eth:ethertype:ip'))).toBe(true);
    const dump = execFileSync('tcpdump', ['-n', '-r', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
    expect(dump).toHaveLength(frames.length);
  });

  it('has valid IP, UDP and TCP checksums and nothing malformed', () => {
    const bad = tshark(['-r', file, ...CHECKSUMS, '-Y', '_ws.malformed || _ws.expert.group == 0x01000000 || tcp.analysis.flags && !tcp.analysis.window_update']);
    expect(bad.trim()).toBe('');
  });

  it('names the sender and the receiver of every message in its comment (the per-party view)', () => {
    const comments = tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'frame.comment']).trim().split('\n');
    const receiverOf = (e: SipMessageEvent) => sip.find((r) => r.direction === 'in' && r.raw === e.raw && r.at > e.at)!.party;
    expect(comments.map((c) => c.replace(/: SIP over .*$/, ''))).toEqual(
      sent.map((e) => `party=${e.party} party=${receiverOf(e)} case=answer-bye-callee ${e.party} -> ${receiverOf(e)}`),
    );
    const bobsView = tshark(['-r', file, '-Y', 'sip && frame.comment contains "party=bob"', '-T', 'fields', '-e', 'sip.CSeq']).trim().split('\n');
    expect(bobsView).toHaveLength(sip.filter((e) => e.party === 'bob').length);
    expect(comments.some((c) => c.endsWith('SIP over WS (WebSocket framing removed, written as SIP over TCP)'))).toBe(true);
  });

  it('writes a retransmission as one more frame, and a copy nobody received without a receiver', () => {
    const invite = sent[0]!;
    const lost = { ...invite, at: T0 + 9000, raw: invite.raw.replace('CSeq: 1 INVITE', 'CSeq: 9 INVITE') };
    const again = { ...lost, at: T0 + 9500, retransmission: true };
    const received = { ...lost, at: T0 + 9501, direction: 'in' as const, party: 'proxy', local: lost.remote, remote: lost.local };
    const only = join(mkdtempSync(join(tmpdir(), 'sipbots-resend-')), 'resend.pcapng');
    writeFileSync(only, encodePcapng([lost, again, received]));
    const rows = tshark(['-r', only, '-T', 'fields', '-e', 'frame.comment', '-e', 'sip.resend']).trim().split('\n');
    // One receipt for two sends: it is credited to the oldest send still waiting for one.
    expect(rows).toEqual(['party=alice party=proxy case=answer-bye-callee alice -> proxy: SIP over UDP\t0', 'party=alice case=answer-bye-callee alice -> ?: SIP over UDP retransmission\t1']);
  });

  it('counts requests and responses in sip,stat', () => {
    const stat = tshark(['-r', file, '-q', '-z', 'sip,stat']);
    expect(stat).toMatch(/Number of SIP messages: 20/);
    expect(stat).toMatch(/Number of resent SIP messages: 0/);
    expect(stat).toMatch(/INVITE\s*:\s*3 Packets/);
    expect(stat).toMatch(/SIP 407 Proxy Authentication Required\s*:\s*1 Packets/);
    expect(stat).toMatch(/BYE\s*:\s*2 Packets/);
  });

  it('decodes the media as RTP, each packet once as on the wire (not once per party)', () => {
    const rtp = tshark(['-r', file, '-d', 'udp.port==20000,rtp', '-d', 'udp.port==20002,rtp', '-Y', 'rtp', '-T', 'fields', '-e', 'rtp.seq']).trim().split('\n');
    expect(rtp).toHaveLength(10);
    expect(rtp.slice(0, 4)).toEqual(['0', '100', '1', '101']);
  });

  it('keeps a received RTP packet whose sender is not recorded (an external peer)', () => {
    const received = fullCallEvents().filter((e) => e.type !== 'rtp' || e.direction === 'in');
    const only = join(mkdtempSync(join(tmpdir(), 'sipbots-rtp-in-')), 'in.pcapng');
    writeFileSync(only, encodePcapng(received));
    const rows = tshark(['-r', only, '-d', 'udp.port==20000,rtp', '-d', 'udp.port==20002,rtp', '-Y', 'rtp', '-T', 'fields', '-e', 'frame.comment']).trim().split('\n');
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => /case=answer-bye-callee \? -> (alice|bob): RTP$/.test(r))).toBe(true);
  });

  it('carries real timestamps in microseconds', () => {
    const times = tshark(['-r', file, '-c', '3', '-T', 'fields', '-e', 'frame.time_epoch']).trim().split('\n');
    expect(times.map(Number)).toEqual([1_700_000_000, 1_700_000_000.002, 1_700_000_000.004]);
  });
});

describe('PcapngWriter', () => {
  it('appends blocks as events arrive and keeps the RTP window per stream', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sipbots-writer-')), 'live.pcapng');
    const stream = new EventStream();
    const writer = new PcapngWriter(file, stream, { rtpSeconds: 0.05 });
    for (const event of fullCallEvents()) stream.emit(event);
    await writer.close();
    expect(readFileSync(file)).toEqual(encodePcapng(fullCallEvents(), { rtpSeconds: 0.05 }));
    const rtp = tshark(['-r', file, '-d', 'udp.port==20000,rtp', '-d', 'udp.port==20002,rtp', '-Y', 'rtp']).trim().split('\n');
    expect(rtp).toHaveLength(6);
  });

  it('writes the same bytes for the same events (byte-stable)', () => {
    expect(encodePcapng(fullCallEvents()).equals(encodePcapng(fullCallEvents()))).toBe(true);
  });

  it('writes IPv6 for ::1 and tshark accepts its checksums', () => {
    const events = fullCallEvents()
      .filter((e) => e.type === 'sip' && e.transport !== 'udp')
      .map((e) => (e.type === 'sip' ? { ...e, local: { ...e.local, address: '::1' }, remote: { ...e.remote, address: '::1' } } : e));
    const file = join(mkdtempSync(join(tmpdir(), 'sipbots-v6-')), 'v6.pcapng');
    writeFileSync(file, encodePcapng(events));
    expect(tshark(['-r', file, ...CHECKSUMS, '-Y', 'ipv6 && sip', '-T', 'fields', '-e', 'sip.CSeq']).trim().split('\n')).toHaveLength(4);
    expect(tshark(['-r', file, ...CHECKSUMS, '-Y', '_ws.malformed || _ws.expert.group == 0x01000000']).trim()).toBe('');
  });
});
