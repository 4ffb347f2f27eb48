import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { encodePcapng } from '../../src/capture/pcapng-encoder.js';
import { PcapngWriter } from '../../src/capture/pcapng-writer.js';
import { fullCallEvents } from './fixtures/call-events.js';
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

  it('shows every start line of every party view, UDP, TCP and WS alike', () => {
    const lines = tshark(['-r', file, '-Y', 'sip', '-T', 'fields', '-e', 'sip.Request-Line', '-e', 'sip.Status-Line'])
      .trim()
      .split('\n')
      .map((l) => l.replace(/\t/g, '').trim());
    expect(lines).toEqual(sip.map((e) => e.startLine));
  });

  it('has valid IP, UDP and TCP checksums and nothing malformed', () => {
    const bad = tshark(['-r', file, ...CHECKSUMS, '-Y', '_ws.malformed || _ws.expert.group == 0x01000000 || tcp.analysis.flags && !tcp.analysis.window_update']);
    expect(bad.trim()).toBe('');
  });

  it('names the party and case in every packet comment and one interface per party', () => {
    const rows = tshark(['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.comment']).trim().split('\n');
    expect(rows.length).toBeGreaterThan(sip.length);
    for (const row of rows) {
      const [iface, comment] = row.split('\t');
      expect(comment).toContain(`party=${iface}`);
      expect(comment).toContain('case=answer-bye-callee');
    }
    expect(new Set(rows.map((r) => r.split('\t')[0]))).toEqual(new Set(['alice', 'proxy', 'bob']));
    expect(rows.some((r) => r.includes('SIP over WS'))).toBe(true);
  });

  it('counts requests and responses in sip,stat', () => {
    const stat = tshark(['-r', file, '-q', '-z', 'sip,stat']);
    expect(stat).toMatch(/Number of SIP messages: 40/);
    expect(stat).toMatch(/INVITE\s*:\s*6 Packets/);
    expect(stat).toMatch(/SIP 407 Proxy Authentication Required\s*:\s*2 Packets/);
    expect(stat).toMatch(/BYE\s*:\s*4 Packets/);
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
    expect(rows.every((r) => r.includes('received RTP'))).toBe(true);
  });

  it('carries real timestamps in microseconds', () => {
    const times = tshark(['-r', file, '-c', '3', '-T', 'fields', '-e', 'frame.time_epoch']).trim().split('\n');
    expect(times.map(Number)).toEqual([1_700_000_000, 1_700_000_000.00025, 1_700_000_000.002]);
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
    expect(tshark(['-r', file, ...CHECKSUMS, '-Y', 'ipv6 && sip', '-T', 'fields', '-e', 'sip.CSeq']).trim().split('\n')).toHaveLength(8);
    expect(tshark(['-r', file, ...CHECKSUMS, '-Y', '_ws.malformed || _ws.expert.group == 0x01000000']).trim()).toBe('');
  });
});
