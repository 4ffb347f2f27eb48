import { getHeaderValues, parseVia } from '../sip/message/headers.js';
import { isSip20, SipParseError } from '../sip/message/parse-message.js';
import type { SipRequest } from '../sip/message/sip-message.js';
import type { RequestProblem } from './request-validation.js';

/** What to send back for a request the parser refused: the salvaged request and the answer. */
export interface UnparsableRequestAnswer extends RequestProblem {
  /** Start line and headers as salvaged; enough for createResponse to copy Via, From, To, Call-ID, CSeq. */
  request: SipRequest;
}

/**
 * Decides whether a message `parseSipMessage` refused can still be answered statelessly. RFC
 * 3261 §8.2 / §16.3 / §18.3 want a 400 for a malformed request (RFC 4475 clerr, ncl, lwsruri,
 * lwsstart) and §8.2.1 wants 505 for another SIP version (badvers), since a UDP sender that hears
 * nothing retransmits. Returns undefined (drop) for anything that is not recognisably a request,
 * for an ACK (never answered, §17.2.1), and when the top Via cannot be read: a response then
 * could not be matched to anything by its sender (§18.2.1).
 */
export function answerUnparsable(error: SipParseError): UnparsableRequestAnswer | undefined {
  const partial = error.partial;
  if (!partial || partial.kind !== 'request' || partial.method === undefined || partial.method === 'ACK') return undefined;
  const headers = partial.headers;
  if (!headers || !hasReadableTopVia(headers)) return undefined;
  const request: SipRequest = { kind: 'request', method: partial.method, uri: partial.uri ?? '', headers, body: '' };
  if (partial.version !== undefined && !isSip20(partial.version)) {
    return { request, status: 505, reason: 'Version Not Supported' };
  }
  return { request, status: 400, reason: `Bad Request (${phrase(error.reason)})` };
}

/**
 * The top Via, read as if its version were 2.0: a SIP/7.0 request carries `SIP/7.0/UDP` in its
 * Via too, and its 505 copies that Via back unchanged (§8.2.6.2).
 */
function hasReadableTopVia(headers: SipRequest['headers']): boolean {
  const top = getHeaderValues({ kind: 'request', method: '', uri: '', headers, body: '' }, 'via')[0];
  if (top === undefined) return false;
  try {
    parseVia(top.replace(/^\s*SIP\s*\/\s*\d+\.\d+/i, 'SIP/2.0'));
    return true;
  } catch (error) {
    if (error instanceof SipParseError) return false;
    throw error;
  }
}

/** A reason phrase is TEXT-UTF8 on one line (RFC 3261 §25.1); the parser's reason may quote input. */
function phrase(reason: string): string {
  return reason.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}
