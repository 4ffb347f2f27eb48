import type { Direction, SipMessageEvent } from '../sip/message/message-event.js';
import type { Endpoint } from '../sip/transport/types.js';

/**
 * The one typed stream of everything that happened in a run. Every output (messages.jsonl,
 * pcapng, ladders, reports, verdicts, metrics) is built from these events and nothing else.
 * `at` is wall-clock epoch milliseconds (fractional); `party` names the bot (`alice`) or `proxy`;
 * `caseId` is the lab case or scenario the event belongs to, when one is running.
 */
interface EventBase {
  at: number;
  party: string;
  caseId?: string;
}

export type { Direction, SipMessageEvent } from '../sip/message/message-event.js';

/** RFC 3261 dialog-usage view of a call, as the bot's state machine tracks it. */
export type CallState = 'idle' | 'calling' | 'ringing' | 'early' | 'confirmed' | 'terminating' | 'terminated';

export interface CallStateEvent extends EventBase {
  type: 'call-state';
  callId: string;
  role: 'caller' | 'callee';
  from: CallState;
  to: CallState;
  /** Why the call moved: `486 Busy Here`, `CANCEL`, `BYE from peer`, `timeout`, … */
  reason?: string;
}

export type RegistrationState = 'unregistered' | 'registering' | 'registered' | 'failed';

export interface RegistrationEvent extends EventBase {
  type: 'registration';
  state: RegistrationState;
  expires?: number;
  reason?: string;
}

export interface RtpPacketEvent extends EventBase {
  type: 'rtp';
  direction: Direction;
  local: Endpoint;
  remote: Endpoint;
  /** The RTP or RTCP packet bytes. */
  bytes: Uint8Array;
  rtcp: boolean;
}

export interface MediaStreamStats {
  packets: number;
  bytes: number;
  lost: number;
  outOfOrder: number;
  duplicates: number;
  jitterMs: number;
  mos?: number;
  /** Dominant frequency heard, Hz. */
  detectedHz?: number;
  firstPacketDelayMs?: number;
  dtmf?: string;
  /** What had been heard when the call was answered (the 200 sent or received): early media. */
  beforeAnswer?: { packets: number; detectedHz?: number };
}

export interface MediaStatsEvent extends EventBase {
  type: 'media-stats';
  callId: string;
  codec: string;
  sent: { packets: number; bytes: number; toneHz?: number };
  received: MediaStreamStats;
}

export interface CaseEvent extends EventBase {
  type: 'case-start' | 'case-end';
  passed?: boolean;
  difference?: string;
}

export interface LogEvent extends EventBase {
  type: 'note';
  message: string;
}

/**
 * Something a peer did that broke a rule and that we accepted anyway (liberal in what we
 * accept, but never silently), or a server target that failed a request we then sent to the
 * next one (RFC 3263 §4.3): listed under the case's `findings`.
 */
export interface FindingEvent extends EventBase {
  type: 'finding';
  callId?: string;
  message: string;
}

export type SipbotsEvent =
  | SipMessageEvent
  | CallStateEvent
  | RegistrationEvent
  | RtpPacketEvent
  | MediaStatsEvent
  | CaseEvent
  | LogEvent
  | FindingEvent;

export type SipbotsEventType = SipbotsEvent['type'];
