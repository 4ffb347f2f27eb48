/** A response as the layer below parsed it (once): the transaction needs only its status. */
export interface ParsedResponse {
  readonly status: number;
}

/** What a transaction does with a message it received: hand it to its user, or absorb it. */
export type Verdict = 'pass' | 'absorb';

/**
 * The long-lived table a transaction belongs to (the load engine, the proxy, the reliability
 * layer). It is told once when the transaction reaches Terminated, and forgets the key.
 */
export interface TransactionOwner {
  terminated(key: string): void;
}

/** What a client transaction asks of its user (the call or request that started it). */
export interface ClientTransactionUser {
  /** Timer A or E fired: send the request again, byte for byte (§17.1.1.2, §17.1.2.2). */
  retransmitRequest(): void;
  /**
   * INVITE only: send the ACK for a 300–699 final response, once when it arrives and again
   * for each retransmission of it while in Completed (§17.1.1.3).
   */
  sendAck?(): void;
  /** Timer B or F fired: no final response came (§17.1.1.2, §17.1.2.2). */
  timedOut(): void;
}

/** What a server transaction asks of its user (the core that answers the request). */
export interface ServerTransactionUser {
  /** Send the most recent response again: a retransmitted request, or Timer G (§17.2.1, §17.2.2). */
  retransmitResponse(): void;
  /** Timer H fired: the ACK for a non-2xx final response never came (§17.2.1). */
  timedOut?(): void;
}
