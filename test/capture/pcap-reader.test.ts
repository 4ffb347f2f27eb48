import { describe, expect, it } from 'vitest';
import { CaptureFormatError } from '../../src/capture/capture-errors.js';
import { encodePcapng } from '../../src/capture/pcapng-encoder.js';
import { groupByCallId, readSipCapture } from '../../src/capture/pcap-reader.js';
import { readMessagesJsonl } from '../../src/capture/messages-jsonl.js';
import type { SipMessageEvent } from '../../src/events/types.js';
import { classicPcap, ethernetFrame, fragmentIpv4, sll2Frame, sllFrame, tcpPacket, udpPacket } from './fixtures/classic-pcap.js';
import { endpoints, fullCallEvents, sip, T0 } from './fixtures/call-events.js';

const callSip = () => fullCallEvents().filter((e): e is SipMessageEvent => e.type === 'sip');
const senderViews = () => callSip().filter((e) => e.direction === 'out');

const alice = { address: '10.0.0.1', port: 5060 };
const server = { address: '10.0.0.2', port: 5060 };
const invite = sip(['INVITE sip:bob@lab.test SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1', 'From: <sip:alice@lab.test>;tag=1', 'To: <sip:bob@lab.test>', 'Call-ID: c1', 'CSeq: 1 INVITE']);
const trying = sip(['SIP/2.0 100 Trying', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1', 'From: <sip:alice@lab.test>;tag=1', 'To: <sip:bob@lab.test>', 'Call-ID: c1', 'CSeq: 1 INVITE']);

describe('reading our own pcapng back', () => {
  it('gives every message once, in order, with the sender as party', () => {
    const result = readSipCapture(encodePcapng(fullCallEvents()));
    expect(result.format).toBe('pcapng');
    expect(result.messages.map((m) => m.startLine)).toEqual(senderViews().map((e) => e.startLine));
    expect(result.messages[0]).toMatchObject({ party: '127.0.0.1:5070', direction: 'out', transport: 'udp', at: T0, callId: 'call-1@127.0.0.1' });
    expect(result.messages.find((m) => m.method === 'MESSAGE')).toMatchObject({ transport: 'tcp', remote: endpoints.proxyWs });
  });

  it('groups by Call-ID and accounts for every frame (RTP included)', () => {
    const result = readSipCapture(encodePcapng(fullCallEvents()));
    const calls = groupByCallId(result.messages);
    expect([...calls.keys()]).toEqual(['call-1@127.0.0.1', 'options-1', 'ws-1']);
    const rtp = fullCallEvents().filter((e) => e.type === 'rtp' && e.direction === 'out').length;
    expect(result.summary.skipped.get('rtp')).toBe(rtp);
    expect(result.summary.sipFrames + [...result.summary.skipped.values()].reduce((a, b) => a + b, 0)).toBe(result.frames);
  });
});

describe('classic pcap', () => {
  const records = (frame: (ip: Buffer) => Buffer) => [
    { at: T0, frame: frame(udpPacket({ source: alice, destination: server }, Buffer.from(invite), 1)) },
    { at: T0 + 1.5, frame: frame(udpPacket({ source: server, destination: alice }, Buffer.from(trying), 2)) },
  ];

  it.each([
    ['Ethernet, little-endian µs', 1, (ip: Buffer) => ethernetFrame(ip), {}],
    ['Ethernet with an 802.1Q tag, big-endian ns', 1, (ip: Buffer) => ethernetFrame(ip, 42), { bigEndian: true, nanoseconds: true }],
    ['Linux cooked (SLL)', 113, sllFrame, {}],
    ['Linux cooked v2 (SLL2)', 276, sll2Frame, { nanoseconds: true }],
    ['raw IPv4 (228)', 228, (ip: Buffer) => ip, {}],
    ['BSD loopback (0)', 0, (ip: Buffer) => Buffer.concat([Buffer.from([2, 0, 0, 0]), ip]), {}],
    ['OpenBSD loopback (108)', 108, (ip: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 2]), ip]), { bigEndian: true }],
  ] as const)('reads SIP over %s', (_name, linkType, frame, options) => {
    const result = readSipCapture(classicPcap(linkType, records(frame), options));
    expect(result.format).toBe('pcap');
    expect(result.messages.map((m) => m.startLine)).toEqual(['INVITE sip:bob@lab.test SIP/2.0', 'SIP/2.0 100 Trying']);
    expect(result.messages[1]!.party).toBe('10.0.0.2:5060');
    expect(result.messages[1]!.at).toBeCloseTo(T0 + 1.5, 3);
  });

  it('puts IPv4 fragments back together, in any order', () => {
    const body = 'v=0\r\n' + 'a=x-padding:' + 'x'.repeat(3000) + '\r\n';
    const big = sip(['INVITE sip:bob@lab.test SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK2', 'Call-ID: frag', 'CSeq: 1 INVITE', 'Content-Type: application/sdp'], body);
    const fragments = fragmentIpv4(udpPacket({ source: alice, destination: server }, Buffer.from(big), 9), 1480);
    expect(fragments.length).toBe(3);
    const order = [fragments[2]!, fragments[0]!, fragments[1]!];
    const result = readSipCapture(classicPcap(1, order.map((f, i) => ({ at: T0 + i, frame: ethernetFrame(f) }))));
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]!.raw).toBe(big);
  });

  it('reassembles a TCP stream without SYN, out of order, with a retransmission, and frames by Content-Length', () => {
    const stream = Buffer.from(invite + '\r\n\r\n' + trying.replace('100 Trying', '180 Ringing'));
    const cut = [0, 100, 250, stream.length];
    const segments = [0, 1, 2].map((i) => ({ seq: 1000 + cut[i]!, data: stream.subarray(cut[i]!, cut[i + 1]!) }));
    const order = [segments[0]!, segments[2]!, segments[1]!, segments[1]!];
    const frames = order.map((s, i) => ({ at: T0 + i, frame: ethernetFrame(tcpPacket({ source: alice, destination: server }, s.data, { seq: s.seq, ack: 1 }, i)) }));
    const result = readSipCapture(classicPcap(1, frames));
    expect(result.messages.map((m) => m.startLine)).toEqual(['INVITE sip:bob@lab.test SIP/2.0', 'SIP/2.0 180 Ringing']);
    expect(result.messages.every((m) => m.transport === 'tcp')).toBe(true);
  });

  it('reads IPv6 over Ethernet', () => {
    const v6a = { address: '2001:db8::1', port: 5060 };
    const v6b = { address: '2001:db8::2', port: 5062 };
    const result = readSipCapture(classicPcap(1, [{ at: T0, frame: ethernetFrame(udpPacket({ source: v6a, destination: v6b }, Buffer.from(invite), 1)) }]));
    expect(result.messages[0]).toMatchObject({ party: '[2001:db8::1]:5060', remote: v6b });
  });
});

describe('corrupted captures', () => {
  const good = encodePcapng(fullCallEvents());
  const expectFormatError = (bytes: Buffer, reason: RegExp) => {
    const started = Date.now();
    let caught: unknown;
    try {
      readSipCapture(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CaptureFormatError);
    expect((caught as CaptureFormatError).reason).toMatch(reason);
    expect((caught as CaptureFormatError).offset).toBeGreaterThanOrEqual(0);
    expect(Date.now() - started).toBeLessThan(1000);
  };

  it('truncated pcapng', () => expectFormatError(good.subarray(0, good.length - 7), /past the end|cut short/));
  it('truncated pcapng is readable up to the cut when asked', () => {
    // The cut block is the last 202; every message before it is whole.
    const result = readSipCapture(good.subarray(0, good.length - 7), { allowTruncated: true });
    expect(result.messages.map((m) => m.startLine)).toEqual(senderViews().slice(0, -1).map((e) => e.startLine));
  });
  it('random bytes', () => {
    let seed = 7;
    const random = Buffer.from(Buffer.alloc(4096, 0).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    expectFormatError(random, /neither pcap nor pcapng/);
  });
  it('random bytes after a valid section header', () => {
    let seed = 11;
    const tail = Buffer.from(Buffer.alloc(4096).map(() => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24));
    expectFormatError(Buffer.concat([good.subarray(0, 28 + 4), tail]), /block|interface|length/);
  });
  it('huge block length', () => {
    const huge = Buffer.from(good);
    huge.writeUInt32LE(0xfffffff0, 4);
    expectFormatError(huge, /implausible|past the end/);
  });
  it('huge classic record length', () => {
    const pcap = classicPcap(1, [{ at: T0, frame: ethernetFrame(udpPacket({ source: alice, destination: server }, Buffer.from(invite), 1)) }]);
    pcap.writeUInt32LE(0x7fffffff, 24 + 8);
    expectFormatError(pcap, /implausible/);
  });
  it('flipped bytes and cuts anywhere never crash with anything but CaptureFormatError', () => {
    let seed = 1;
    const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 500; i++) {
      const bytes = Buffer.from(good);
      for (let k = 0; k < 1 + random() * 8; k++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      const input = random() < 0.3 ? bytes.subarray(0, Math.floor(random() * bytes.length)) : bytes;
      try {
        readSipCapture(input);
      } catch (error) {
        expect(error).toBeInstanceOf(CaptureFormatError);
      }
    }
  });
  it('empty file', () => expectFormatError(Buffer.alloc(0), /too short/));
  it('bad messages.jsonl line', () => {
    expect(() => readMessagesJsonl('{"type":"sip","at":1,"party":"a"}\nnot json\n')).toThrow(CaptureFormatError);
  });
});

describe('messages.jsonl', () => {
  it('reads events back, RTP bytes from base64', () => {
    const events = fullCallEvents();
    const text = events.map((e) => JSON.stringify(e, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v))).join('\n') + '\n';
    const back = readMessagesJsonl(text);
    expect(back).toHaveLength(events.length);
    const rtp = back.find((e) => e.type === 'rtp');
    expect(rtp?.type === 'rtp' && Buffer.from(rtp.bytes).subarray(0, 2)).toEqual(Buffer.from([0x80, 0x00]));
  });
});
