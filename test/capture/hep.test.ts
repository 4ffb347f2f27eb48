import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeHep3, HEP3_MAGIC, hepPacketOfSip } from '../../src/capture/hep-encoder.js';
import { HepTargetError, HepWriter, parseHepTarget } from '../../src/capture/hep-writer.js';
import { udpPacket } from '../../src/capture/packet-headers.js';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from '../../src/capture/pcapng-blocks.js';
import { EventStream } from '../../src/events/event-stream.js';
import type { SipbotsEvent, SipMessageEvent } from '../../src/events/types.js';
import { fullCallEvents } from './fixtures/call-events.js';
import { tshark } from './fixtures/tshark.js';

const HEP_LUA = fileURLToPath(new URL('./fixtures/hep3.lua', import.meta.url));

/** The call fixture, with its stream-transport messages moved to ::1 to cover IPv6 chunks. */
function events(): SipbotsEvent[] {
  return fullCallEvents().map((e) =>
    e.type === 'sip' && e.transport !== 'udp' ? { ...e, local: { ...e.local, address: '::1' }, remote: { ...e.remote, address: '::1' } } : e,
  );
}

/** Chunks of a HEPv3 packet as [type, value], read by hand (not by our encoder). */
function chunks(packet: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  for (let at = 6; at < packet.length; at += packet.readUInt16BE(at + 4)) {
    expect(packet.readUInt16BE(at), 'generic vendor').toBe(0);
    out.push([packet.readUInt16BE(at + 2), packet.subarray(at + 6, at + packet.readUInt16BE(at + 4))]);
  }
  return out;
}

/** tshark on a capture of HEP datagrams, with the HEPv3 dissector that tshark 4.0 lacks loaded from Lua. */
function tsharkHep(file: string, port: number, fields: string[]): string[][] {
  const hasBuiltin = tshark(['-G', 'protocols']).split('\n').some((l) => l.split('\t')[2] === 'hep');
  const lua = hasBuiltin ? [] : ['-X', `lua_script:${HEP_LUA}`];
  return tshark([...lua, '-r', file, '-d', `udp.port==${port},hep`, '-Y', 'hep', '-T', 'fields', '-E', 'occurrence=f', ...fields.flatMap((f) => ['-e', f])])
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
}

describe('HEPv3 encoding', () => {
  const invite = fullCallEvents().find((e): e is SipMessageEvent => e.type === 'sip' && e.method === 'INVITE' && e.direction === 'out')!;

  it('starts with HEP3 and the total length, then the generic chunks in spec order', () => {
    const packet = encodeHep3(hepPacketOfSip(invite), { captureId: 7 });
    expect(packet.readUInt32BE(0)).toBe(HEP3_MAGIC);
    expect(packet.readUInt16BE(4)).toBe(packet.length);
    const got = chunks(packet);
    expect(got.map(([type]) => type)).toEqual([0x01, 0x02, 0x03, 0x04, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0f, 0x11]);
    const value = new Map(got);
    expect(value.get(0x01)).toEqual(Buffer.from([2]));
    expect(value.get(0x02)).toEqual(Buffer.from([17]));
    expect([...value.get(0x03)!]).toEqual([127, 0, 0, 1]);
    expect(value.get(0x07)!.readUInt16BE()).toBe(invite.local.port);
    expect(value.get(0x08)!.readUInt16BE()).toBe(invite.remote.port);
    expect(value.get(0x09)!.readUInt32BE() * 1000 + value.get(0x0a)!.readUInt32BE() / 1000).toBeCloseTo(invite.at, 3);
    expect(value.get(0x0b)).toEqual(Buffer.from([1]));
    expect(value.get(0x0c)!.readUInt32BE()).toBe(7);
    expect(value.get(0x0f)!.toString()).toBe(invite.raw);
    expect(value.get(0x11)!.toString()).toBe(invite.callId);
  });

  it('adds the authentication key chunk only when a capture password is set', () => {
    expect(chunks(encodeHep3(hepPacketOfSip(invite))).some(([type]) => type === 0x0e)).toBe(false);
    expect(new Map(chunks(encodeHep3(hepPacketOfSip(invite), { password: 'myHep' }))).get(0x0e)?.toString()).toBe('myHep');
  });

  it('refuses a message that does not fit the 16-bit length', () => {
    expect(() => encodeHep3({ ...hepPacketOfSip(invite), payload: Buffer.alloc(70_000) })).toThrow(RangeError);
  });

  it('parses udp:HOST:PORT and says how to write it otherwise', () => {
    expect(parseHepTarget('udp:127.0.0.1:9060')).toEqual({ host: '127.0.0.1', port: 9060 });
    expect(parseHepTarget('udp:[::1]:9060')).toEqual({ host: '::1', port: 9060 });
    for (const bad of ['127.0.0.1:9060', 'tcp:127.0.0.1:9060', 'udp:127.0.0.1:0', 'udp:127.0.0.1']) expect(() => parseHepTarget(bad)).toThrow(HepTargetError);
  });
});

describe('HepWriter to a local collector, decoded by tshark', () => {
  it('sends each SIP message once as on the wire, and tshark decodes HEP back to the same SIP', async () => {
    const collector = createSocket('udp4');
    const received: Array<{ at: number; bytes: Buffer; port: number }> = [];
    collector.on('message', (bytes, rinfo) => received.push({ at: Date.now(), bytes, port: rinfo.port }));
    await new Promise<void>((resolve) => collector.bind(0, '127.0.0.1', () => resolve()));
    const port = collector.address().port;
    const sip = events().filter((e): e is SipMessageEvent => e.type === 'sip');
    const sent = sip.filter((e) => e.direction === 'out');
    try {
      const stream = new EventStream();
      const writer = new HepWriter({ host: '127.0.0.1', port }, stream, { captureId: 2001 });
      for (const event of events()) stream.emit(event);
      await writer.close();
      expect(writer.sent).toBe(sent.length);
      const deadline = Date.now() + 5000;
      while (received.length < sent.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      await new Promise<void>((resolve) => collector.close(() => resolve()));
    }
    expect(received).toHaveLength(sent.length);

    // What the collector got, as a capture on its port.
    const file = join(mkdtempSync(join(tmpdir(), 'sipbots-hep-')), 'hep.pcapng');
    const ends = (from: number) => ({ source: { address: '127.0.0.1', port: from }, destination: { address: '127.0.0.1', port } });
    writeFileSync(
      file,
      Buffer.concat([
        sectionHeaderBlock('sipbots hep test'),
        interfaceDescriptionBlock('lo', 'HEP collector'),
        ...received.map((r, i) => enhancedPacketBlock(0, r.at * 1000, udpPacket(ends(r.port), r.bytes, i + 1))),
      ]),
    );
    const rows = tsharkHep(file, port, ['sip.Request-Line', 'sip.Status-Line', 'hep.capture_id', 'hep.correlation_id', 'hep.ip_family', 'hep.src_port', 'hep.dst_port', 'hep.ts_sec', 'hep.ts_usec', 'sip.Call-ID']);
    expect(rows.map((r) => r[0] || r[1])).toEqual(sent.map((e) => e.startLine));
    rows.forEach((row, i) => {
      const e = sent[i]!;
      expect(row.slice(2, 7)).toEqual(['2001', e.callId, e.local.address === '::1' ? '10' : '2', String(e.local.port), String(e.remote.port)]);
      expect(Number(row[7]) * 1000 + Number(row[8]) / 1000).toBeCloseTo(e.at, 3);
      expect(row[9]).toBe(e.callId);
    });
    const bad = tsharkHep(file, port, ['_ws.malformed', '_ws.expert']).filter((r) => r.some(Boolean));
    expect(bad).toEqual([]);
  });
});
