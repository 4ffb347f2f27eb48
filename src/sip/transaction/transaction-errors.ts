/** A transaction was asked to do something its current state does not allow (RFC 3261 §17). */
export class IllegalTransactionMoveError extends Error {
  override readonly name = 'IllegalTransactionMoveError';
  constructor(
    /** `INVITE client`, `non-INVITE server`, … */
    readonly kind: string,
    readonly key: string,
    readonly state: string,
    /** What was attempted: `send 180`, `receive ACK`, … */
    readonly move: string,
  ) {
    super(`${kind} transaction ${key}: cannot ${move} in state ${state}`);
  }
}
