/**
 * One call leg's media: an RTP/RTCP socket pair on the bind address, a paced G.711 sender
 * (tone or WAV, RFC 3551 20 ms frames), a receiver that decodes, tracks RFC 3550 statistics and
 * detects the dominant tone, RTCP reports every ~5 s and at close (rtcp-sender.ts), and RFC 4733 DTMF.
 * Symmetric RTP (RFC 4961): we send from the port we receive on.
 *
 *   RTP fixed header (RFC 3550 §5.1), written and read by rtp-wire.ts (see there why not werift's
 *   RtpPacket on this path; RTCP goes through werift):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           timestamp                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           synchronization source (SSRC) identifier            |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 */

import type dgram from 'node:dgram';
import type { Logger } from 'pino';
import { isRtcp } from 'werift';
import type { Direction, MediaStreamStats } from '../events/types.js';
import type { Endpoint } from '../sip/transport/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import { DtmfSender, type DtmfOptions } from './dtmf.js';
import { G711_PAYLOAD_TYPE, encodeG711, type G711Codec } from './g711.js';
import { sharedPacer, type PacedTick, type Pacer } from './pacer.js';
import { applyPeerRtcp, type PeerRtcpState } from './rtcp.js';
import { RtcpSender } from './rtcp-sender.js';
import { RtpReceiver } from './rtp-receiver.js';
import type { MediaDirection } from './sdp.js';
import { FRAME_SAMPLES, SAMPLE_RATE, ToneGenerator, type AudioSource } from './tone.js';
import { bindPortPair, closeSocket } from './udp-port-pair.js';
import { readRtpPacket, writeRtpPacket, type RtpView } from './rtp-wire.js';
import { RtpLatch } from './nat/rtp-latch.js';

/** Every RTP/RTCP datagram sent or received, for captures and the event stream. */
export type MediaPacketListener = (direction: Direction, local: Endpoint, remote: Endpoint, bytes: Uint8Array, rtcp: boolean) => void;

export interface RtpSessionOptions {
  /** Default 127.0.0.1. */
  bindAddress?: string;
  portRange?: readonly [number, number];
  /** Initial codec, until negotiation says otherwise; default PCMU. */
  codec?: G711Codec;
  /** Tone to send, Hz; ignored when `audio` is given. Default 440. */
  toneHz?: number;
  audio?: AudioSource;
  clock?: Clock;
  /** Uniform [0, 1); picks SSRC, initial sequence number and timestamp (RFC 3550 §5.1). */
  random?: () => number;
  pacer?: Pacer;
  logger?: Logger;
  onPacket?: MediaPacketListener;
  /** Keep everything heard for `recording()`. */
  record?: boolean;
  /** Seconds of decoded audio kept for tone detection; default 2. */
  historySeconds?: number;
  /** Mean RTCP interval; default 5000 ms, randomized ×[0.5, 1.5] (RFC 3550 §6.3.1). */
  rtcpIntervalMs?: number;
  cname?: string;
}

/** Where to send and how, as negotiated. Omitted fields keep their value. */
export interface RtpSessionConfig {
  remote?: Endpoint;
  remoteRtcp?: Endpoint;
  codec?: G711Codec;
  payloadType?: number;
  /** telephone-event payload type; undefined disables DTMF sending. */
  telephoneEventPt?: number | null;
  direction?: MediaDirection;
  /** Send to where the peer's RTP comes from once it arrives (see RtpLatch); default off. */
  latching?: boolean;
}

export interface RtpMediaStats {
  codec: string;
  sent: { packets: number; bytes: number; toneHz?: number };
  received: MediaStreamStats;
}

export class RtpSession {
  readonly local: Endpoint;
  readonly rtcpLocal: Endpoint;
  readonly ssrc: number;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly pacer: Pacer;
  private readonly onPacket: MediaPacketListener | undefined;
  private readonly audio: AudioSource;
  private readonly toneHz: number | undefined;
  /** A tone whose second repeats exactly, pre-encoded per codec: no sin() or companding per packet. */
  private readonly toneSecond: Int16Array | undefined;
  private readonly encodedSecond = new Map<G711Codec, Uint8Array>();
  /** Sample position of the audio source, for the pre-encoded tone. */
  private audioPosition = 0;
  private readonly dtmfOut = new DtmfSender();
  private readonly receiver: RtpReceiver;
  /** Resolved once the DTMF queue has gone out (or media stopped). */
  private dtmfWaiters: Array<() => void> = [];
  private readonly peerRtcp: PeerRtcpState = { reportsReceived: 0 };
  private readonly rtcpSender: RtcpSender;

  private codec: G711Codec;
  private payloadType: number;
  private telephoneEventPt: number | undefined;
  private direction: MediaDirection = 'sendrecv';
  private remote: Endpoint | undefined;
  private remoteRtcp: Endpoint | undefined;
  private latch: RtpLatch | undefined;

  private sequence: number;
  private readonly timestampBase: number;
  private samplesElapsed = 0;
  private ticked = false;
  private talking = false;
  private sentPackets = 0;
  private sentBytes = 0;
  private lastSentTimestamp = 0;

  private startedAt: number | undefined;
  private unregister: (() => void) | undefined;
  private closing: Promise<RtpMediaStats> | undefined;
  private malformed = 0;

  private constructor(
    private readonly rtp: dgram.Socket,
    private readonly rtcp: dgram.Socket,
    port: number,
    options: RtpSessionOptions,
  ) {
    const address = options.bindAddress ?? '127.0.0.1';
    this.local = { address, port };
    this.rtcpLocal = { address, port: port + 1 };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.pacer = options.pacer ?? sharedPacer();
    this.onPacket = options.onPacket;
    this.ssrc = Math.floor(this.random() * 2 ** 32) >>> 0;
    this.sequence = Math.floor(this.random() * 0x10000);
    this.timestampBase = Math.floor(this.random() * 2 ** 32) >>> 0;
    this.logger = (options.logger ?? silentLogger).child({ media: `${address}:${port}`, ssrc: this.ssrc });
    this.codec = options.codec ?? 'PCMU';
    this.payloadType = G711_PAYLOAD_TYPE[this.codec];
    if (options.audio) this.audio = options.audio;
    else {
      this.toneHz = options.toneHz ?? 440;
      const tone = new ToneGenerator({ frequencyHz: this.toneHz });
      this.audio = tone;
      this.toneSecond = tone.periodicSecond();
    }
    this.receiver = new RtpReceiver({ historySamples: Math.round((options.historySeconds ?? 2) * SAMPLE_RATE), record: options.record ?? false, logger: this.logger });
    this.rtcpSender = new RtcpSender({
      ssrc: this.ssrc,
      cname: options.cname ?? `sipbots-${this.ssrc.toString(16)}@${address}`,
      intervalMs: options.rtcpIntervalMs ?? 5000,
      clock: this.clock,
      random: this.random,
      receiver: this.receiver,
      peer: this.peerRtcp,
      sent: () => ({ packets: this.sentPackets, bytes: this.sentBytes, lastTimestamp: this.lastSentTimestamp }),
      remote: () => this.remoteRtcp,
      send: (bytes, remote) => this.send(this.rtcp, this.rtcpLocal, remote, bytes, true),
    });
    rtp.on('message', (msg, rinfo) => this.onDatagram(msg, { address: rinfo.address, port: rinfo.port }, this.local));
    rtcp.on('message', (msg, rinfo) => this.onDatagram(msg, { address: rinfo.address, port: rinfo.port }, this.rtcpLocal));
    for (const socket of [rtp, rtcp]) socket.on('error', (error) => this.logger.error({ err: error }, 'media socket error'));
  }

  /** Binds the RTP/RTCP ports; media flows after `configure({ remote })` and `start()`. */
  static async open(options: RtpSessionOptions = {}): Promise<RtpSession> {
    const pair = await bindPortPair({ address: options.bindAddress ?? '127.0.0.1', ...(options.portRange ? { portRange: options.portRange } : {}) });
    return new RtpSession(pair.rtp, pair.rtcp, pair.port, options);
  }

  /**
   * Media over datagram ports someone else provides instead of bound UDP sockets: WebRTC
   * (src/media/webrtc) hands our RTP to werift's SRTP sender and feeds decrypted RTP back as
   * 'message' events. Only `send`, `on('message' | 'error')` and `close` are used.
   */
  static attach(rtp: dgram.Socket, rtcp: dgram.Socket, local: Endpoint, options: RtpSessionOptions = {}): RtpSession {
    return new RtpSession(rtp, rtcp, local.port, { ...options, bindAddress: local.address });
  }

  configure(config: RtpSessionConfig): void {
    if (config.latching !== undefined) this.latch = config.latching ? new RtpLatch() : undefined;
    if (config.remote) {
      this.remote = config.remote;
      this.latch?.reset();
    }
    if (config.remoteRtcp) this.remoteRtcp = config.remoteRtcp;
    else if (config.remote) this.remoteRtcp = { address: config.remote.address, port: config.remote.port + 1 };
    if (config.codec) {
      this.codec = config.codec;
      this.payloadType = config.payloadType ?? G711_PAYLOAD_TYPE[config.codec];
    }
    if (config.telephoneEventPt !== undefined) this.telephoneEventPt = config.telephoneEventPt ?? undefined;
    if (config.direction && config.direction !== this.direction) {
      this.logger.debug({ from: this.direction, to: config.direction }, 'media direction');
      this.direction = config.direction;
    }
  }

  /** Joins the shared pacer; first-packet delay is measured from now. Idempotent. */
  start(): void {
    if (this.unregister || this.closing) return;
    this.startedAt = this.clock.now();
    this.receiver.setReference(this.startedAt);
    this.unregister = this.pacer.register({ tick: (tick) => this.tick(tick) });
  }

  get running(): boolean {
    return this.unregister !== undefined;
  }

  get mediaDirection(): MediaDirection {
    return this.direction;
  }

  /** Queues RFC 4733 events; false if telephone-event was not negotiated or we are not sending (not running, or on hold). */
  sendDtmf(tones: string, options?: DtmfOptions): boolean {
    if (this.telephoneEventPt === undefined || !this.running || this.direction === 'recvonly' || this.direction === 'inactive') return false;
    this.dtmfOut.enqueue(tones, options);
    return true;
  }

  /** Resolves when every queued DTMF digit, end packets and gap included, has been sent. */
  whenDtmfSent(): Promise<void> {
    if (!this.dtmfOut.busy || !this.running) return Promise.resolve();
    return new Promise((resolve) => this.dtmfWaiters.push(resolve));
  }

  private releaseDtmfWaiters(): void {
    const waiters = this.dtmfWaiters;
    this.dtmfWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private tick(tick: PacedTick): void {
    if (this.ticked) this.samplesElapsed += tick.elapsedFrames * FRAME_SAMPLES;
    this.ticked = true;
    const timestamp = (this.timestampBase + this.samplesElapsed) >>> 0;
    this.rtcpSender.advance(tick.elapsedFrames);
    const sending = this.remote !== undefined && (this.direction === 'sendrecv' || this.direction === 'sendonly');
    if (tick.elapsedFrames > 1) this.skipAudio((tick.elapsedFrames - 1) * FRAME_SAMPLES);
    if (!sending) {
      this.talking = false;
      this.skipAudio(FRAME_SAMPLES);
      return;
    }
    const dtmf = this.telephoneEventPt !== undefined ? this.dtmfOut.nextFrame(timestamp) : undefined;
    let payload: Uint8Array;
    let marker = !this.talking;
    let payloadType = this.payloadType;
    let packetTimestamp = timestamp;
    if (dtmf && this.telephoneEventPt !== undefined) {
      this.skipAudio(FRAME_SAMPLES);
      payload = dtmf.payload;
      marker = dtmf.marker;
      payloadType = this.telephoneEventPt;
      packetTimestamp = dtmf.timestamp;
    } else {
      payload = this.nextEncodedFrame();
    }
    this.talking = true;
    this.sendRtp(payloadType, marker, packetTimestamp, payload);
    if (this.dtmfWaiters.length > 0 && !this.dtmfOut.busy) this.releaseDtmfWaiters();
  }

  private skipAudio(samples: number): void {
    if (this.toneSecond) this.audioPosition = (this.audioPosition + samples) % SAMPLE_RATE;
    else this.audio.skip(samples);
  }

  private nextEncodedFrame(): Uint8Array {
    if (!this.toneSecond) return encodeG711(this.codec, this.audio.nextFrame());
    let second = this.encodedSecond.get(this.codec);
    if (!second) {
      second = encodeG711(this.codec, this.toneSecond);
      this.encodedSecond.set(this.codec, second);
    }
    const frame = second.subarray(this.audioPosition, this.audioPosition + FRAME_SAMPLES);
    this.audioPosition = (this.audioPosition + FRAME_SAMPLES) % SAMPLE_RATE;
    return frame;
  }

  private sendRtp(payloadType: number, marker: boolean, timestamp: number, payload: Uint8Array): void {
    const remote = this.remote as Endpoint;
    const bytes = writeRtpPacket({ payloadType, marker, sequenceNumber: this.sequence, timestamp, ssrc: this.ssrc }, payload);
    this.sequence = (this.sequence + 1) & 0xffff;
    this.sentPackets++;
    this.sentBytes += bytes.length;
    this.lastSentTimestamp = timestamp;
    this.onPacket?.('out', this.local, remote, bytes, false);
    // No promise or closure per packet on the hot path; failures are logged with the destination.
    this.rtp.send(bytes, remote.port, remote.address, this.afterRtpSend);
  }

  private readonly afterRtpSend = (error: Error | null): void => {
    if (error) this.logger.warn({ err: error, remote: this.remote }, 'RTP send failed');
  };

  private send(socket: dgram.Socket, local: Endpoint, remote: Endpoint, bytes: Buffer, rtcp: boolean): Promise<void> {
    this.onPacket?.('out', local, remote, bytes, rtcp);
    return new Promise((resolve) => {
      socket.send(bytes, remote.port, remote.address, (error) => {
        if (error) this.logger.warn({ err: error, remote, rtcp }, 'media send failed');
        resolve();
      });
    });
  }

  private onDatagram(msg: Buffer, from: Endpoint, local: Endpoint): void {
    this.onPacket?.('in', local, from, msg, isRtcp(msg));
    if (isRtcp(msg)) {
      if (this.latch && local === this.rtcpLocal) this.remoteRtcp = from;
      // Also accepted on the RTP port: peers that multiplex RTCP (RFC 5761) send it there.
      applyPeerRtcp(this.peerRtcp, msg, this.ssrc, this.clock.now());
      return;
    }
    const packet = local === this.rtcpLocal ? undefined : readRtpPacket(msg);
    if (!packet) {
      this.malformed++;
      this.logger.debug({ from, bytes: msg.length }, 'ignored datagram that is not RTP version 2');
      return;
    }
    if (this.latch) this.latchOnto(from, packet.ssrc);
    this.onRtp(packet, msg);
  }

  /** RTP latching: the peer's NAT mapping is where its RTP comes from (RFC 7362 §4). */
  private latchOnto(from: Endpoint, ssrc: number): void {
    const next = this.latch?.observe(from, ssrc, this.remote);
    if (!next) return;
    this.logger.debug({ from: this.remote, to: next }, 'latched onto the RTP source');
    this.remote = next;
    this.remoteRtcp = { address: next.address, port: next.port + 1 };
  }

  private onRtp(header: RtpView, msg: Buffer): void {
    this.receiver.onPacket(header, msg, this.clock.now(), this.telephoneEventPt);
  }

  /** The call was answered: what was heard until now is early media (see RtpReceiver.markAnswered). */
  markAnswered(): void {
    this.receiver.markAnswered();
  }

  stats(): RtpMediaStats {
    const received = this.receiver.snapshot((this.peerRtcp.roundTripMs ?? 0) / 2);
    const sent: RtpMediaStats['sent'] = { packets: this.sentPackets, bytes: this.sentBytes };
    if (this.toneHz !== undefined) sent.toneHz = this.toneHz;
    return { codec: this.codec, sent, received };
  }

  /** What the peer told us in RTCP (SR, report about our stream, round trip). */
  peerReports(): Readonly<PeerRtcpState> {
    return this.peerRtcp;
  }

  /** The last `historySeconds` of decoded audio. */
  heardAudio(): Int16Array {
    return this.receiver.heardAudio();
  }

  /** Everything heard since open, when `record` was set. */
  recording(): Int16Array {
    return this.receiver.recording();
  }

  get malformedPackets(): number {
    return this.malformed;
  }

  /** Stops sending, sends a final RTCP report, closes both sockets. Idempotent. */
  close(): Promise<RtpMediaStats> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<RtpMediaStats> {
    this.unregister?.();
    this.unregister = undefined;
    this.releaseDtmfWaiters();
    try {
      await this.rtcpSender.send();
    } finally {
      await Promise.all([closeSocket(this.rtp), closeSocket(this.rtcp)]);
    }
    return this.stats();
  }
}
