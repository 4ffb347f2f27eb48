import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { AudioHistory } from '../../src/media/audio-history.js';
import { decodeG711, encodeG711, g711DecodeTable } from '../../src/media/g711.js';
import { readRtpPacket, writeRtpHeader, writeRtpPacket } from '../../src/media/rtp-wire.js';
import { ToneGenerator } from '../../src/media/tone.js';

const payload = encodeG711('PCMU', new ToneGenerator({ frequencyHz: 1000 }).nextFrame());

describe('RTP on the hot path, checked against werift', () => {
  it('writes the same bytes werift serializes, and reads back the same fields', () => {
    for (const fields of [
      { payloadType: 0, marker: true, sequenceNumber: 0xfffe, timestamp: 0xfffffff0, ssrc: 0xdeadbeef },
      { payloadType: 101, marker: false, sequenceNumber: 7, timestamp: 160, ssrc: 1 },
    ]) {
      const ours = writeRtpPacket(fields, payload);
      const theirs = new RtpPacket(new RtpHeader(fields), Buffer.from(payload)).serialize();
      expect(ours.equals(theirs)).toBe(true);
      const view = readRtpPacket(ours)!;
      expect(view).toEqual({ ...fields, payloadStart: 12, payloadEnd: 172 });
    }
  });

  it('rewrites every header field of a reused buffer (a load media leg sends from the same few buffers)', () => {
    const reused = Buffer.alloc(12 + payload.length, 0xff);
    reused.set(payload, 12);
    const fields = [
      { payloadType: 0, marker: true, sequenceNumber: 0xffff, timestamp: 0xffffffff, ssrc: 0xffffffff },
      { payloadType: 0, marker: false, sequenceNumber: 0, timestamp: 0, ssrc: 0 },
    ];
    for (const f of fields) {
      writeRtpHeader(reused, f.payloadType, f.marker, f.sequenceNumber, f.timestamp, f.ssrc);
      expect(reused.equals(new RtpPacket(new RtpHeader(f), Buffer.from(payload)).serialize())).toBe(true);
    }
  });

  it('finds the payload after CSRCs and a header extension and before padding, as werift does', () => {
    const header = new RtpHeader({ payloadType: 8, sequenceNumber: 300, timestamp: 99, ssrc: 5, csrc: [11, 12], padding: true, paddingSize: 4 });
    header.extensions = [{ id: 1, payload: Buffer.from([0xaa, 0xbb]) }];
    const bytes = new RtpPacket(header, Buffer.from(payload)).serialize();
    const theirs = RtpPacket.deSerialize(bytes);
    const view = readRtpPacket(bytes)!;
    expect(view).toMatchObject({ payloadType: 8, sequenceNumber: 300, timestamp: 99, ssrc: 5 });
    expect(bytes.subarray(view.payloadStart, view.payloadEnd).equals(theirs.payload)).toBe(true);
    expect(bytes.subarray(view.payloadStart, view.payloadEnd).equals(Buffer.from(payload))).toBe(true);
  });

  it('refuses what is not RTP version 2 or shorter than its header says', () => {
    const good = writeRtpPacket({ payloadType: 0, marker: false, sequenceNumber: 1, timestamp: 2, ssrc: 3 }, payload);
    expect(readRtpPacket(good.subarray(0, 11))).toBeUndefined();
    const v1 = Buffer.from(good);
    v1[0] = 0x40;
    expect(readRtpPacket(v1)).toBeUndefined();
    const manyCsrc = Buffer.from(good.subarray(0, 20));
    manyCsrc[0] = 0x8f; // 15 CSRCs declared, none there
    expect(readRtpPacket(manyCsrc)).toBeUndefined();
  });

  it('decodes straight into the history ring the same samples decodeG711 gives', () => {
    const direct = new AudioHistory(400, false);
    const copied = new AudioHistory(400, false);
    const packet = writeRtpPacket({ payloadType: 0, marker: false, sequenceNumber: 1, timestamp: 2, ssrc: 3 }, payload);
    for (let i = 0; i < 3; i++) {
      direct.pushEncoded(packet, 12, packet.length, g711DecodeTable('PCMU'));
      copied.push(decodeG711('PCMU', payload));
    }
    expect(direct.recent()).toEqual(copied.recent());
    expect(direct.recent()).toHaveLength(400);
  });
});
