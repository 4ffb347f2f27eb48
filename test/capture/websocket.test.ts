import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readWebSocketFrame } from '../../src/capture/decode/websocket.js';
import { readSipCapture } from '../../src/capture/pcap-reader.js';
import { runCli } from '../support/run-cli.js';
import { T0 } from './fixtures/call-events.js';
import { classicPcap, ethernetFrame, tcpPacket, type PcapRecord } from './fixtures/classic-pcap.js';
import { message } from './fixtures/frames.js';
import { tsharkSipCounts } from './fixtures/tshark.js';

/*
 * SIP over WebSocket (RFC 7118) as a browser phone and its server put it on the wire: an HTTP
 * upgrade, masked frames from the client, unmasked from the server, a message fragmented over
 * two frames, a ping between, two frames in one TCP segment, one frame over two segments.
 */

/** RFC 6455 §5.2 frame; `mask` is the client's 4-byte key. */
function wsFrame(payload: string | Buffer, options: { opcode?: number; fin?: boolean; mask?: number[] } = {}): Buffer {
  const data = Buffer.from(payload);
  const { opcode = 1, fin = true, mask } = options;
  const head = [(fin ? 0x80 : 0) | opcode];
  const maskBit = mask ? 0x80 : 0;
  if (data.length < 126) head.push(maskBit | data.length);
  else head.push(maskBit | 126, data.length >> 8, data.length & 0xff);
  const body = Buffer.from(data);
  if (mask) for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([Buffer.from(head), Buffer.from(mask ?? []), body]);
}

const KEY = [0x37, 0xfa, 0x21, 0x3d];
const browser = { address: '192.0.2.50', port: 50123 };

const upgrade = (port: number) =>
  Buffer.from(
    `GET /ws HTTP/1.1\r\nHost: 192.0.2.60:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
      'Sec-WebSocket-Protocol: sip\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
const switching = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: sip\r\n\r\n');

const m = (start: string, cseq: string) => message(start, 'ws-call-1', cseq);
const invite = m('INVITE sip:bob@example.com SIP/2.0', '1 INVITE');
const ok = m('SIP/2.0 200 OK', '1 INVITE');

/** Client and server segments in order: [from client?, bytes]. */
function conversation(): Array<[boolean, Buffer]> {
  const okFrame = wsFrame(ok);
  return [
    [true, upgrade(0)],
    [false, switching],
    [true, wsFrame(message('REGISTER sip:example.com SIP/2.0', 'ws-reg-1', '1 REGISTER'), { mask: KEY })],
    [false, wsFrame(message('SIP/2.0 200 OK', 'ws-reg-1', '1 REGISTER'))],
    // INVITE in two frames (text, then continuation) with a ping between them, in one segment.
    [true, Buffer.concat([wsFrame(invite.slice(0, 100), { fin: false, mask: KEY }), wsFrame('', { opcode: 9, mask: KEY }), wsFrame(invite.slice(100), { opcode: 0, mask: KEY })])],
    [false, wsFrame('', { opcode: 10 })],
    [false, wsFrame(m('SIP/2.0 100 Trying', '1 INVITE'))],
    [false, wsFrame(m('SIP/2.0 180 Ringing', '1 INVITE'))],
    // The 200 OK frame split over two segments.
    [false, okFrame.subarray(0, 60)],
    [false, okFrame.subarray(60)],
    // ACK and BYE: two frames in one segment.
    [true, Buffer.concat([wsFrame(m('ACK sip:bob@example.com SIP/2.0', '1 ACK'), { mask: KEY }), wsFrame(m('BYE sip:bob@example.com SIP/2.0', '2 BYE'), { mask: KEY })])],
  ];
}

function capture(port: number): Buffer {
  const server = { address: '192.0.2.60', port };
  const seq = { client: 1000, server: 9000 };
  const records: PcapRecord[] = conversation().map(([fromClient, bytes], i) => {
    const data = i === 0 ? upgrade(port) : bytes;
    const ends = fromClient ? { source: browser, destination: server } : { source: server, destination: browser };
    const key = fromClient ? 'client' : 'server';
    const frame = ethernetFrame(tcpPacket(ends, data, { seq: seq[key], ack: fromClient ? seq.server : seq.client }, i));
    seq[key] += data.length;
    return { at: T0 + i * 10, frame };
  });
  return classicPcap(1, records);
}

const EXPECTED = ['REGISTER', '200', 'INVITE', '100', '180', '200', 'ACK', 'BYE'];
const labels = (pcap: Buffer) => readSipCapture(pcap).messages.map((msg) => msg.method ?? String(msg.status));

describe('SIP over WebSocket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sipbots-ws-'));

  it('frames: masked and unmasked, 16-bit lengths, waiting for more bytes, rejecting garbage', () => {
    const long = 'x'.repeat(300);
    expect(readWebSocketFrame(wsFrame(long, { mask: KEY }))).toMatchObject({ fin: true, opcode: 1, payload: Buffer.from(long), size: 300 + 8 });
    expect(readWebSocketFrame(wsFrame('abc'))).toMatchObject({ payload: Buffer.from('abc'), size: 5 });
    expect(readWebSocketFrame(wsFrame(long).subarray(0, 100))).toBeUndefined();
    expect(readWebSocketFrame(Buffer.from([0x85, 0]))).toBe('invalid');
  });

  it('every message on port 8080, where tshark finds the upgrade too; same count as tshark', () => {
    const pcap = capture(8080);
    expect(labels(pcap)).toEqual(EXPECTED);
    const result = readSipCapture(pcap);
    expect(result.messages.every((msg) => msg.transport === 'ws')).toBe(true);
    expect(result.summary.skipped.get('ws-control')).toBe(3);
    const file = join(dir, 'ws-8080.pcap');
    writeFileSync(file, pcap);
    expect(tsharkSipCounts(file)).toEqual({ messages: EXPECTED.length, callIds: 2 });
  });

  it('on any port an upgrade is seen on (tshark needs -d to look there)', async () => {
    const pcap = capture(10080);
    expect(labels(pcap)).toEqual(EXPECTED);
    const file = join(dir, 'ws-10080.pcap');
    writeFileSync(file, pcap);
    expect(tsharkSipCounts(file, ['tcp.port==10080,http'])).toEqual({ messages: EXPECTED.length, callIds: 2 });
    const cli = await runCli(['ladder', file, '--call', 'ws-call-1']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.match(/INVITE|Trying|Ringing|200 OK|ACK|BYE/g)).toEqual(['INVITE', 'Trying', 'Ringing', '200 OK', 'ACK', 'BYE']);
    expect(cli.stderr).toMatch(/read 11 frames: 8 SIP messages in 2 calls; skipped 3 WebSocket handshakes and control frames, 0 unknown/);
  });

  it('two SIP messages in one WebSocket message are both drawn', () => {
    const both = Buffer.concat([wsFrame(m('SIP/2.0 100 Trying', '1 INVITE') + m('SIP/2.0 180 Ringing', '1 INVITE'))]);
    const server = { address: '192.0.2.60', port: 8080 };
    const frames = [
      ethernetFrame(tcpPacket({ source: browser, destination: server }, upgrade(8080), { seq: 1, ack: 1 }, 1)),
      ethernetFrame(tcpPacket({ source: server, destination: browser }, Buffer.concat([switching, both]), { seq: 1, ack: 1 }, 2)),
    ];
    expect(labels(classicPcap(1, frames.map((frame, i) => ({ at: T0 + i, frame }))))).toEqual(['100', '180']);
  });
});
