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

  /** Made by `SipUserAgent` for each incoming INVITE. */
  constructor(invitation: Invitation, isUnacceptableOffer: (error: unknown) => boolean) {
    super(invitation, invitation.request.callId);
    ignoreAckTimeoutAfterEnd(invitation);
    rejectUnacceptableOfferWith488(invitation, isUnacceptableOffer, (error) =>
      this.unacceptableOfferListener?.({ status: 488, reason: NOT_ACCEPTABLE_HERE, error }),
    );
  }

  /** The caller's From URI (`sip:linphone@lab.test`), without display name or tag. */
  get remoteUri(): string {
    return this.session.remoteIdentity.uri.toString();
  }

  /** Told just before the user agent answers an offer it cannot take with 488 (the session then ends). */
  onUnacceptableOffer(listener: (offer: UnacceptableOffer) => void): void {
    this.unacceptableOfferListener = listener;
  }

  /** Each REFER the caller sends on this call; accepting one gives the call to its target. */
  onTransfer(listener: (transfer: IncomingTransfer<OutgoingCall>) => void): void {
    listenForTransfers(this.session, listener, (inviter) => new OutgoingCall(inviter));
  }

  /** Sends 180 Ringing. */
  progress(): Promise<void> {
    return this.session.progress();
  }

  /** Sends 200 OK with our answer; the session becomes established with the ACK. */
  accept(): Promise<void> {
    return this.session.accept();
  }

  /** Answers the INVITE with a final non-2xx. */
  reject(status: number, reason: string | undefined): Promise<void> {
    return this.session.reject({ statusCode: status, reasonPhrase: reason });
  }
}
