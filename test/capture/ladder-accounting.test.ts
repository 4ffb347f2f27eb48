import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePcapng } from '../../src/capture/pcapng-encoder.js';
import { readSipCapture } from '../../src/capture/pcap-reader.js';
import { runCli } from '../support/run-cli.js';
import { fullCallEvents, T0 } from './fixtures/call-events.js';
import { classicPcap, ethernetFrame, sll2Frame, sllFrame, udpPacket, type PcapRecord } from './fixtures/classic-pcap.js';
import { arpFrame, message, phone, phoneRtp, proxy, proxyRtp, rtpPacket, tcpFrame, tlsRecord, udpFrame } from './fixtures/frames.js';
import { tsharkSipCounts } from './fixtures/tshark.js';

/*
 * Every frame of someone else's capture is accounted for: drawn as SIP, or counted with the
 * reason it was skipped. Captures are built byte by byte here, and tshark is the judge of how
 * many SIP messages and calls they hold.
 */

const dir = mkdtempSync(join(tmpdir(), 'sipbots-accounting-'));
const save = (name: string, bytes: Buffer) => {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
};
const records = (frames: Buffer[]): PcapRecord[] => frames.map((frame, i) => ({ at: T0 + i * 10, frame }));
const callIdsIn = (text: string) => [...text.matchAll(/^Call-ID (\S+)$/gm)].map((m) => m[1]);

/** An ICMP port unreachable (RFC 792) quoting the first bytes of a SIP datagram. */
function icmpUnreachable(quoted: Buffer): Buffer {
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 8 + quoted.length, 2);
  ip[8] = 64;
  ip[9] = 1;
  Buffer.from([192, 0, 2, 20]).copy(ip, 12);
  Buffer.from([192, 0, 2, 10]).copy(ip, 16);
  const icmp = Buffer.from([3, 3, 0, 0, 0, 0, 0, 0]);
  return ethernetFrame(Buffer.concat([ip, icmp, quoted]));
}

describe('the skip summary', () => {
  const invite = message('INVITE sip:bob@example.com SIP/2.0', 'acc-1', '1 INVITE');
  const ok = message('SIP/2.0 200 OK', 'acc-1', '1 INVITE');
  const options = message('OPTIONS sip:proxy.example.com SIP/2.0', 'acc-2', '7 OPTIONS');
  const inviteDatagram = udpPacket({ source: phone, destination: proxy }, Buffer.from(invite), 3);
  const frames = [
    udpFrame(phone, proxy, invite),
    arpFrame(),
    udpFrame(proxy, phone, ok),
    udpFrame(phoneRtp, proxyRtp, rtpPacket(1)),
    udpFrame(proxyRtp, phoneRtp, rtpPacket(2)),
    udpFrame(phoneRtp, proxyRtp, rtpPacket(3)),
    tcpFrame({ ...phone, port: 40123 }, { ...proxy, port: 5061 }, tlsRecord(300), 1000),
    tcpFrame({ ...proxy, port: 5061 }, { ...phone, port: 40123 }, tlsRecord(120), 5000),
    tcpFrame({ ...phone, port: 40123 }, { ...proxy, port: 5061 }, Buffer.alloc(0), 1305),
    icmpUnreachable(inviteDatagram.subarray(0, 20 + 8 + 200)),
    udpFrame(phone, proxy, options),
    // LLDP-like frame with an EtherType nobody here decodes (0x88b5: local experimental).
    Buffer.concat([Buffer.alloc(12, 2), Buffer.from([0x88, 0xb5]), Buffer.alloc(40)]),
  ];
  const file = save('mixed.pcap', classicPcap(1, records(frames)));

  it('counts each frame once, by reason, with TLS on 5061 named as encrypted SIP', async () => {
    const result = await runCli(['ladder', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(callIdsIn(result.stdout)).toEqual(['acc-1', 'acc-2']);
    expect(result.stderr).toBe(
      'sipbots: read 12 frames: 3 SIP messages in 2 calls; skipped 3 RTP, ' +
        '2 TLS on SIP port 5061 (encrypted SIP: sipbots cannot decrypt it; tshark can with -o tls.keylog_file:KEYS), ' +
        '1 TCP without data (handshakes, ACKs), 1 not IP (ARP, LLDP, PPPoE discovery...), ' +
        '1 ICMP errors quoting a SIP message (not drawn), 1 unknown (1 EtherType 0x88b5)\n',
    );
  });

  it('agrees with tshark, which also shows the SIP quoted in the ICMP error', () => {
    const ours = readSipCapture(classicPcap(1, records(frames)));
    const theirs = tsharkSipCounts(file);
    expect(theirs.messages - (ours.summary.skipped.get('icmp-sip') ?? 0)).toBe(ours.messages.length);
    expect(theirs.callIds).toBe(new Set(ours.messages.map((m) => m.callId)).size);
  });

  it('--strict fails on the frame it could not decode, after drawing the rest', async () => {
    const result = await runCli(['ladder', file, '--strict']);
    expect(result.code).toBe(1);
    expect(callIdsIn(result.stdout)).toEqual(['acc-1', 'acc-2']);
    expect(result.stderr).toMatch(/--strict: 1 frame could not be decoded/);
  });

  it('html carries the summary in its footer', async () => {
    const result = await runCli(['ladder', file, '--format', 'html']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/<footer><p>read 12 frames: 3 SIP messages in 2 calls; skipped 3 RTP,/);
    expect(result.stderr).toBe('');
  });
});

describe('messages that fail strict parsing are drawn with the reason', () => {
  const body = 'v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';
  const badLength = message('INVITE sip:bob@example.com SIP/2.0', 'lenient-1', '1 INVITE', ['Content-Type: application/sdp'], body, 900);
  const noVia = message('SIP/2.0 180 Ringing', 'lenient-1', '1 INVITE').replace(/^Via: .*\r\n/m, '');
  const long = message('SIP/2.0 200 OK', 'lenient-1', '1 INVITE', ['Content-Type: application/sdp', `X-Padding: ${'p'.repeat(600)}`], body);
  const noCallId = 'BYE sip:alice@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.20;branch=z9hG4bKx\r\nthis line has no colon\r\n\r\n';
  const snapped = udpFrame(proxy, phone, long, 3);
  const snapLength = 400;
  const frames: PcapRecord[] = [
    { at: T0, frame: udpFrame(phone, proxy, badLength, 1) },
    { at: T0 + 10, frame: udpFrame(proxy, phone, noVia, 2) },
    { at: T0 + 20, frame: snapped.subarray(0, snapLength) },
    { at: T0 + 30, frame: udpFrame(proxy, phone, noCallId, 4) },
  ];
  /** classicPcap writes incl_len = orig_len; a snapped record says how long the frame was. */
  function withOriginalLength(pcap: Buffer, recordIndex: number, original: number): Buffer {
    let offset = 24;
    for (let i = 0; i < recordIndex; i++) offset += 16 + pcap.readUInt32LE(offset + 8);
    pcap.writeUInt32LE(original, offset + 12);
    return pcap;
  }
  const pcap = withOriginalLength(classicPcap(1, frames), 2, snapped.length);
  const file = save('lenient.pcap', pcap);

  it('keeps each in its call (or the unparsable lane), reason on the arrow', async () => {
    const result = await runCli(['ladder', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(callIdsIn(result.stdout)).toEqual(['lenient-1']);
    expect(result.stdout).toMatch(/^Messages without a readable Call-ID$/m);
    expect(result.stdout).toContain('INVITE [!Content-Length 900 is larger than the');
    expect(result.stdout).toContain('180 Ringing [!no Via header]');
    expect(result.stdout).toMatch(/200 OK \[!cut by the capture's snap length \(\d+ of \d+ bytes captured\)\]/);
    expect(result.stdout).toContain('BYE [!header line without a colon');
    expect(result.stdout).toContain('[!...] = the message fails strict parsing, for this reason');
    expect(result.stderr).toMatch(/read 4 frames: 4 SIP messages in 1 call; skipped 0 unknown/);
  });

  it('agrees with tshark on messages and calls', () => {
    const ours = readSipCapture(pcap);
    expect(ours.messages).toHaveLength(4);
    const theirs = tsharkSipCounts(file);
    expect(theirs.messages).toBe(4);
    expect(theirs.callIds).toBe(new Set(ours.messages.map((m) => m.callId).filter((id) => id !== undefined)).size);
  });

  it('a TCP stream whose Content-Length promises too much still yields the next message', () => {
    const stream = Buffer.from(badLength + message('SIP/2.0 100 Trying', 'lenient-1', '1 INVITE'));
    const { messages } = readSipCapture(classicPcap(1, [{ at: T0, frame: tcpFrame(phone, proxy, stream, 7) }]));
    expect(messages.map((m) => [m.startLine, m.parseError])).toEqual([
      ['INVITE sip:bob@example.com SIP/2.0', expect.stringMatching(/Content-Length 900 is larger/)],
      ['SIP/2.0 100 Trying', undefined],
    ]);
  });
});

describe('a TCP segment cut by the snap length', () => {
  it('gives the cut message with the reason and reads the stream on after it', () => {
    const first = Buffer.from(message('SIP/2.0 200 OK', 'tcp-snap', '1 INVITE', [`X-Padding: ${'p'.repeat(500)}`]));
    const second = Buffer.from(message('BYE sip:bob@example.com SIP/2.0', 'tcp-snap', '2 BYE'));
    const whole = tcpFrame(proxy, phone, first, 100, 1);
    const pcap = classicPcap(1, [
      { at: T0, frame: whole.subarray(0, 300) },
      { at: T0 + 10, frame: tcpFrame(proxy, phone, second, 100 + first.length, 2) },
    ]);
    pcap.writeUInt32LE(whole.length, 24 + 12);
    const { messages } = readSipCapture(pcap);
    expect(messages.map((m) => [m.startLine, m.callId, m.parseError])).toEqual([
      ['SIP/2.0 200 OK', 'tcp-snap', expect.stringMatching(/^cut by the capture's snap length \(246 of \d+ bytes captured\)$/)],
      ['BYE sip:bob@example.com SIP/2.0', 'tcp-snap', undefined],
    ]);
    expect(tsharkSipCounts(save('tcp-snap.pcap', pcap))).toEqual({ messages: messages.length, callIds: new Set(messages.map((m) => m.callId)).size });
  }, 60_000);
});

describe('files that are not whole captures', () => {
  const good = classicPcap(1, records([udpFrame(phone, proxy, message('OPTIONS sip:p SIP/2.0', 'cut-1', '1 OPTIONS')), udpFrame(proxy, phone, message('SIP/2.0 200 OK', 'cut-1', '1 OPTIONS'))]));

  it('a truncated capture is read up to its last whole record, with a warning; --strict refuses it', async () => {
    const file = save('cut.pcap', good.subarray(0, good.length - 30));
    const result = await runCli(['ladder', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('OPTIONS');
    expect(result.stdout).not.toContain('200 OK');
    expect(result.stderr).toMatch(/cut\.pcap is cut short at byte \d+ \(record of \d+ bytes runs past the end of the file\): read the 1 whole frame before it/);
    const strict = await runCli(['ladder', file, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/runs past the end of the file/);
    expect(tsharkSipCounts(file, [], { cutShort: true })).toEqual({ messages: 1, callIds: 1 });
  }, 60_000);

  it('a gzip-compressed capture is read through gunzip', async () => {
    const file = save('call.pcap.gz', gzipSync(good));
    const result = await runCli(['ladder', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('200 OK');
    expect(result.stderr).toMatch(/call\.pcap\.gz is gzip-compressed; read it through gunzip/);
    expect(tsharkSipCounts(file)).toEqual({ messages: 2, callIds: 1 });
  }, 60_000);

  it.each([
    ['NetMon 2', 'GMBU', /Microsoft Network Monitor 2\.x capture, not pcap or pcapng; convert it with: editcap -F pcap .*x\.cap .*x\.pcap/],
    ['snoop', 'snoop\0\0\0', /snoop capture \(Solaris\).*editcap -F pcap/],
    ['zstd', '\x28\xb5\x2f\xfd', /zstd-compressed file.*zstd -d/],
  ])('a %s file is named, with the conversion command', async (_name, magic, expected) => {
    const file = save('x.cap', Buffer.concat([Buffer.from(magic, 'latin1'), Buffer.alloc(64)]));
    const result = await runCli(['ladder', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
  });
});

describe('-i any captures of loopback traffic', () => {
  /** What `tcpdump -i any` stores for a loopback packet: the copy going out, then coming in. */
  const loopback = (ip: Buffer, v2: boolean, outgoing: boolean) => {
    const frame = v2 ? sll2Frame(ip) : sllFrame(ip);
    if (v2) {
      frame.writeUInt16BE(772, 8);
      frame[10] = outgoing ? 4 : 0;
    } else {
      frame.writeUInt16BE(outgoing ? 4 : 0, 0);
      frame.writeUInt16BE(772, 2);
    }
    return frame;
  };
  const a = { address: '127.0.0.1', port: 5070 };
  const b = { address: '127.0.0.1', port: 5080 };
  const texts = [message('INVITE sip:b SIP/2.0', 'lo-1', '1 INVITE'), message('SIP/2.0 200 OK', 'lo-1', '1 INVITE')];

  it.each([
    ['SLL', false, 113],
    ['SLL2', true, 276],
  ])('draws each message once, without a false [retx] (%s)', async (_name, v2, linkType) => {
    const frames = texts.flatMap((text, i) => {
      const ip = udpPacket(i === 0 ? { source: a, destination: b } : { source: b, destination: a }, Buffer.from(text), i);
      return [loopback(ip, v2, true), loopback(ip, v2, false)];
    });
    const file = save(`any-${linkType}.pcap`, classicPcap(linkType, records(frames)));
    const result = await runCli(['ladder', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('[retx]');
    expect(result.stdout.match(/INVITE|200 OK/g)).toEqual(['INVITE', '200 OK']);
    expect(result.stderr).toContain('2 outgoing copies of loopback packets (Linux cooked capture)');
    const counts = tsharkSipCounts(file, ['udp.port==5070,sip']);
    // tshark shows both copies; the outgoing ones are the copies we account for instead.
    expect(counts.messages).toBe(4);
  });
});

describe('--case on a sipbots pcapng', () => {
  it('keeps the messages its packet comments put in that case', async () => {
    const file = save('lab.pcapng', encodePcapng(fullCallEvents()));
    const result = await runCli(['ladder', file, '--case', 'answer-bye-callee']);
    expect(result.code, result.stderr).toBe(0);
    expect(callIdsIn(result.stdout)).toContain('call-1@127.0.0.1');
    const none = await runCli(['ladder', file, '--case', 'no-such-case']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no SIP messages of case no-such-case/);
  });
});
