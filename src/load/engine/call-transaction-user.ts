import type { ClientTransactionUser } from '../../sip/transaction/transaction-user.js';

/** What a call's transaction asks of the call: send a message, count a retransmission. */
export interface CallSender {
  retransmit(request: string): void;
  sendRaw(raw: string): void;
}

/**
 * One client transaction's side of a load call (INVITE, CANCEL, BYE): what it re-sends, the
 * ACK of an INVITE's non-2xx final, and what its timeout means. Once a final response came
 * there is nothing to re-send: `answered()` lets go of the request, so an INVITE lingering in
 * Completed (Timer D) or a challenged INVITE kept beside the call holds only its ACK.
 */
export class CallTransactionUser implements ClientTransactionUser {
  /** The ACK for this INVITE's non-2xx final, built from the response before the transaction sees it. */
  ack = '';
  constructor(
    private readonly call: CallSender,
    private request: string,
    private readonly onTimeout: () => void,
  ) {}

  /** A final response arrived: the request will never be sent again. */
  answered(): void {
    this.request = '';
  }

  retransmitRequest(): void {
    if (this.request) this.call.retransmit(this.request);
  }

  sendAck(): void {
    if (this.ack) this.call.sendRaw(this.ack);
  }

  timedOut(): void {
    this.onTimeout();
  }
}
