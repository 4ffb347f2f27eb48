/**
 * The media side of a SIP call with a browser-style endpoint (`media: webrtc`): a
 * SessionDescriptionHandler over one werift RTCPeerConnection with one audio transceiver (ICE,
 * DTLS-SRTP, rtcp-mux; RFC 8829 JSEP, RFC 8834/8835). The audio itself is the plain-RTP media
 * plane: an RtpSession attached to the transceiver (see srtp-datagram-ports.ts) sends the tone
 * from the shared pacer and keeps the receiver statistics, tone detection and recording that
 * `expect.media` judges.
 *
 *                 getDescription()                 setDescription(answer)
 *     stable  ───────────────────▶ have-local-offer ──────────────────────▶ stable
 *       │                               │ rollbackDescription()             ▲
 *       │                               └──────────────────────────▶ stable │
 *       │  setDescription(offer)                  getDescription()          │
 *       └──────────────────────▶ have-remote-offer ─────────────────────────┘
 *
 * SIP has no trickle ICE, so every SDP we hand out waits until gathering is complete and carries
 * all candidates (RFC 8840 is not used here). Candidates are 127.0.0.1 only (loopback-ice.ts).
 * Media starts once ICE and DTLS are connected, so the first packet we count as sent is one the
 * SRTP transport could carry. `{ hold: true }` makes our next offer or answer sendonly.
 * RFC 4733 telephone-event is offered next to G.711, so DTMF works as over plain RTP.
 */

import type { Logger } from 'pino';
import { RTCPeerConnection, type RTCRtpTransceiver } from 'werift';
import { systemClock } from '../../util/clock.js';
import { silentLogger } from '../../util/logger.js';
import type { DtmfOptions } from '../dtmf.js';
import type { G711Codec } from '../g711.js';
import { RtpSession, type RtpMediaStats } from '../rtp-session.js';
import { OfferAnswerError, SDP_CONTENT_TYPE, type RtpMediaOptions, type RtpSdhOptions } from '../session-description-handler.js';
import type { MediaDirection } from '../sdp.js';
import type { AudioSource } from '../tone.js';
import { WavSource, readWavFile, writeWavFile } from '../wav.js';
import { isLoopbackAddress, loopbackPeerConfig } from './loopback-ice.js';
import { srtpDatagramPorts } from './srtp-datagram-ports.js';
import { IceGatheringTimeoutError, WebRtcCodecError } from './webrtc-errors.js';
import { candidatesOf, keepLoopbackCandidates, requireWebRtcG711, withDefaultCandidate, type SdpCandidate } from './webrtc-sdp.js';

export type WebRtcMediaOptions = Pick<RtpMediaOptions, 'toneHz' | 'codecs' | 'clock' | 'random' | 'logger' | 'pacer' | 'onStats' | 'recordWavPath' | 'playWavPath'> & {
  /** How long an SDP may wait for ICE gathering; default 5000 ms. */
  gatheringTimeoutMs?: number;
  /** The loopback address of the one host candidate (default 127.0.0.1). */
  hostAddress?: string;
};

type SignalingState = 'stable' | 'have-local-offer' | 'have-remote-offer';

const DEFAULT_GATHERING_TIMEOUT_MS = 5000;

export class WebRtcSessionDescriptionHandler {
  private readonly logger: Logger;
  private readonly codecs: readonly G711Codec[];
  private readonly pc: RTCPeerConnection;
  private transceiver: RTCRtpTransceiver | undefined;
  private state: SignalingState = 'stable';
  private localCandidate: SdpCandidate | undefined;
  private remoteCandidate: SdpCandidate | undefined;
  private mediaOpening: Promise<RtpSession> | undefined;
  private media: RtpSession | undefined;
  private stopWatchingConnection: (() => void) | undefined;
  private telephoneEventPt: number | undefined;
  /** Digits asked for while ICE and DTLS were still connecting; sent when media starts. */
  private readonly pendingDtmf: Array<{ tones: string; options: DtmfOptions }> = [];
  private readonly started = deferred();
  private closed: Promise<RtpMediaStats | undefined> | undefined;
  /** Its INVITE went again to another server target: nothing to report (discardStats). */
  private discarded = false;

  constructor(
    private readonly options: WebRtcMediaOptions,
    private readonly sipSession: unknown = undefined,
    private readonly audioLoader?: () => Promise<AudioSource | undefined>,
  ) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'webrtc-sdh' });
    this.codecs = options.codecs && options.codecs.length > 0 ? options.codecs : ['PCMU', 'PCMA'];
    this.pc = new RTCPeerConnection(loopbackPeerConfig(this.codecs, options.hostAddress));
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]?.trim().toLowerCase() === SDP_CONTENT_TYPE;
  }

  async getDescription(options?: RtpSdhOptions, _modifiers?: unknown[]): Promise<{ body: string; contentType: string }> {
    this.assertOpen();
    const direction = options?.hold === true ? 'sendonly' : 'sendrecv';
    if (this.state === 'have-remote-offer') {
      this.audioTransceiver().setDirection(direction);
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      const body = await this.completeLocalSdp();
      this.state = 'stable';
      await this.applyNegotiated();
      return { body, contentType: SDP_CONTENT_TYPE };
    }
    if (this.transceiver) this.transceiver.setDirection(direction);
    else this.transceiver = this.pc.addTransceiver('audio', { direction });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    const body = await this.completeLocalSdp();
    this.state = 'have-local-offer';
    return { body, contentType: SDP_CONTENT_TYPE };
  }

  async setDescription(sdp: string, _options?: RtpSdhOptions, _modifiers?: unknown[]): Promise<void> {
    this.assertOpen();
    if (this.state === 'have-remote-offer') throw new OfferAnswerError('received a second offer before answering the first (RFC 3264 §4); answer or roll back first');
    // Checked before werift sees the SDP: it must never try a non-loopback address, and a
    // codec we cannot encode must fail the exchange rather than be "negotiated".
    requireWebRtcG711(sdp);
    const { sdp: loopbackSdp, remote } = keepLoopbackCandidates(sdp);
    if (this.state === 'have-local-offer') {
      await this.pc.setRemoteDescription({ type: 'answer', sdp: loopbackSdp });
      this.remoteCandidate = remote;
      this.state = 'stable';
      await this.applyNegotiated();
      return;
    }
    await this.pc.setRemoteDescription({ type: 'offer', sdp: loopbackSdp });
    this.transceiver ??= this.pc.getTransceivers().find((t) => t.kind === 'audio');
    this.remoteCandidate = remote;
    this.state = 'have-remote-offer';
  }

  async rollbackDescription(): Promise<void> {
    if (this.state === 'have-local-offer') await this.pc.setLocalDescription({ type: 'rollback' });
    else if (this.state === 'have-remote-offer') await this.pc.setRemoteDescription({ type: 'rollback', sdp: '' });
    this.state = 'stable';
  }

  /**
   * RFC 4733 DTMF; false if telephone-event was not negotiated, we do not send, or the call is
   * over. Right after the 200/ACK, ICE and DTLS may still be connecting: the digits then wait
   * for media to start instead of failing a step that would pass over plain RTP.
   */
  sendDtmf(tones: string, options?: unknown): boolean {
    const media = this.media;
    if (!media || this.closed || this.telephoneEventPt === undefined) return false;
    if (media.running) return media.sendDtmf(tones, dtmfOptionsOf(options));
    const connecting = this.pc.connectionState === 'new' || this.pc.connectionState === 'connecting';
    const sending = media.mediaDirection === 'sendrecv' || media.mediaDirection === 'sendonly';
    if (this.state !== 'stable' || !connecting || !sending) return false;
    this.pendingDtmf.push({ tones, options: dtmfOptionsOf(options) });
    return true;
  }

  /** Resolves when every DTMF digit asked for has been sent (or the call ended first). */
  async whenDtmfSent(): Promise<void> {
    if (this.pendingDtmf.length > 0) await this.started.promise;
    await this.media?.whenDtmfSent();
  }

  /** Ends media (pacer left, transceiver detached), closes the peer connection (ICE sockets, DTLS), writes the WAV, calls `onStats`. Safe to call twice. */
  close(): void {
    this.closed ??= this.shutdown();
    this.closed.catch((error: unknown) => this.logger.error({ err: error }, 'closing WebRTC media failed'));
  }

  /** Resolves with the final statistics once `close()` has finished (undefined if media never started). */
  whenClosed(): Promise<RtpMediaStats | undefined> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  get signalingState(): SignalingState {
    return this.state;
  }

  /** The peer connection's state (new, connecting, connected, failed, closed). */
  get connectionState(): string {
    return this.pc.connectionState;
  }

  get rtpSession(): RtpSession | undefined {
    return this.media;
  }

  stats(): RtpMediaStats | undefined {
    return this.media?.stats();
  }

  private assertOpen(): void {
    if (this.closed) throw new OfferAnswerError('media is closed; the session description handler cannot be reused');
  }

  private audioTransceiver(): RTCRtpTransceiver {
    if (!this.transceiver) throw new OfferAnswerError('the peer offered no audio stream');
    return this.transceiver;
  }

  /** Our SDP once every candidate is in it, with the default candidate in m= and c=. */
  private async completeLocalSdp(): Promise<string> {
    await this.gatheringComplete();
    const sdp = this.pc.localDescription?.sdp;
    if (!sdp) throw new OfferAnswerError('werift produced no local description');
    const candidates = candidatesOf(sdp);
    const outside = candidates.filter((c) => !isLoopbackAddress(c.address));
    // An invariant, not a peer problem: handing out such a candidate would invite traffic off loopback.
    if (outside.length > 0) throw new OfferAnswerError(`local ICE candidates outside 127.0.0.0/8: ${outside.map((c) => c.address).join(', ')}`);
    const first = candidates[0];
    if (!first) throw new OfferAnswerError('ICE gathering produced no loopback host candidate');
    this.localCandidate = first;
    return withDefaultCandidate(sdp, first);
  }

  private gatheringComplete(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    const timeoutMs = this.options.gatheringTimeoutMs ?? DEFAULT_GATHERING_TIMEOUT_MS;
    const clock = this.options.clock ?? systemClock;
    return new Promise((resolve, reject) => {
      const { unSubscribe } = this.pc.iceGatheringStateChange.subscribe((state) => {
        if (state !== 'complete') return;
        clock.clearTimeout(timer);
        unSubscribe();
        resolve();
      });
      const timer = clock.setTimeout(() => {
        unSubscribe();
        reject(new IceGatheringTimeoutError(timeoutMs));
      }, timeoutMs);
    });
  }

  /** After an exchange completed: media follows the negotiated codec and direction; it starts once connected. */
  private async applyNegotiated(): Promise<void> {
    const media = await this.openMedia();
    const codec = negotiatedLaw(this.audioTransceiver());
    // werift stamps its sender's codec on every packet: anything but G.711 there would be garbage.
    if (!codec) throw new WebRtcCodecError(this.audioTransceiver().codecs.map((c) => c.mimeType), this.pc.remoteDescription?.sdp ?? '');
    const direction = mediaDirectionOf(this.audioTransceiver().currentDirection);
    const remote = this.remoteCandidate as SdpCandidate;
    const telephoneEventPt = negotiatedTelephoneEvent(this.audioTransceiver());
    this.telephoneEventPt = telephoneEventPt;
    media.configure({ remote: { address: remote.address, port: remote.port }, codec, telephoneEventPt: telephoneEventPt ?? null, direction });
    this.logger.debug({ codec, telephoneEventPt, direction, remote: `${remote.address}:${remote.port}` }, 'WebRTC media negotiated');
    this.startWhenConnected(media);
  }

  private startWhenConnected(media: RtpSession): void {
    if (this.stopWatchingConnection || media.running) return;
    if (this.pc.connectionState === 'connected') {
      this.startMedia(media);
      return;
    }
    const { unSubscribe } = this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && !this.closed) {
        this.logger.debug('ICE and DTLS connected; media starts');
        this.startMedia(media);
      } else if (state === 'failed') {
        this.logger.error({ remote: this.remoteCandidate?.line }, 'WebRTC connection failed (ICE or DTLS); no media on this call');
      }
    });
    this.stopWatchingConnection = unSubscribe;
  }

  private startMedia(media: RtpSession): void {
    media.start();
    for (const { tones, options } of this.pendingDtmf.splice(0)) {
      if (!media.sendDtmf(tones, options)) this.logger.warn({ tones }, 'DTMF asked for while connecting could not be sent');
    }
    this.started.resolve();
  }

  private openMedia(): Promise<RtpSession> {
    this.mediaOpening ??= this.createMedia();
    return this.mediaOpening;
  }

  private async createMedia(): Promise<RtpSession> {
    const o = this.options;
    const audio = await this.audioLoader?.();
    const local = this.localCandidate as SdpCandidate;
    const remote = this.remoteCandidate as SdpCandidate;
    const ports = srtpDatagramPorts(this.audioTransceiver(), { address: remote.address, port: remote.port }, this.logger);
    this.media = RtpSession.attach(ports.rtp, ports.rtcp, { address: local.address, port: local.port }, {
      codec: this.codecs[0] as G711Codec,
      toneHz: o.toneHz,
      record: o.recordWavPath !== undefined,
      logger: this.logger,
      clock: o.clock ?? systemClock,
      ...(audio ? { audio } : {}),
      ...(o.random ? { random: o.random } : {}),
      ...(o.pacer ? { pacer: o.pacer } : {}),
    });
    return this.media;
  }

  /** See SessionDescriptionHandler.discardStats (src/sip/ua). */
  discardStats(): void {
    this.discarded = true;
  }

  private async shutdown(): Promise<RtpMediaStats | undefined> {
    this.stopWatchingConnection?.();
    this.started.resolve();
    let stats: RtpMediaStats | undefined;
    try {
      const media = this.mediaOpening ? await this.mediaOpening : undefined;
      stats = await media?.close();
      const record = this.options.recordWavPath;
      if (media && record !== undefined && !this.discarded) await writeWavFile(typeof record === 'function' ? record(this.sipSession) : record, media.recording());
    } finally {
      await this.pc.close();
    }
    if (stats && !this.discarded) this.options.onStats?.(stats, this.sipSession);
    return stats;
  }
}

/** The G.711 law werift's sender settled on (it stamps that payload type on what we send). */
function negotiatedLaw(transceiver: RTCRtpTransceiver): G711Codec | undefined {
  const mime = transceiver.sender.codec?.mimeType.toUpperCase();
  if (mime === 'AUDIO/PCMU') return 'PCMU';
  if (mime === 'AUDIO/PCMA') return 'PCMA';
  return undefined;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** The payload type telephone-event/8000 got in this exchange (the offerer's number, RFC 3264 §6.1). */
function negotiatedTelephoneEvent(transceiver: RTCRtpTransceiver): number | undefined {
  return transceiver.codecs.find((c) => c.mimeType.toLowerCase() === 'audio/telephone-event' && c.clockRate === 8000)?.payloadType;
}

function dtmfOptionsOf(options: unknown): DtmfOptions {
  const o = (options ?? {}) as { duration?: unknown; interToneGap?: unknown };
  const result: DtmfOptions = {};
  if (typeof o.duration === 'number') result.durationMs = o.duration;
  if (typeof o.interToneGap === 'number') result.gapMs = o.interToneGap;
  return result;
}

function mediaDirectionOf(direction: string | null): MediaDirection {
  if (direction === 'sendrecv' || direction === 'sendonly' || direction === 'recvonly' || direction === 'inactive') return direction;
  return 'inactive';
}

/**
 * The session description handler factory the SIP user agent takes, for `media: webrtc` bots:
 * one handler (one peer connection) per call. A `playWavPath` is read once per factory.
 */
export function createWebRtcSdhFactory(options: WebRtcMediaOptions): (session: unknown, factoryOptions?: object) => WebRtcSessionDescriptionHandler {
  const path = options.playWavPath;
  let samples: Promise<Int16Array> | undefined;
  const loader = path
    ? async (): Promise<AudioSource> => {
        samples ??= readWavFile(path);
        return new WavSource(await samples);
      }
    : undefined;
  return (session: unknown) => new WebRtcSessionDescriptionHandler(options, session, loader);
}
