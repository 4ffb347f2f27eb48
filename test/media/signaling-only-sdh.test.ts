import { describe, expect, it } from 'vitest';
import { SignalingOnlySdh } from '../../src/media/signaling-only-sdh.js';
import { parseSdp } from '../../src/media/sdp.js';

const offer = (mLines: string[], rtpmaps: string[] = []) =>
  ['v=0', 'o=phone 1 1 IN IP4 127.0.0.9', 's=-', 'c=IN IP4 127.0.0.9', 't=0 0', ...mLines, ...rtpmaps, ''].join('\r\n');

async function answerTo(sdp: string) {
  const sdh = new SignalingOnlySdh('127.0.0.1');
  await sdh.setDescription(sdp);
  return parseSdp((await sdh.getDescription()).body);
}

describe('SignalingOnlySdh (--media none) answers as RFC 3264 §6.1 says', () => {
  it('lists only a codec the offer listed, and the offer\'s telephone-event payload type', async () => {
    const answer = await answerTo(offer(['m=audio 4000 RTP/AVP 8 96'], ['a=rtpmap:8 PCMA/8000', 'a=rtpmap:96 telephone-event/8000']));
    expect(answer.media).toHaveLength(1);
    expect(answer.media[0]!.formats).toEqual(['8', '96']);
    expect(answer.media[0]!.port).toBe(9);
    expect(answer.media[0]!.direction).toBe('inactive');
  });

  it('rejects the offer\'s other streams with port 0, keeping the m-line count', async () => {
    const answer = await answerTo(offer(['m=audio 4000 RTP/AVP 0', 'm=video 4002 RTP/AVP 31']));
    expect(answer.media.map((m) => [m.media, m.port])).toEqual([['audio', 9], ['video', 0]]);
    expect(answer.media[0]!.formats).toEqual(['0']);
  });

  it('refuses an offer without PCMU or PCMA when it arrives (the request fails, 488)', async () => {
    const sdh = new SignalingOnlySdh('127.0.0.1');
    await expect(sdh.setDescription(offer(['m=audio 4000 RTP/AVP 18'], ['a=rtpmap:18 G729/8000']))).rejects.toThrow(/no common codec/);
  });

  it('offers both laws on its own, then takes the answer without answering it again', async () => {
    const sdh = new SignalingOnlySdh('127.0.0.1');
    const ours = parseSdp((await sdh.getDescription()).body);
    expect(ours.media[0]!.formats).toEqual(['0', '8', '101']);
    await sdh.setDescription(offer(['m=audio 4000 RTP/AVP 0']));
    const next = parseSdp((await sdh.getDescription({ codecs: ['PCMA'] })).body);
    expect(next.media[0]!.formats).toEqual(['8', '101']);
  });
});
