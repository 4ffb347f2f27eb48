import { RtcpPacketConverter, RtcpRrPacket, RtcpSrPacket, RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { encodeG711 } from '../../src/media/g711.js';
import { applyPeerRtcp, buildRtcpReport, buildSdesCname, ntpFromMs, ntpMiddle32, type PeerRtcpState } from '../../src/media/rtcp.js';
import { ToneGenerator } from '../../src/media/tone.js';

describe('RTP packet', () => {
  it('encodes a PCMU frame with the fixed header fields and parses back to the same bytes', () => {
    const payload = encodeG711('PCMU', new ToneGenerator({ frequencyHz: 440 }).nextFrame());
    const header = new RtpHeader({ payloadType: 0, marker: true, sequenceNumber: 0xfffe, timestamp: 0xfffffff0, ssrc: 0xdeadbeef });
    const bytes = new RtpPacket(header, Buffer.from(payload)).serialize();
    expect(bytes.length).toBe(12 + 160);
    expect(bytes.subarray(0, 12).toString('hex')).toBe('8080fffefffffff0deadbeef');
    const parsed = RtpPacket.deSerialize(bytes);
    expect(parsed.header.marker).toBe(true);
    expect(parsed.header.sequenceNumber).toBe(0xfffe);
    expect(parsed.serialize().equals(bytes)).toBe(true);
  });
});

describe('RTCP reports', () => {
  const now = Date.UTC(2026, 0, 1);

  it('builds SR + SDES CNAME, and the parse round-trips to the same bytes', () => {
    const bytes = buildRtcpReport({
      ssrc: 0x11111111,
      cname: 'bot@127.0.0.1',
      nowMs: now,
      sender: { rtpTimestamp: 1234, packetCount: 50, octetCount: 8000 },
      block: { ssrc: 0x22222222, fractionLost: 12, cumulativeLost: 3, extendedHighestSequence: 0x10005, jitter: 17, lsr: 0xabcd, dlsr: 0x8000 },
    });
    const [sr, sdes] = RtcpPacketConverter.deSerialize(bytes);
    expect(sr).toBeInstanceOf(RtcpSrPacket);
    const srPacket = sr as RtcpSrPacket;
    expect(srPacket.senderInfo.packetCount).toBe(50);
    expect(srPacket.reports[0]?.jitter).toBe(17);
    expect(srPacket.reports[0]?.highestSequence).toBe(0x10005);
    expect(Buffer.concat([srPacket.serialize(), buildSdesCname(0x11111111, 'bot@127.0.0.1')]).equals(bytes)).toBe(true);
    expect(sdes?.type).toBe(202);
  });

  it('builds an RR when we have not sent', () => {
    const bytes = buildRtcpReport({ ssrc: 1, cname: 'x', nowMs: now });
    expect(RtcpPacketConverter.deSerialize(bytes)[0]).toBeInstanceOf(RtcpRrPacket);
  });

  it('SDES chunks always end with a null octet and are 32-bit aligned', () => {
    for (const cname of ['ab', 'abc', 'abcd', 'abcdef']) {
      const sdes = buildSdesCname(7, cname);
      expect(sdes.length % 4).toBe(0);
      expect(sdes[10 + cname.length]).toBe(0);
    }
  });

  it('computes the round trip from LSR/DLSR in a report about our stream', () => {
    const state: PeerRtcpState = { reportsReceived: 0 };
    const ourSrSentAt = now;
    const lsr = ntpMiddle32(ntpFromMs(ourSrSentAt));
    // The peer held our SR for 100 ms; the report arrives 130 ms after we sent the SR: RTT 30 ms.
    const rr = buildRtcpReport({ ssrc: 2, cname: 'peer', nowMs: now + 130, block: { ssrc: 1, fractionLost: 0, cumulativeLost: 0, extendedHighestSequence: 10, jitter: 0, lsr, dlsr: Math.round(0.1 * 65536) } });
    applyPeerRtcp(state, rr, 1, now + 130);
    expect(state.reportsReceived).toBe(1);
    expect(state.roundTripMs).toBeCloseTo(30, 0);
  });
});
