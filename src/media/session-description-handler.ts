/**
 * The media side of a SIP call, as the user agent wants it: a SessionDescriptionHandler (the
 * shape src/sip/ua/session-description-handler.ts names, implemented structurally: the media
 * layer imports nothing of the SIP layer) that owns one RtpSession and runs
 * the RFC 3264 offer/answer state machine over plain RTP/AVP SDP.
 *
 *                 getDescription()                 setDescription(answer)
 *     stable  ───────────────────▶ have-local-offer ──────────────────────▶ stable
 *       │                               │ rollbackDescription()             ▲
 *       │                               └──────────────────────────▶ stable │
 *       │  setDescription(offer)                  getDescription()          │
 *       └──────────────────────▶ have-remote-offer ─────────────────────────┘
 *
 * Media starts once an exchange completes. `{ hold: true }` in the options the user agent passes
 * (sessionDescriptionHandlerOptions / …ReInvite) puts the peer on hold: our offer or answer says
 * sendonly (inactive if the peer itself is not sending); `{ hold: false }` or none resumes.
 */

import type { Logger } from 'pino';
import type { Clock } from '../util/clock.js';
import { silentLogger } from '../util/logger.js';
import type { DtmfOptions } from './dtmf.js';
import type { G711Codec } from './g711.js';
import type { Pacer } from './pacer.js';
import { RtpSession, type MediaPacketListener, type RtpMediaStats, type RtpSessionOptions } from './rtp-session.js';
import { DEFAULT_TELEPHONE_EVENT_PT, acceptAnswer, answerOffer, buildOffer, type LocalAudio, type MediaDirection, type NegotiatedAudio } from './sdp.js';
import type { AudioSource } from './tone.js';
import { WavSource, readWavFile, writeWavFile } from './wav.js';
import { DEFAULT_LATCHING, latchingApplies, type LatchingMode } from './nat/rtp-latch.js';

export const SDP_CONTENT_TYPE = 'application/sdp';

export interface RtpMediaOptions {
  /** Tone we send, Hz (ignored when `playWavPath` is set). */
  toneHz: number;
  /** Codecs in order of preference; default PCMU then PCMA. */
  codecs?: G711Codec[];
  portRange?: [number, number];
  /** Address we bind and put in c=; default 127.0.0.1. */
  bindAddress?: string;
  clock?: Clock;
  /** Uniform [0, 1) for SSRC, sequence and timestamp starts, SDP session id. */
  random?: () => number;
  logger?: Logger;
  /** Shared pacer; default the process-wide one. */
  pacer?: Pacer;
  onPacket?: MediaPacketListener;
  /** Called once, at close, with the final statistics and the (opaque) user agent session it belonged to. */
  onStats?: (stats: RtpMediaStats, session: unknown) => void;
  /** Write what we heard as an 8 kHz 16-bit mono WAV at close; a function gets the session. */
  recordWavPath?: string | ((session: unknown) => string);
  /** Play this 8 kHz 16-bit mono WAV (looped) instead of the tone. */
  playWavPath?: string;
  /** telephone-event payload type we offer; default 101. */
  telephoneEventPt?: number;
  /** RTP latching (see RtpLatch); default `callee`. */
  latching?: LatchingMode;
  /** Address for c= instead of the bound one, e.g. the public address learnt behind NAT. */
  sdpAddress?: () => string | undefined;
}

/**
 * What the user agent passes as SessionDescriptionHandlerOptions: `hold` (sendonly), or a
 * `direction` of our own, `codecs` to list only these (a re-INVITE or UPDATE changing the
 * codec; codecs we cannot send are left out), and `silentUntilAnswered`.
 */
export interface RtpSdhOptions {
  constraints?: object;
  hold?: boolean;
  direction?: MediaDirection;
  codecs?: string[];
  /**
   * An answer that goes out before the call is answered (in a reliable 180, RFC 3262 §5) sets
   * up media but sends nothing until `markAnswered()`: ringing is not early media.
   */
  silentUntilAnswered?: boolean;
}

export class OfferAnswerError extends Error {
  override name = 'OfferAnswerError';
}

type SignalingState = 'stable' | 'have-local-offer' | 'have-remote-offer';

export class RtpSessionDescriptionHandler {
  private readonly logger: Logger;
  private readonly codecs: readonly G711Codec[];
  private readonly sessionId: string;
  private state: SignalingState = 'stable';
  private stateBeforeOffer: SignalingState = 'stable';
  private sessionVersion = 0;
  private remoteOffer: string | undefined;
  private localOffer: LocalAudio | undefined;
  private negotiatedAudio: NegotiatedAudio | undefined;
  private mediaOpening: Promise<RtpSession> | undefined;
  private media: RtpSession | undefined;
  private closed: Promise<RtpMediaStats | undefined> | undefined;
  /** Its INVITE went again to another server target: nothing to report (discardStats). */
  private discarded = false;
  /** Whether we made or answered the first offer: decides RTP latching. */
  private role: 'offerer' | 'answerer' | undefined;
  private answered = false;
  /** Media is negotiated but waits for `markAnswered()` to start (see RtpSdhOptions). */
  private silent = false;

  constructor(
    private readonly options: RtpMediaOptions,
    private readonly sipSession: unknown = undefined,
    private readonly audioLoader?: () => Promise<AudioSource | undefined>,
  ) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'rtp-sdh' });
    this.codecs = options.codecs && options.codecs.length > 0 ? options.codecs : ['PCMU', 'PCMA'];
    this.sessionId = String(Math.floor((options.random ?? Math.random)() * 2 ** 31));
  }

  hasDescription(contentType: string): boolean {
    return contentType.split(';')[0]?.trim().toLowerCase() === SDP_CONTENT_TYPE;
  }

  async getDescription(options?: RtpSdhOptions, _modifiers?: unknown[]): Promise<{ body: string; contentType: string }> {
    this.role ??= 'offerer';
    const media = await this.openMedia();
    const local = this.localAudio(media, options);
    if (this.state === 'have-remote-offer') {
      const { sdp, negotiated } = answerOffer(this.remoteOffer as string, local);
      this.state = 'stable';
      this.remoteOffer = undefined;
      this.silent = options?.silentUntilAnswered === true && !this.answered;
      this.apply(media, negotiated);
      return { body: sdp, contentType: SDP_CONTENT_TYPE };
    }
    this.stateBeforeOffer = this.state;
    this.localOffer = local;
    this.state = 'have-local-offer';
    return { body: buildOffer(local), contentType: SDP_CONTENT_TYPE };
  }

  async setDescription(sdp: string, options?: RtpSdhOptions, _modifiers?: unknown[]): Promise<void> {
    this.role ??= 'answerer';
    const media = await this.openMedia();
    if (this.state === 'have-local-offer') {
      const offered = this.localOffer as LocalAudio;
      this.apply(media, acceptAnswer(sdp, offered));
      this.state = 'stable';
      return;
    }
    if (this.state === 'have-remote-offer') throw new OfferAnswerError('received a second offer before answering the first (RFC 3264 §4); answer or roll back first');
    // Validate now so a bad offer fails the INVITE (488) rather than the later answer.
    answerOffer(sdp, this.localAudio(media, options));
    this.remoteOffer = sdp;
    this.state = 'have-remote-offer';
  }

  async rollbackDescription(): Promise<void> {
    if (this.state === 'have-local-offer') this.state = this.stateBeforeOffer;
    else if (this.state === 'have-remote-offer') {
      this.remoteOffer = undefined;
      this.state = 'stable';
    }
  }

  /** See SessionDescriptionHandler.discardStats (src/sip/ua). */
  discardStats(): void {
    this.discarded = true;
  }

  /**
   * The call was answered (our 200 sent, or the peer's received): media held back by
   * `silentUntilAnswered` starts, and what was heard until now is kept as early media.
   */
  markAnswered(): void {
    this.answered = true;
    this.media?.markAnswered();
    if (this.silent && this.negotiatedAudio) {
      this.silent = false;
      this.media?.start();
    }
  }

  /** RFC 4733 DTMF; false if telephone-event was not negotiated or media is not flowing. */
  sendDtmf(tones: string, options?: unknown): boolean {
    if (!this.media) return false;
    return this.media.sendDtmf(tones, dtmfOptionsOf(options));
  }

  /** Resolves when the digits queued by `sendDtmf` have all gone out. */
  whenDtmfSent(): Promise<void> {
    return this.media?.whenDtmfSent() ?? Promise.resolve();
  }

  /** Ends media: final RTCP, sockets closed, WAV written, `onStats` called. Safe to call twice. */
  close(): void {
    this.closed ??= this.shutdown();
    this.closed.catch((error: unknown) => this.logger.error({ err: error }, 'closing media failed'));
  }

  /** Resolves with the final statistics once `close()` has finished (undefined if media never opened). */
  whenClosed(): Promise<RtpMediaStats | undefined> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  get signalingState(): SignalingState {
    return this.state;
  }

  get negotiated(): NegotiatedAudio | undefined {
    return this.negotiatedAudio;
  }

  /** The RTP session, once the first description has been made or taken. */
  get rtpSession(): RtpSession | undefined {
    return this.media;
  }

  stats(): RtpMediaStats | undefined {
    return this.media?.stats();
  }

  private async shutdown(): Promise<RtpMediaStats | undefined> {
    const opening = this.mediaOpening;
    if (!opening) return undefined;
    const media = await opening;
    const stats = await media.close();
    if (this.discarded) return stats;
    const record = this.options.recordWavPath;
    if (record !== undefined) {
      const path = typeof record === 'function' ? record(this.sipSession) : record;
      await writeWavFile(path, media.recording());
    }
    this.options.onStats?.(stats, this.sipSession);
    return stats;
  }

  private openMedia(): Promise<RtpSession> {
    if (this.closed) return Promise.reject(new OfferAnswerError('media is closed; the session description handler cannot be reused'));
    this.mediaOpening ??= this.createMedia();
    return this.mediaOpening;
  }

  private async createMedia(): Promise<RtpSession> {
    const o = this.options;
    const audio = await this.audioLoader?.();
    const sessionOptions: RtpSessionOptions = {
      codec: this.codecs[0] as G711Codec,
      toneHz: o.toneHz,
      record: o.recordWavPath !== undefined,
      logger: this.logger,
      ...(audio ? { audio } : {}),
      ...(o.bindAddress ? { bindAddress: o.bindAddress } : {}),
      ...(o.portRange ? { portRange: o.portRange } : {}),
      ...(o.clock ? { clock: o.clock } : {}),
      ...(o.random ? { random: o.random } : {}),
      ...(o.pacer ? { pacer: o.pacer } : {}),
      ...(o.onPacket ? { onPacket: o.onPacket } : {}),
    };
    this.media = await RtpSession.open(sessionOptions);
    return this.media;
  }

  private localAudio(media: RtpSession, options: RtpSdhOptions | undefined): LocalAudio {
    const wanted = options?.codecs;
    const codecs = wanted === undefined ? this.codecs : this.codecs.filter((codec) => wanted.includes(codec));
    if (codecs.length === 0) throw new OfferAnswerError(`cannot offer ${wanted!.join(', ')}: this bot's codecs are ${this.codecs.join(', ')}`);
    return {
      address: this.options.sdpAddress?.() ?? media.local.address,
      port: media.local.port,
      direction: options?.direction ?? (options?.hold === true ? 'sendonly' : 'sendrecv'),
      codecs,
      telephoneEventPt: this.options.telephoneEventPt ?? DEFAULT_TELEPHONE_EVENT_PT,
      sessionId: this.sessionId,
      sessionVersion: this.sessionVersion++,
    };
  }

  private apply(media: RtpSession, negotiated: NegotiatedAudio): void {
    this.negotiatedAudio = negotiated;
    const { remote } = negotiated;
    media.configure({
      remote: { address: remote.address, port: remote.port },
      remoteRtcp: { address: remote.address, port: remote.rtcpPort },
      codec: negotiated.codec,
      payloadType: negotiated.payloadType,
      telephoneEventPt: negotiated.telephoneEventPt ?? null,
      direction: negotiated.direction,
      latching: latchingApplies(this.options.latching ?? DEFAULT_LATCHING, this.role ?? 'offerer'),
    });
    this.logger.debug({ codec: negotiated.codec, direction: negotiated.direction, remote: `${remote.address}:${remote.port}` }, 'media negotiated');
    if (!this.silent) media.start();
  }
}

function dtmfOptionsOf(options: unknown): DtmfOptions {
  const o = (options ?? {}) as { duration?: unknown; interToneGap?: unknown };
  const result: DtmfOptions = {};
  if (typeof o.duration === 'number') result.durationMs = o.duration;
  if (typeof o.interToneGap === 'number') result.gapMs = o.interToneGap;
  return result;
}

/**
 * The session description handler factory the SIP user agent takes: one handler (and one
 * RTP session) per call. A `playWavPath` is read once per factory.
 */
export function createRtpSdhFactory(options: RtpMediaOptions): (session: unknown, factoryOptions?: object) => RtpSessionDescriptionHandler {
  const path = options.playWavPath;
  let samples: Promise<Int16Array> | undefined;
  const loader = path
    ? async (): Promise<AudioSource> => {
        samples ??= readWavFile(path);
        return new WavSource(await samples);
      }
    : undefined;
  return (session: unknown) => new RtpSessionDescriptionHandler(options, session, loader);
}
