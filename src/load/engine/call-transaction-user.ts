import type { ClientTransactionUser } from '../../sip/transaction/transaction-user.js';

/** What the ACK of an INVITE's non-2xx final takes beyond the call's own values (§17.1.1.3). */
export interface AckParts {
  /** The INVITE's Request-URI, branch and CSeq number. */
  ruri: string;
  branch: string;
  cseq: string;
  /** The To of the final response (with the tag the proxy or callee chose), an own copy. */
  to: string;
}

/** The call's requests that run as client transactions. */
export type CallMethod = 'INVITE' | 'CANCEL' | 'BYE';

/** What a call's transaction asks of the call: send a message, count a retransmission, give up. */
export interface CallSender {
  retransmit(request: string): void;
  /** Timer B or F fired (§17.1.1.2, §17.1.2.2): no final response to this request in time. */
  timedOut(method: CallMethod): void;
  /** Renders and sends the ACK of a non-2xx final, the same bytes each time. */
  sendAck(parts: AckParts): void;
}

/**
 * One client transaction's side of a load call (INVITE, CANCEL, BYE): what it re-sends, the
 * ACK of an INVITE's non-2xx final, and what its timeout means. Once a final response came
 * there is nothing to re-send: `answered()` lets go of the request, so an INVITE lingering in
 * Completed (Timer D, 32 s on UDP) or a challenged INVITE kept beside the call holds only what
 * its ACK is made of, not the ACK's text (rendered again only for a retransmitted final).
 */
export class CallTransactionUser implements ClientTransactionUser {
  /** The ACK for this INVITE's non-2xx final, taken from the response before the transaction sees it. */
  ack?: AckParts;
  constructor(
    private readonly call: CallSender,
    private request: string,
    /** Told to the call on a timeout: a name, not a closure (a closure and its context are ~100 bytes a transaction). */
    private readonly method: CallMethod,
  ) {}

  /** A final response arrived: the request will never be sent again. */
  answered(): void {
    this.request = '';
  }

  retransmitRequest(): void {
    if (this.request) this.call.retransmit(this.request);
  }

  sendAck(): void {
    if (this.ack) this.call.sendAck(this.ack);
  }

  timedOut(): void {
    this.call.timedOut(this.method);
  }
}
