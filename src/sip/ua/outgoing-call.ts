import type { Inviter } from 'sip.js';
import { CallSession } from './call-session.js';
import { acceptProvisionalWithoutContact, type LenientProvisional } from './lenient-provisional.js';
import { isLocalResponse, responseLineOf, type ResponseLine } from './response-line.js';
import { advertiseUpdate } from './session-update.js';
import { listenForTransfers, type IncomingTransfer } from './transfer.js';

/** What the caller hears about the responses to its INVITE. */
export interface InviteHandlers {
  /** A 100 Trying: the next hop has the INVITE (a server that answers it is alive, RFC 3263 §4.3). */
  onTrying?: () => void;
  /**
   * A provisional response (100 excepted): 180, 183, … `bent` is set when it broke a rule and
   * was taken anyway (a 180 without Contact, see lenient-provisional.ts).
   */
  onProgress: (response: ResponseLine & { bent?: string }) => void;
  /** A 2xx: sip.js ACKs it and the session becomes established. */
  onAccept: (response: ResponseLine) => void;
  /**
   * A final non-2xx: sip.js ACKs it and the session ends (its state turns terminated just before
   * this is called). `local` when sip.js made it up: 408 for no answer, 503 for a failed send.
   */
  onReject: (response: ResponseLine & { local: boolean }) => void;
}

/** The caller's side of a call (a sip.js Inviter): INVITE, then CANCEL or BYE. */
export class OutgoingCall extends CallSession<Inviter> {
  /** Made by `SipUserAgent.call`. */
  constructor(inviter: Inviter) {
    super(inviter, inviter.request.callId);
    advertiseUpdate(inviter.request.extraHeaders);
  }

  /** Sends the INVITE (answering a 407 challenge on its own); resolves once it is sent. */
  invite(handlers: InviteHandlers): Promise<void> {
    return this.session
      .invite({
        requestDelegate: {
          onProgress: (response) => handlers.onProgress(responseLineOf(response)),
          onAccept: (response) => {
            this.mediaHandler?.markAnswered?.();
            handlers.onAccept(responseLineOf(response));
          },
          onReject: (response) => handlers.onReject({ ...responseLineOf(response), local: isLocalResponse(response) }),
          onTrying: () => handlers.onTrying?.(),
        },
      })
      .then(() => acceptProvisionalWithoutContact(this.session, (response: LenientProvisional) => handlers.onProgress(response)));
  }

  /** The CSeq number of the INVITE as last sent (sip.js counts it up when it answers a 407). */
  get cseq(): number {
    return this.session.request.cseq;
  }

  /** Each REFER the peer sends on this call; accepting one gives the call to its target. */
  onTransfer(listener: (transfer: IncomingTransfer<OutgoingCall>) => void): void {
    listenForTransfers(this.session, listener, (inviter) => new OutgoingCall(inviter));
  }

  /** CANCELs the INVITE while it has no final response (RFC 3261 §9.1). */
  cancel(): Promise<void> {
    return this.session.cancel();
  }

  /** Ends the session whatever its state, without waiting for anything more from the network. */
  dispose(): Promise<void> {
    return this.session.dispose();
  }
}
