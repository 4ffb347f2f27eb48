import { getHeader, topVia } from '../sip/message/headers.js';
import { parseSipMessage } from '../sip/message/parse-message.js';
import { startLine, type SipMessage } from '../sip/message/sip-message.js';
import type { Flow } from '../sip/transport/types.js';
import type { Direction, SipMessageEvent } from './types.js';

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
