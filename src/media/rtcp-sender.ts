import type { Endpoint } from '../sip/transport/types.js';
import type { Clock } from '../util/clock.js';
import { buildRtcpReport, ntpMiddle32, type PeerRtcpState } from './rtcp.js';
import type { RtpReceiver } from './rtp-receiver.js';

/** What an RTP session's RTCP sender reads of the session, and how it sends. */
export interface RtcpSenderOptions {
  ssrc: number;
  cname: string;
  /** Mean RTCP interval, ms, randomized ×[0.5, 1.5] (RFC 3550 §6.3.1). */
  intervalMs: number;
  clock: Clock;
  /** Uniform [0, 1); randomizes each interval. */
  random: () => number;
  /** The receiving half: the report block about the peer's stream. */
  receiver: RtpReceiver;
  /** What the peer's RTCP told us: its last SR, for LSR and DLSR. */
  peer: Readonly<PeerRtcpState>;
  /** Our RTP so far: a sender report once any went out. */
  sent: () => { packets: number; bytes: number; lastTimestamp: number };
  /** Where the peer's RTCP goes now (negotiated, or latched), if known. */
  remote: () => Endpoint | undefined;
  send: (bytes: Buffer, remote: Endpoint) => Promise<void>;
}

/**
 * The RTCP reports of one RTP session (RFC 3550 §6): one every randomized interval, counted in
 * the pacer's 20 ms frames, and a last one when the session closes.
 */
export class RtcpSender {
  private framesLeft: number;

  constructor(private readonly options: RtcpSenderOptions) {
    this.framesLeft = this.nextFrames();
  }

  /** The pacer moved on `frames` frames: a report when the interval ran out. */
  advance(frames: number): void {
    this.framesLeft -= frames;
    if (this.framesLeft <= 0) {
      this.framesLeft = this.nextFrames();
      void this.send();
    }
  }

  /** SR if we have sent RTP, else RR; one report block about the peer if we have heard it. */
  send(): Promise<void> {
    const { receiver, clock } = this.options;
    const remote = this.options.remote();
    if (!remote) return Promise.resolve();
    const now = clock.now();
    const last = this.options.peer.lastSenderReport;
    const sent = this.options.sent();
    const bytes = buildRtcpReport({
      ssrc: this.options.ssrc,
      cname: this.options.cname,
      nowMs: now,
      ...(sent.packets > 0 ? { sender: { rtpTimestamp: sent.lastTimestamp, packetCount: sent.packets, octetCount: sent.bytes - 12 * sent.packets } } : {}),
      ...(receiver.ssrc !== undefined && receiver.packets > 0
        ? {
            block: {
              ssrc: receiver.ssrc,
              ...receiver.takeReceptionReport(),
              lsr: last ? ntpMiddle32(last.ntp) : 0,
              dlsr: last ? Math.round(((now - last.receivedAtMs) / 1000) * 65536) >>> 0 : 0,
            },
          }
        : {}),
    });
    return this.options.send(bytes, remote);
  }

  private nextFrames(): number {
    return Math.max(1, Math.round(((0.5 + this.options.random()) * this.options.intervalMs) / 20));
  }
}
