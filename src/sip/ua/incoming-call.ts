import type { Invitation } from 'sip.js';
import { CallSession } from './call-session.js';
import { OutgoingCall } from './outgoing-call.js';
import { listenForTransfers, type IncomingTransfer } from './transfer.js';
import { ignoreAckTimeoutAfterEnd, NOT_ACCEPTABLE_HERE, rejectUnacceptableOfferWith488 } from './invitation-workarounds.js';

/** A 488 the user agent sent on its own because the media layer could not answer the offer. */
export interface UnacceptableOffer {
  status: 488;
  reason: typeof NOT_ACCEPTABLE_HERE;
  /** The media layer's error. */
  error: Error;
}

/**
 * The callee's side of a call (a sip.js Invitation): ring, then answer, reject or BYE. The sip.js
 * workarounds every incoming INVITE needs (see invitation-workarounds.ts) are in place from the start.
 */
export class IncomingCall extends CallSession<Invitation> {
  private unacceptableOfferListener: ((offer: UnacceptableOffer) => void) | undefined;
  private rejectedWithStatus: number | undefined;

  /** Made by `SipUserAgent` for each incoming INVITE. */
  constructor(invitation: Invitation, isUnacceptableOffer: (error: unknown) => boolean) {
    super(invitation, invitation.request.callId);
    ignoreAckTimeoutAfterEnd(invitation);
    rejectUnacceptableOfferWith488(invitation, isUnacceptableOffer, (error) =>
      this.unacceptableOfferListener?.({ status: 488, reason: NOT_ACCEPTABLE_HERE, error }),
    );
    // sip.js rejects on its own too: 504 when a reliable 18x got no PRACK within 64·T1 (RFC 3262 §3).
    const reject = invitation.reject.bind(invitation);
    invitation.reject = (options) => {
      this.rejectedWithStatus = options?.statusCode;
      return reject(options);
    };
  }

  /** The final non-2xx status sent, by us or by sip.js on its own. */
  get rejectedWith(): number | undefined {
    return this.rejectedWithStatus;
  }

  /** The caller's From URI (`sip:linphone@lab.test`), without display name or tag. */
  get remoteUri(): string {
    return this.session.remoteIdentity.uri.toString();
  }

  /** The INVITE carries Replaces matching one of our calls (RFC 3891 §3): sip.js ends that one with BYE once this one is answered. */
  get replacing(): boolean {
    return this.session.replacee !== undefined;
  }

  /** Told just before the user agent answers an offer it cannot take with 488 (the session then ends). */
  onUnacceptableOffer(listener: (offer: UnacceptableOffer) => void): void {
    this.unacceptableOfferListener = listener;
  }

  /** Each REFER the caller sends on this call; accepting one gives the call to its target. */
  onTransfer(listener: (transfer: IncomingTransfer<OutgoingCall>) => void): void {
    listenForTransfers(this.session, listener, (inviter) => new OutgoingCall(inviter));
  }

  /** The INVITE's `Supported` or `Require` lists 100rel: it takes reliable provisionals (RFC 3262 §4). */
  get offers100rel(): boolean {
    return this.lists100rel('supported') || this.lists100rel('require');
  }

  private lists100rel(header: 'supported' | 'require'): boolean {
    return this.session.request.getHeaders(header).some((value) => optionTags(value).includes('100rel'));
  }

  /**
   * Sends 180 Ringing, or with `earlyMedia` 183 Session Progress carrying our SDP answer (media
   * starts with it). `reliable` sends it with `Require: 100rel` and RSeq if the INVITE allows
   * (sip.js then retransmits it, T1 doubling, until the PRACK, and answers the PRACK 200; a
   * reliable 1xx always carries the answer, so a reliable 180 holds media back until the 200).
   * Without `reliable`, sip.js sends it reliably only when the INVITE requires it.
   */
  progress(options: { earlyMedia?: boolean; reliable?: boolean } = {}): Promise<void> {
    // sip.js's default for an INVITE with `Require: 100rel` is a reliable 183 with SDP: say 180.
    if (!options.earlyMedia && !options.reliable && !this.lists100rel('require')) return this.session.progress();
    return this.session.progress({
      statusCode: options.earlyMedia ? 183 : 180,
      rel100: options.reliable === true,
      ...(options.earlyMedia ? {} : { sessionDescriptionHandlerOptions: { silentUntilAnswered: true } as object }),
    });
  }

  /** Sends 200 OK with our answer (again, after an early one); the session becomes established with the ACK. */
  accept(): Promise<void> {
    return this.session.accept().then(() => this.mediaHandler?.markAnswered?.());
  }

  /** Answers the INVITE with a final non-2xx, with `headers` (`Require: 100rel` on a 421) if given. */
  reject(status: number, reason: string | undefined, headers: readonly string[] = []): Promise<void> {
    return this.session.reject({ statusCode: status, reasonPhrase: reason, extraHeaders: [...headers] });
  }
}

/** The option tags of one Supported/Require header value (`100rel, timer`). */
function optionTags(value: string): string[] {
  return value.split(',').map((tag) => tag.trim().toLowerCase());
}
