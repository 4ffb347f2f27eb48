import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { startMediaLab, type MediaLab } from '../scenario/support/media-bots.js';

/** An INVITE straight to bob's registered contact, offering only what the SDP says. */
function invite(to: { host: string; port: number }, from: Socket, sdp: string): string {
  const local = from.address();
  return [
    `INVITE sip:bob@${to.host}:${to.port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local.port};branch=z9hG4bK-offer-${local.port};rport`,
    'Max-Forwards: 70',
    `From: <sip:tester@lab.test>;tag=offer${local.port}`,
    'To: <sip:bob@lab.test>',
    `Call-ID: unacceptable-offer-${local.port}@127.0.0.1`,
    'CSeq: 1 INVITE',
    `Contact: <sip:tester@127.0.0.1:${local.port}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(sdp)}`,
    '',
    sdp,
  ].join('\r\n');
}

/** Final status of the first non-1xx response on `socket`, or undefined after `ms`. */
function finalStatus(socket: Socket, ms: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    socket.on('message', (data) => {
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(data.toString())?.[1]);
      if (status >= 200) {
        clearTimeout(timer);
        resolve(status);
      }
    });
  });
}

describe('a callee bot that cannot answer the offer', () => {
  let lab: MediaLab | undefined;
  let socket: Socket | undefined;
  afterEach(async () => {
    socket?.close();
    await lab?.stop();
  });

  const offers: Array<[string, string]> = [
    ['only G.729 (no common codec)', 'm=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n'],
    ['only video (no audio stream)', 'm=video 40000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n'],
  ];
  it.each(offers)('bob answers an offer of %s with 488 Not Acceptable Here (RFC 3264 §6), not 480', async (_, media) => {
    lab = await startMediaLab(['bob'], (config) => ({ ...config, behaviour: { ...config.behaviour, ringForMs: 0 } }));
    const contact = lab.server.proxy.location.lookup('bob')[0]!.uri;
    socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket!.bind(0, '127.0.0.1', resolve));
    const sdp = `v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n${media}`;
    const answered = finalStatus(socket, 3000);
    socket.send(invite({ host: contact.host, port: contact.port! }, socket, sdp), contact.port!, contact.host);
    expect(await answered).toBe(488);
  });
});
