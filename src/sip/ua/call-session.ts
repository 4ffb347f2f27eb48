import { SessionState, type Session } from 'sip.js';
import { extraHeaderLines, sipJsBody, type RequestContent } from './request-content.js';
import { responseLineOf, type ResponseLine } from './response-line.js';
import { answerUpdates, sendUpdate, type OfferResult } from './session-update.js';
import { sendTransfer, type TransferResult } from './transfer.js';
import type { SessionDescriptionHandler, SessionDescriptionHandlerOptions } from './session-description-handler.js';

/**
 * The INVITE session of one call (RFC 3261 §13), either side, as sip.js runs it:
 *
 *     initial ──▶ establishing ──▶ established ──▶ terminating ──▶ terminated
 *
 * and from initial, establishing or established straight to terminating or to terminated.
 *
 * - initial: caller, INVITE not sent yet; callee, INVITE received, no final response sent.
 * - establishing: caller, INVITE sent, no final response yet; callee, sending its 2xx.
 * - established: the 2xx went (callee) or came and was ACKed (caller).
 * - terminating: caller, CANCEL sent and waiting for the 487; callee, BYE waiting for the ACK.
 * - terminated: a final non-2xx, the 487 after CANCEL, or a BYE either way.
 */
export type { OfferResult } from './session-update.js';

export type CallSessionState = 'initial' | 'establishing' | 'established' | 'terminating' | 'terminated';

const STATES: Readonly<Record<SessionState, CallSessionState>> = {
  [SessionState.Initial]: 'initial',
  [SessionState.Establishing]: 'establishing',
  [SessionState.Established]: 'established',
  [SessionState.Terminating]: 'terminating',
  [SessionState.Terminated]: 'terminated',
};

/** What the sender of a re-INVITE hears about its final response. */
export interface ReinviteHandlers {
  /** Called after the answer is applied and the ACK sent. */
  onAccept: () => void;
  onReject: (response: ResponseLine) => void;
}

/** What both sides of a call can do once it exists: follow its state, BYE, re-INVITE, reach its media. */
export abstract class CallSession<S extends Session = Session> {
  constructor(
    protected readonly session: S,
    readonly callId: string,
  ) {
    answerUpdates(session);
  }

  get state(): CallSessionState {
    return STATES[this.session.state];
  }

  onStateChange(listener: (state: CallSessionState) => void): void {
    this.session.stateChange.addListener((state) => listener(STATES[state]));
  }

  /** The handler of this call's offer/answer and media, once sip.js has made it. */
  get mediaHandler(): SessionDescriptionHandler | undefined {
    return this.session.sessionDescriptionHandler as unknown as SessionDescriptionHandler | undefined;
  }

  /** Ends an established call (RFC 3261 §15.1.1); resolves once the BYE is sent. */
  bye(): Promise<void> {
    return this.session.bye().then(() => undefined);
  }

  /** Sends INFO in the dialog (RFC 6086) and resolves with its final response. */
  info(content: RequestContent): Promise<ResponseLine> {
    const body = sipJsBody(content);
    return new Promise((resolve, reject) => {
      this.session
        .info({
          requestOptions: { extraHeaders: extraHeaderLines(content.headers), ...(body ? { body } : {}) },
          requestDelegate: { onAccept: (response) => resolve(responseLineOf(response)), onReject: (response) => resolve(responseLineOf(response)) },
        })
        .catch(reject);
    });
  }

  /**
   * REFER to `target`, blind; or to the far end of the `target` call with Replaces (attended):
   * resolved with the final status the transferee reports (transfer.ts).
   */
  transfer(target: string | CallSession, content: RequestContent = {}): Promise<TransferResult> {
    return sendTransfer(this.session, typeof target === 'string' ? target : target.session, content);
  }

  /**
   * Sends a re-INVITE with a new offer made with `options` (e.g. `{ hold: true }`: a=sendonly,
   * RFC 3264 §8.4). sip.js keeps the options on the session, so a re-INVITE the peer sends
   * later is answered with them too. Resolves once sent; the handlers hear the final response.
   */
  reinvite(options: SessionDescriptionHandlerOptions, handlers: ReinviteHandlers): Promise<void> {
    return this.session
      .invite({
        sessionDescriptionHandlerOptions: options as object,
        requestDelegate: {
          onAccept: () => handlers.onAccept(),
          onReject: (response) => handlers.onReject(responseLineOf(response)),
        },
      })
      .then(() => undefined);
  }

  /**
   * A new offer made with `options` (a codec list, a direction) in a re-INVITE (RFC 3261 §14,
   * sip.js's `Session.invite`) or an UPDATE (RFC 3311, session-update.ts: ours, sip.js has none);
   * resolves with the final response and, after a 2xx, the answer applied (and ACKed for INVITE).
   */
  renegotiate(method: 'INVITE' | 'UPDATE', options: SessionDescriptionHandlerOptions): Promise<OfferResult> {
    if (method === 'UPDATE') return sendUpdate(this.session, options);
    return new Promise<OfferResult>((resolve, reject) => {
      this.session
        .invite({
          sessionDescriptionHandlerOptions: options as object,
          requestDelegate: {
            onAccept: (response) => resolve({ ...responseLineOf(response), answer: response.message.body }),
            onReject: (response) => resolve(responseLineOf(response)),
          },
        })
        .catch(reject);
    });
  }
}
