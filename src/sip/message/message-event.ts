import type { Endpoint, Flow, TransportProtocol } from '../transport/types.js';
import { getHeader, topVia } from './headers.js';
import { parseSipMessage } from './parse-message.js';
import { startLine, type SipMessage } from './sip-message.js';

/** Which way a message or packet crossed the wire, seen from the party that reports it. */
export type Direction = 'in' | 'out';

/**
 * One SIP message on the wire, as the event stream carries it (src/events). It lives here, in
 * the SIP layer, so that the layers that see messages first (reliability, proxy, load) can
 * describe them without importing anything above src/sip. `at` is wall-clock epoch ms; `party`
 * names the bot (`alice`) or `proxy`; `caseId` the lab case or scenario, when one is running.
 */
export interface SipMessageEvent {
  type: 'sip';
  at: number;
  party: string;
  caseId?: string;
  direction: Direction;
  transport: TransportProtocol;
  local: Endpoint;
  remote: Endpoint;
  /** The message exactly as sent or received. */
  raw: string;
  /** `INVITE sip:bob@lab.test SIP/2.0` or `SIP/2.0 180 Ringing`; undefined if unparsable. */
  startLine?: string;
  method?: string;
  status?: number;
  callId?: string;
  cseq?: string;
  /** Top Via branch, to tell retransmissions from new transactions. */
  branch?: string;
  /** Set when the bytes could not be parsed as SIP. */
  parseError?: string;
  /** True when the reliability layer re-sent this message (UDP timers A, E, G or 2xx). */
  retransmission?: boolean;
}

/**
 * Builds the event for one message on the wire. Parsing failures are recorded, not thrown:
 * the capture must keep bytes we could not understand.
 */
export function sipMessageEvent(
  party: string,
  direction: Direction,
  raw: string,
  flow: Flow,
  at: number,
  parsed?: SipMessage,
): SipMessageEvent {
  const event: SipMessageEvent = {
    type: 'sip',
    at,
    party,
    direction,
    transport: flow.protocol,
    local: flow.local,
    remote: flow.remote,
    raw,
  };
  try {
    const message = parsed ?? parseSipMessage(raw);
    event.startLine = startLine(message);
    if (message.kind === 'request') event.method = message.method;
    else event.status = message.status;
    event.callId = getHeader(message, 'call-id');
    event.cseq = getHeader(message, 'cseq');
    event.branch = topVia(message).branch;
  } catch (error) {
    event.parseError = error instanceof Error ? error.message : String(error);
  }
  return event;
}
