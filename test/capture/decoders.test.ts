import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gre as decodeGre } from '../../src/capture/decode/gre.js';
import { mpls as decodeMpls } from '../../src/capture/decode/mpls.js';
import { pppoeSession } from '../../src/capture/decode/pppoe.js';
import { gtpU as decodeGtpU, vxlan as decodeVxlan } from '../../src/capture/decode/udp-tunnels.js';
import { readSipCapture } from '../../src/capture/pcap-reader.js';
import { T0 } from './fixtures/call-events.js';
import { classicPcap, sll2Frame } from './fixtures/classic-pcap.js';
import { erspanII, erspanIII, ether, ethertypeOf, gre, gtpU, ipv4, ipv6, mpls, pppoe, udp, vxlan } from './fixtures/encapsulations.js';
import { message } from './fixtures/frames.js';
import { tsharkSipCounts } from './fixtures/tshark.js';

/*
 * One decoder per layer, each tested on bytes built from its RFC, then every encapsulation
 * (alone and nested) in one capture that tshark must read the same way: same SIP messages,
 * same Call-IDs.
 */

/** INVITE and 200 OK of call `callId`, as inner IPv4 (or IPv6) UDP packets. */
function callPackets(callId: string, v6 = false): Buffer[] {
  return [message('INVITE sip:bob@example.com SIP/2.0', callId, '1 INVITE'), message('SIP/2.0 200 OK', callId, '1 INVITE')].map((text) => {
    const datagram = udp(5060, Buffer.from(text), 5060);
    return v6 ? ipv6(17, datagram) : ipv4(17, datagram, [10, 1, 1, 1], [10, 2, 2, 2]);
  });
}

const innerEthernet = (ip: Buffer) => ether(ethertypeOf(ip), ip);

/** Name → how each inner IP packet is wrapped into an Ethernet frame. */
const ENCAPSULATIONS: Record<string, (ip: Buffer) => Buffer> = {
  pppoe: (ip) => ether(0x8864, pppoe(ip)),
  'pppoe-in-qinq': (ip) => ether(0x8864, pppoe(ip), [{ tpid: 0x88a8, vlan: 100 }, { tpid: 0x8100, vlan: 200 }]),
  'ipip-v4-in-v4': (ip) => ether(0x0800, ipv4(4, ip)),
  'ipip-v4-in-v6': (ip) => ether(0x86dd, ipv6(4, ip)),
  'ipip-v6inner-in-v4': (ip) => ether(0x0800, ipv4(41, ip)),
  'ipip-v6inner-in-v6': (ip) => ether(0x86dd, ipv6(41, ip)),
  'gre-ip': (ip) => ether(0x0800, ipv4(47, gre(0x0800, ip))),
  'gre-key-seq-ethernet': (ip) => ether(0x0800, ipv4(47, gre(0x6558, innerEthernet(ip), { key: 5, seq: 9 }))),
  'erspan-ii': (ip) => ether(0x0800, ipv4(47, erspanII(innerEthernet(ip)))),
  'erspan-iii': (ip) => ether(0x0800, ipv4(47, erspanIII(innerEthernet(ip)))),
  'erspan-iii-subheader': (ip) => ether(0x0800, ipv4(47, erspanIII(innerEthernet(ip), true))),
  vxlan: (ip) => ether(0x0800, ipv4(17, vxlan(innerEthernet(ip)))),
  'vxlan-over-v6-vlan-inner': (ip) => ether(0x86dd, ipv6(17, vxlan(ether(ethertypeOf(ip), ip, [{ tpid: 0x8100, vlan: 7 }])))),
  'gtp-u': (ip) => ether(0x0800, ipv4(17, gtpU(ip))),
  'gtp-u-extension': (ip) => ether(0x0800, ipv4(17, gtpU(ip, true))),
  mpls: (ip) => ether(0x8847, mpls([100, 200], ip)),
  'mpls-in-gre-in-vlan': (ip) => ether(0x0800, ipv4(47, gre(0x8847, mpls([16], ip))), [{ tpid: 0x8100, vlan: 10 }]),
  'vxlan-in-gre-in-pppoe': (ip) => ether(0x8864, pppoe(ipv4(47, gre(0x0800, ipv4(17, vxlan(innerEthernet(ip))))))),
};

describe('one decoder per layer, byte by byte', () => {
  const payload = Buffer.from([0x45, 1, 2, 3]);

  it('PPPoE session: PPP protocol 0x0021 is IPv4, 0x0057 IPv6, LCP is not IP; the length bounds the datagram', () => {
    expect(pppoeSession(Buffer.from([0x11, 0, 0x12, 0x34, 0, 6, 0x00, 0x21, 0x45, 1, 2, 3, 0xee, 0xee]))).toEqual({ ethertype: 0x0800, bytes: payload });
    expect(pppoeSession(Buffer.from([0x11, 0, 0, 1, 0, 3, 0x00, 0x57, 0x60]))).toMatchObject({ ethertype: 0x86dd });
    expect(pppoeSession(Buffer.from([0x11, 0, 0, 1, 0, 4, 0xc0, 0x21, 1, 1]))).toEqual({ skip: 'not-ip' });
    expect(pppoeSession(Buffer.from([0x11, 0, 0, 1]))).toMatchObject({ skip: 'unknown', detail: 'PPPoE header cut short' });
  });

  it('MPLS: labels up to bottom of stack, then IP by version nibble, or a pseudowire control word and Ethernet', () => {
    expect(decodeMpls(Buffer.from([0, 0x64, 0x00, 64, 0, 0xc8, 0x01, 64, ...payload]))).toEqual({ ethertype: 0x0800, bytes: payload });
    expect(decodeMpls(Buffer.from([0, 0x64, 0x01, 64, 0, 0, 0, 0, 0x02, 0]))).toEqual({ ethertype: 0x6558, bytes: Buffer.from([0x02, 0]) });
    expect(decodeMpls(Buffer.alloc(80, 0))).toMatchObject({ skip: 'unknown', detail: 'MPLS label stack without a bottom' });
  });

  it('GRE: checksum, key and sequence fields skipped; ERSPAN II and III headers removed', () => {
    expect(decodeGre(Buffer.from([0xb0, 0, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 9, ...payload]))).toEqual({ ethertype: 0x0800, bytes: payload });
    expect(decodeGre(erspanII(payload))).toEqual({ ethertype: 0x6558, bytes: payload });
    expect(decodeGre(erspanIII(payload))).toEqual({ ethertype: 0x6558, bytes: payload });
    expect(decodeGre(erspanIII(payload, true))).toEqual({ ethertype: 0x6558, bytes: payload });
    // ERSPAN type I: protocol 0x88be without a sequence number, no ERSPAN header.
    expect(decodeGre(Buffer.from([0, 0, 0x88, 0xbe, ...payload]))).toEqual({ ethertype: 0x6558, bytes: payload });
    // PPTP's enhanced GRE (version 1) carries PPP.
    expect(decodeGre(Buffer.from([0x30, 0x01, 0x88, 0x0b, 0, 6, 0, 1, 0, 0, 0, 1, 0xff, 0x03, 0x00, 0x21, ...payload]))).toEqual({ ethertype: 0x0800, bytes: payload });
  });

  it('VXLAN needs its I flag; GTP-U takes G-PDUs (with extension headers) and counts its own signalling as other UDP', () => {
    const frame = Buffer.alloc(20, 1);
    expect(decodeVxlan(Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 42, 0]), frame]))).toEqual({ ethertype: 0x6558, bytes: frame });
    expect(decodeVxlan(Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 0, 42, 0]), frame]))).toBeUndefined();
    // gtpU() builds the UDP datagram; the decoder is handed what follows the 8-byte UDP header.
    const gtp = (ip: Buffer, extension = false) => gtpU(ip, extension).subarray(8);
    expect(decodeGtpU(gtp(payload))).toEqual({ ethertype: 0x0800, bytes: payload });
    expect(decodeGtpU(gtp(payload, true))).toEqual({ ethertype: 0x0800, bytes: payload });
    expect(decodeGtpU(Buffer.from([0x32, 0x01, 0, 4, 0, 0, 0, 0, 0, 1, 0, 0]))).toEqual({ skip: 'other-udp' });
  });
});

describe('every encapsulation, alone and nested, as tshark reads it', () => {
  const frames = Object.entries(ENCAPSULATIONS).flatMap(([name, wrap], i) =>
    callPackets(`enc-${name}`, name.includes('v6inner')).map((ip, k) => ({ at: T0 + i * 100 + k, frame: wrap(ip) })),
  );
  const pcap = classicPcap(1, frames);
  const file = join(mkdtempSync(join(tmpdir(), 'sipbots-decoders-')), 'encapsulations.pcap');
  writeFileSync(file, pcap);
  const result = readSipCapture(pcap);

  it.each(Object.keys(ENCAPSULATIONS))('%s: INVITE and 200 OK', (name) => {
    expect(result.messages.filter((m) => m.callId === `enc-${name}`).map((m) => m.startLine)).toEqual(['INVITE sip:bob@example.com SIP/2.0', 'SIP/2.0 200 OK']);
  });

  it('no frame is left unaccounted for, and tshark counts the same messages and calls', () => {
    expect(result.summary.skipped.get('unknown') ?? 0).toBe(0);
    expect(result.summary.sipFrames).toBe(frames.length);
    expect(tsharkSipCounts(file)).toEqual({ messages: result.messages.length, callIds: Object.keys(ENCAPSULATIONS).length });
  });

  it('Linux cooked v2 around GRE around IPv6', () => {
    const frames2 = callPackets('enc-sll2-gre-v6', true).map((ip, k) => ({ at: T0 + k, frame: sll2Frame(ipv4(47, gre(0x86dd, ip))) }));
    expect(readSipCapture(classicPcap(276, frames2)).messages.map((m) => m.party)).toEqual(['[2001:db8::a]:5060', '[2001:db8::a]:5060']);
  });
});
