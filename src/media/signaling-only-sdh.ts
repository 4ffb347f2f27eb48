import type { BodyAndContentType, SessionDescriptionHandler, SessionDescriptionHandlerOptions } from '../sip/ua/session-description-handler.js';
import type { G711Codec } from './g711.js';
import { DEFAULT_TELEPHONE_EVENT_PT, answerOffer, buildOffer, type LocalAudio } from './sdp.js';

const CODECS: readonly G711Codec[] = ['PCMU', 'PCMA'];
/** RFC 8866: port 9 (discard) with a=inactive is how an endpoint says "a stream, but no media". */
const DISCARD_PORT = 9;

/**
 * An SDP offer/answer partner that sends no media: a valid audio description on the discard
 * port with `a=inactive`. For signaling-only runs (`--media none`), where opening RTP sockets
 * per call would only measure the generator. Its answers follow RFC 3264 §6.1 like the media
 * handler's (sdp.ts): one offered codec, the offer's telephone-event type, other m-lines
 * rejected; an offer without PCMU or PCMA fails (sip.js answers 488).
 */
export class SignalingOnlySdh implements SessionDescriptionHandler {
  /** RFC 3264 §4's offer/answer state, as in the media handler: whose offer awaits an answer. */
  private state: 'stable' | 'have-local-offer' | 'have-remote-offer' = 'stable';
  private remoteOffer = '';
  private readonly sessionId = String(Date.now() % 1_000_000_000);
  private sessionVersion = 0;

  constructor(private readonly address: string) {}

  close(): void {
    this.state = 'stable';
  }

  async getDescription(options?: SessionDescriptionHandlerOptions): Promise<BodyAndContentType> {
    const local = this.localAudio(options?.codecs);
    const answering = this.state === 'have-remote-offer';
    this.state = answering ? 'stable' : 'have-local-offer';
    return { body: answering ? answerOffer(this.remoteOffer, local).sdp : buildOffer(local), contentType: 'application/sdp' };
  }

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  /** An offer is checked now, so one we cannot answer fails the request (488), not our answer. */
  async setDescription(sdp: string): Promise<void> {
    if (this.state === 'have-local-offer') {
      this.state = 'stable';
      return;
    }
    answerOffer(sdp, this.localAudio(undefined));
    this.remoteOffer = sdp;
    this.state = 'have-remote-offer';
  }

  async rollbackDescription(): Promise<void> {
    this.state = 'stable';
  }

  sendDtmf(): boolean {
    return false;
  }

  private localAudio(wanted: readonly string[] | undefined): LocalAudio {
    const codecs = CODECS.filter((c) => wanted === undefined || wanted.includes(c));
    if (codecs.length === 0) throw new Error(`cannot offer ${wanted!.join(', ')}: only PCMU and PCMA are described`);
    return { address: this.address, port: DISCARD_PORT, direction: 'inactive', codecs, telephoneEventPt: DEFAULT_TELEPHONE_EVENT_PT, sessionId: this.sessionId, sessionVersion: this.sessionVersion++ };
  }
}
