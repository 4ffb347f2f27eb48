import { ReceiverCopies } from './receiver-copies.js';

/**
 * How long a sent packet waits for its receiver's copy before it is written without the
 * receiver's name (a lost datagram, or an external peer we do not record). Loopback delivers
 * in well under a millisecond; a starved machine may take a few hundred.
 */
export const RECEIVER_WAIT_MS = 2000;

/** One packet as a tap on the wire would see it, with the recorded parties at its two ends. */
export interface WirePacket<T> {
  at: number;
  /** The recorded party that sent it; undefined when only its receiver recorded it. */
  sender?: string;
  /** The recorded party that received it; undefined when lost or received outside the run. */
  receiver?: string;
  item: T;
}

interface Waiting<T> extends WirePacket<T> {
  key: string;
  settled: boolean;
}

/**
 * Merges the per-party views of the event stream into one copy per packet, in sending order.
 * Each party reports what it sent and what it received, so a packet between two recorded
 * parties arrives twice: the sender's copy is kept (with its time) and the receiver's copy
 * only adds the receiver's name. A sent packet is held until that copy arrives or
 * RECEIVER_WAIT_MS of event time pass, and packets leave in the order they were sent, so the
 * output reads like a capture on the shared loopback wire. A retransmission is a new send with
 * the same key and stays one more packet.
 */
export class WireQueue<T> {
  private readonly queue: Waiting<T>[] = [];
  private readonly waiting = new Map<string, Waiting<T>[]>();
  private readonly copies = new ReceiverCopies();
  private now = -Infinity;

  /** Adds one party's view of a packet; returns the packets now ready, in order. */
  add(direction: 'in' | 'out', party: string, key: string, at: number, item: T): WirePacket<T>[] {
    this.now = Math.max(this.now, at);
    if (direction === 'out') {
      const packet: Waiting<T> = { at, sender: party, item, key, settled: false };
      this.queue.push(packet);
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), packet]);
      this.copies.sentPacket(key);
    } else if (this.copies.isCopy(key)) {
      const sent = this.waiting.get(key)?.[0];
      if (sent) {
        sent.receiver = party;
        this.settle(sent);
      }
    } else {
      this.queue.push({ at, receiver: party, item, key, settled: true });
    }
    return this.release(false);
  }

  /** Every packet still held, in order (the run is over: no receiver's copy will come). */
  drain(): WirePacket<T>[] {
    return this.release(true);
  }

  private release(all: boolean): WirePacket<T>[] {
    const ready: WirePacket<T>[] = [];
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (!head.settled && !all && this.now - head.at < RECEIVER_WAIT_MS) break;
      this.queue.shift();
      if (!head.settled) this.settle(head);
      ready.push({ at: head.at, sender: head.sender, receiver: head.receiver, item: head.item });
    }
    return ready;
  }

  private settle(packet: Waiting<T>): void {
    packet.settled = true;
    const list = this.waiting.get(packet.key);
    if (!list) return;
    const rest = list.filter((p) => p !== packet);
    if (rest.length > 0) this.waiting.set(packet.key, rest);
    else this.waiting.delete(packet.key);
  }
}
