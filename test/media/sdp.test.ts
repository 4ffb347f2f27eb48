import { describe, expect, it } from 'vitest';
import { SdpNegotiationError, acceptAnswer, answerOffer, buildOffer, negotiateDirection, parseSdp, type LocalAudio } from '../../src/media/sdp.js';

const alice: LocalAudio = { address: '127.0.0.1', port: 40000, direction: 'sendrecv', codecs: ['PCMU', 'PCMA'], telephoneEventPt: 101, sessionId: '42', sessionVersion: 0 };
const bob: LocalAudio = { ...alice, port: 40002, sessionId: '77' };

describe('SDP offer', () => {
  it('offers PCMU, PCMA and telephone-event with ptime 20 on plain RTP/AVP', () => {
    expect(buildOffer(alice)).toBe(
      [
        'v=0',
        'o=sipbots 42 0 IN IP4 127.0.0.1',
        's=sipbots',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=audio 40000 RTP/AVP 0 8 101',
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:8 PCMA/8000',
        'a=rtpmap:101 telephone-event/8000',
        'a=fmtp:101 0-16',
        'a=ptime:20',
        'a=sendrecv',
        '',
      ].join('\r\n'),
    );
  });

  it('writes an IPv6 address as IN IP6 without brackets (RFC 8866 §5.7), and an answer reads it back', () => {
    const offer = buildOffer({ ...alice, address: '::1' });
    expect(offer).toContain('\r\no=sipbots 42 0 IN IP6 ::1\r\ns=sipbots\r\nc=IN IP6 ::1\r\n');
    expect(answerOffer(offer, { ...bob, address: '::1' }).negotiated.remote).toMatchObject({ address: '::1', port: 40000 });
  });

  it('parses media-level attributes', () => {
    const parsed = parseSdp(buildOffer({ ...alice, direction: 'sendonly' }));
    expect(parsed.sessionAddress).toBe('127.0.0.1');
    expect(parsed.media[0]?.direction).toBe('sendonly');
    expect(parsed.media[0]?.rtpmap.get(101)).toBe('telephone-event/8000');
    expect(parsed.media[0]?.ptime).toBe(20);
  });
});

describe('SDP answer (RFC 3264)', () => {
  it('bob answers with the first offered codec he supports, and alice agrees', () => {
    const offer = buildOffer(alice);
    const { sdp, negotiated } = answerOffer(offer, bob);
    expect(negotiated).toMatchObject({ codec: 'PCMU', payloadType: 0, telephoneEventPt: 101, direction: 'sendrecv', remote: { address: '127.0.0.1', port: 40000, rtcpPort: 40001 } });
    expect(sdp).toContain('m=audio 40002 RTP/AVP 0 101\r\n');
    expect(acceptAnswer(sdp, alice)).toMatchObject({ codec: 'PCMU', direction: 'sendrecv', remote: { port: 40002 } });
  });

  it('a PCMA-only offer gets PCMA', () => {
    const offer = buildOffer({ ...alice, codecs: ['PCMA'] });
    expect(offer).toContain('m=audio 40000 RTP/AVP 8 101');
    const { sdp, negotiated } = answerOffer(offer, bob);
    expect(negotiated.codec).toBe('PCMA');
    expect(sdp).toContain('a=rtpmap:8 PCMA/8000');
    expect(sdp).not.toContain('PCMU');
  });

  it('follows the offerer preference order', () => {
    const offer = buildOffer({ ...alice, codecs: ['PCMA', 'PCMU'] });
    expect(answerOffer(offer, bob).negotiated.codec).toBe('PCMA');
  });

  it('no common codec is a SdpNegotiationError (the UAS answers 488)', () => {
    const offer = 'v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n';
    expect(() => answerOffer(offer, bob)).toThrow(SdpNegotiationError);
  });

  it.each([
    ['sendonly', 'sendrecv', 'recvonly'],
    ['recvonly', 'sendrecv', 'sendonly'],
    ['inactive', 'sendrecv', 'inactive'],
    ['sendrecv', 'sendrecv', 'sendrecv'],
    ['sendrecv', 'sendonly', 'sendonly'],
    ['sendonly', 'sendonly', 'inactive'],
  ] as const)('offer %s, local wish %s -> answer %s (§6.1)', (offered, wish, answered) => {
    expect(negotiateDirection(wish, offered)).toBe(answered);
    const { sdp } = answerOffer(buildOffer({ ...alice, direction: offered }), { ...bob, direction: wish });
    expect(sdp).toContain(`a=${answered}\r\n`);
  });

  it('treats c=0.0.0.0 as old-style hold', () => {
    const offer = buildOffer(alice).replace('c=IN IP4 127.0.0.1', 'c=IN IP4 0.0.0.0');
    expect(answerOffer(offer, bob).negotiated.direction).toBe('recvonly');
  });

  it('rejects extra m-lines with port 0, in order', () => {
    const offer = buildOffer(alice) + 'm=video 40010 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n';
    const { sdp } = answerOffer(offer, bob);
    expect(sdp).toContain('m=video 0 RTP/AVP 96\r\n');
    expect(sdp.indexOf('m=audio')).toBeLessThan(sdp.indexOf('m=video'));
  });
});
