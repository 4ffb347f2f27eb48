/**
 * The two "sockets" an RtpSession is attached to on a WebRTC call (RtpSession.attach), so that
 * plain RTP and WebRTC share one tone sender, pacer, receiver statistics, Goertzel detector and
 * WAV recorder. The RTP port is werift's audio transceiver: what the session sends goes out
 * through the RTP sender (SRTP over the DTLS transport ICE selected, RFC 5764 §4.1), and every
 * decrypted packet the receiver's track delivers comes back as a 'message' event.
 *
 *   pacer ─tick─▶ RtpSession ─send()─▶ SrtpRtpPort ─▶ RTCRtpSender.sendRtp ─SRTP─▶ peer
 *                 RtpSession ◀─'message'─ SrtpRtpPort ◀─ track.onReceiveRtp ◀─SRTP── peer
 *
 * RTCP is werift's: its sender and receiver send SR/RR on the muxed transport (RFC 5761) with the
 * SSRC the sender rewrites into our packets, so the session's own reports are not sent.
 */

import type dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { RtpPacket, type RTCRtpTransceiver } from 'werift';
import type { Endpoint } from '../../sip/transport/types.js';

type SendCallback = (error: Error | null, bytes: number) => void;

/** Carries RTP between an RtpSession and a werift transceiver (see above). */
class SrtpRtpPort extends EventEmitter {
  private readonly unsubscribe: () => void;
  private closed = false;

  constructor(
    private readonly transceiver: RTCRtpTransceiver,
    private readonly remote: Endpoint,
    private readonly logger: Logger,
  ) {
    super();
    const rinfo: dgram.RemoteInfo = { address: remote.address, port: remote.port, family: 'IPv4', size: 0 };
    this.unsubscribe = transceiver.receiver.track.onReceiveRtp.subscribe((packet: RtpPacket) => {
      const bytes = packet.serialize();
      this.emit('message', bytes, { ...rinfo, size: bytes.length });
    }).unSubscribe;
  }

  send(bytes: Uint8Array, _port: number, _address: string, callback?: SendCallback): void {
    if (this.closed) return callback?.(null, 0);
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const sender = this.transceiver.sender;
    const sent = sender.codec && (buffer[1]! & 0x7f) !== sender.codec.payloadType ? this.sendEvent(buffer) : sender.sendRtp(buffer);
    sent.then(
      () => callback?.(null, buffer.length),
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (callback) callback(failure, 0);
        else this.logger.warn({ err: failure, remote: this.remote }, 'SRTP send failed');
      },
    );
  }

  /**
   * RFC 4733 telephone-events: werift's sender would stamp the audio payload type on them, so
   * they go to the DTLS transport's SRTP directly, under the sender's SSRC. Sequence numbers and
   * timestamps need no rewriting: the sender keeps ours (its offsets stay 0 without replaceTrack).
   */
  private async sendEvent(buffer: Buffer): Promise<void> {
    const sender = this.transceiver.sender;
    if (sender.dtlsTransport.state !== 'connected') return;
    const packet = RtpPacket.deSerialize(buffer);
    packet.header.ssrc = sender.ssrc;
    await sender.dtlsTransport.sendRtp(packet.payload, packet.header);
  }

  close(callback?: () => void): void {
    if (!this.closed) this.unsubscribe();
    this.closed = true;
    callback?.();
  }
}

/** Takes the session's RTCP and sends nothing: werift reports for the stream it actually sends. */
class WeriftRtcpPort extends EventEmitter {
  send(_bytes: Uint8Array, _port: number, _address: string, callback?: SendCallback): void {
    callback?.(null, 0);
  }

  close(callback?: () => void): void {
    callback?.();
  }
}

export interface SrtpDatagramPorts {
  rtp: dgram.Socket;
  rtcp: dgram.Socket;
}

/**
 * The pair for RtpSession.attach(). The cast is the seam: RtpSession uses only `send`,
 * `on('message' | 'error')` and `close` of its sockets, which these implement.
 */
export function srtpDatagramPorts(transceiver: RTCRtpTransceiver, remote: Endpoint, logger: Logger): SrtpDatagramPorts {
  return {
    rtp: new SrtpRtpPort(transceiver, remote, logger) as unknown as dgram.Socket,
    rtcp: new WeriftRtcpPort() as unknown as dgram.Socket,
  };
}
