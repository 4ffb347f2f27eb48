/** How many sent packets we remember while waiting for their receiver's copy. */
const MAX_IN_FLIGHT = 4096;

/**
 * Tells the receiver's copy of a packet we also recorded leaving its sender, so an output can
 * carry each packet once, as a wire capture shows it. The caller names a packet by its flow
 * and enough of its bytes; the same name sent twice (a retransmission) needs two receipts.
 * Lost packets never come back, so the oldest entries are dropped past a bound.
 */
export class ReceiverCopies {
  private readonly sent = new Map<string, number>();

  sentPacket(key: string): void {
    const waiting = this.sent.get(key) ?? 0;
    this.sent.delete(key);
    this.sent.set(key, waiting + 1);
    while (this.sent.size > MAX_IN_FLIGHT) this.sent.delete(this.sent.keys().next().value!);
  }

  /** True when `key` was sent by a recorded party and this receipt is its copy. */
  isCopy(key: string): boolean {
    const waiting = this.sent.get(key) ?? 0;
    if (waiting === 0) return false;
    if (waiting === 1) this.sent.delete(key);
    else this.sent.set(key, waiting - 1);
    return true;
  }
}
