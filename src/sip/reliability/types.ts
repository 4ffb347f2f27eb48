import type { Direction } from '../message/message-event.js';
import type { Endpoint, Flow, SipSocket } from '../transport/types.js';

/** Where a message goes: an existing flow (by id) or a remote endpoint. */
export type { SendTarget } from '../transport/types.js';
import type { SendTarget } from '../transport/types.js';
export type Transmit = (raw: string, target: SendTarget, retransmission: boolean) => void;

/** What the layer does with a received message: hand it up or not, and was it a copy. */
export interface ReceiveVerdict {
  deliver: boolean;
  retransmission: boolean;
}

/** What actually crossed the wire, including retransmissions the layer sent or absorbed. */
export interface WireRecord {
  direction: Direction;
  raw: string;
  flow: Flow;
  /** We re-sent it (Timer A/E/G) or it was a copy of something already received. */
  retransmission: boolean;
  /** Received but not handed up: a retransmission answered or dropped by the layer. */
  absorbed: boolean;
}

/**
 * A SipSocket that, on UDP, carries out RFC 3261 §17 reliability below the transaction user:
 * retransmits requests (Timer A/E) until a response, retransmits non-2xx final responses to
 * INVITE until the ACK (Timer G/H), answers retransmitted requests from the last response sent
 * (for 64·T1) instead of passing them up, re-sends the ACK for a retransmitted non-2xx final
 * response (Timer D), and drops duplicate final responses. Over stream transports it only
 * passes messages through. Every packet in or out is reported to `onWire`.
 */
export interface ReliableSipSocket extends SipSocket {
  onWire(handler: (record: WireRecord) => void): void;
  /** A client transaction got no final response within 64·T1 (Timer B/F). */
  onTransactionTimeout(handler: (request: string, flow: Flow) => void): void;
}
